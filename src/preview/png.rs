//! A canvas as PNG bytes (8-bit RGB, no interlacing).

use super::canvas::Canvas;

/// Encodes a canvas as a PNG file's bytes.
pub fn encode(canvas: &Canvas) -> Result<Vec<u8>, ::png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(
        &mut out,
        u32::from(canvas.width()),
        u32::from(canvas.height()),
    );
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    encoder.set_compression(::png::Compression::Best);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(canvas.rgb())?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_core::ui::Color;

    #[test]
    fn a_canvas_round_trips_through_png() {
        let mut canvas = Canvas::new(7, 5);
        canvas.fill_rect(2, 1, 3, 2, Color::rgb(10, 200, 30));
        let bytes = encode(&canvas).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let mut reader = ::png::Decoder::new(bytes.as_slice()).read_info().unwrap();
        let mut rgb = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut rgb).unwrap();
        assert_eq!(
            (info.width, info.height, info.color_type),
            (7, 5, ::png::ColorType::Rgb)
        );
        assert_eq!(&rgb[..info.buffer_size()], canvas.rgb());
    }
}
