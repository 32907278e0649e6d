//! Draws the core's display list ([`keepsake_core::ui::Frame`]) with citro2d.
//!
//! Text uses the system font (so every language's titles show); its 30-pixel
//! glyphs are scaled to the display list's nominal line heights, and text
//! wider than its `max_width` is cut with an ellipsis (`text_fit`). Icons are uploaded
//! once per image and kept while the display list keeps showing them.

use std::collections::BTreeMap;
use std::sync::Arc;

use keepsake_core::gpu_texture::tile_rgba8;
use keepsake_core::text_fit::fit_to_width;
use keepsake_core::ui::{Align, DrawCmd, Frame, Palette, Role};
use keepsake_format::icon::RgbaImage;

use crate::citro2d::{
    Citro2d, RenderError, Scene, Screen, Target, TextAlign, TextBuf, Texture, color,
};

/// Glyphs parsed per frame: two screens of text with room for trial cuts.
const GLYPHS_PER_FRAME: usize = 8192;
/// Frames an icon's texture survives without being drawn.
const ICON_GRACE_FRAMES: u64 = 120;
/// The system font's glyph height at scale 1.
const SYSTEM_FONT_LINE: f32 = 26.0;

struct CachedIcon<'c> {
    // Kept so the pointer used as the key is not reused by another image.
    _image: Arc<RgbaImage>,
    texture: Texture<'c>,
    last_drawn: u64,
}

pub struct Renderer<'c> {
    citro: &'c Citro2d<'c>,
    top: Target<'c>,
    bottom: Target<'c>,
    text: TextBuf<'c>,
    icons: BTreeMap<usize, CachedIcon<'c>>,
    frames: u64,
}

/// The colour of `role` in the frame's palette, as citro2d packs it.
fn packed(palette: &Palette, role: Role) -> u32 {
    let c = palette.color(role);
    color(c.r, c.g, c.b, c.a)
}

impl<'c> Renderer<'c> {
    pub fn new(citro: &'c Citro2d<'c>) -> Result<Self, RenderError> {
        Ok(Self {
            citro,
            top: citro.target(Screen::Top)?,
            bottom: citro.target(Screen::Bottom)?,
            text: TextBuf::new(citro, GLYPHS_PER_FRAME)?,
            icons: BTreeMap::new(),
            frames: 0,
        })
    }

    /// Draws both screens of `frame` as one GPU frame.
    pub fn draw(&mut self, frame: &Frame) {
        self.frames += 1;
        self.text.clear();
        for cmd in frame.top.iter().chain(&frame.bottom) {
            if let DrawCmd::Icon { image, .. } = cmd {
                self.ensure_icon(image);
            }
        }
        let Self {
            citro,
            top,
            bottom,
            text,
            icons,
            ..
        } = self;
        let palette = frame.palette();
        citro.frame(|scene| {
            scene.begin(top, color(0, 0, 0, 255));
            draw_list(scene, text, icons, palette, &frame.top);
            scene.begin(bottom, color(0, 0, 0, 255));
            draw_list(scene, text, icons, palette, &frame.bottom);
        });
        let now = self.frames;
        self.icons
            .retain(|_, icon| now - icon.last_drawn <= ICON_GRACE_FRAMES);
    }

    fn ensure_icon(&mut self, image: &Arc<RgbaImage>) {
        let key = Arc::as_ptr(image) as usize;
        if let Some(icon) = self.icons.get_mut(&key) {
            icon.last_drawn = self.frames;
            return;
        }
        let uploaded = tile_rgba8(image)
            .map_err(|error| error.to_string())
            .and_then(|tiled| {
                Texture::upload(self.citro, &tiled).map_err(|error| error.to_string())
            });
        match uploaded {
            Ok(texture) => {
                self.icons.insert(
                    key,
                    CachedIcon {
                        _image: Arc::clone(image),
                        texture,
                        last_drawn: self.frames,
                    },
                );
            }
            // The icon's place stays empty; the title's name still shows.
            Err(error) => eprintln!("icon: {error}"),
        }
    }
}

fn draw_list(
    scene: &mut Scene<'_>,
    text: &TextBuf<'_>,
    icons: &BTreeMap<usize, CachedIcon<'_>>,
    palette: &Palette,
    commands: &[DrawCmd],
) {
    for cmd in commands {
        match cmd {
            DrawCmd::Rect { x, y, w, h, color } => {
                scene.rect(
                    f32::from(*x),
                    f32::from(*y),
                    f32::from(*w),
                    f32::from(*h),
                    packed(palette, *color),
                );
            }
            DrawCmd::Text {
                x,
                y,
                text: string,
                size,
                color,
                align,
                max_width,
            } => {
                let scale = f32::from(size.line_height()) / SYSTEM_FONT_LINE;
                let align = match align {
                    Align::Left => TextAlign::Left,
                    Align::Center => TextAlign::Center,
                    Align::Right => TextAlign::Right,
                };
                match fitted(text, string, scale, max_width.map(f32::from)) {
                    Ok(parsed) => scene.text(
                        &parsed,
                        f32::from(*x),
                        f32::from(*y),
                        scale,
                        packed(palette, *color),
                        align,
                    ),
                    Err(error) => eprintln!("text {string:?}: {error}"),
                }
            }
            DrawCmd::Icon { x, y, w, h, image } => {
                if let Some(icon) = icons.get(&(Arc::as_ptr(image) as usize)) {
                    let (width, height) = icon.texture.size();
                    scene.image(
                        &icon.texture,
                        f32::from(*x),
                        f32::from(*y),
                        f32::from(*w) / f32::from(width.max(1)),
                        f32::from(*h) / f32::from(height.max(1)),
                    );
                }
            }
            DrawCmd::Progress {
                x,
                y,
                w,
                h,
                done,
                total,
                fill,
                track,
            } => {
                let (x, y, w, h) = (f32::from(*x), f32::from(*y), f32::from(*w), f32::from(*h));
                scene.rect(x, y, w, h, packed(palette, *track));
                if *total > 0 {
                    let part = (*done).min(*total) as f64 / *total as f64;
                    scene.rect(x, y, w * part as f32, h, packed(palette, *fill));
                }
            }
        }
    }
}

/// `string` parsed, cut with an ellipsis to `max_width` when it is wider.
fn fitted<'b>(
    buf: &'b TextBuf<'_>,
    string: &str,
    scale: f32,
    max_width: Option<f32>,
) -> Result<crate::citro2d::Text<'b>, RenderError> {
    let Some(max_width) = max_width else {
        return buf.parse(string);
    };
    // A text that cannot be parsed measures as too wide, so the cut shrinks
    // until it can be (or the parse below reports why not).
    let line = fit_to_width(string, max_width, |candidate| {
        buf.parse(candidate)
            .map_or(f32::INFINITY, |parsed| parsed.size(scale).0)
    });
    buf.parse(&line)
}
