//! Sample consoles for the preview, the tests and the benchmarks: an NDS
//! cartridge with a banner icon and a save, SD titles with SMDH icons, and
//! backups on the SD card in Checkpoint's layout. Everything is generated,
//! so nothing needs downloading.

use keepsake_format::icon::{self, RgbaImage};
use keepsake_format::smdh;

use crate::platform::sd::join;
use crate::platform::{ArchiveId, ArchiveKind, MediaType, SdCard};
use crate::sim::{MemTree, SimCard, SimChip, SimConsole, SimNdsCard, nds_rom_header};
use crate::store::naming::{
    CHECKPOINT_SAVES, ctr_title_folder, nds_save_file_name, nds_title_folder,
};

/// 2026-11-21 18:04:00, the sample consoles' clock.
pub const DEMO_TIME: u64 = 1_795_284_240;

/// The colour of `hue` (0..360) at full saturation and the given lightness
/// (0..=255), as RGB.
fn hue_rgb(hue: u16, light: u8) -> [u8; 3] {
    let h = f32::from(hue % 360) / 60.0;
    let x = 1.0 - (h % 2.0 - 1.0).abs();
    let (r, g, b) = match h as u8 {
        0 => (1.0, x, 0.0),
        1 => (x, 1.0, 0.0),
        2 => (0.0, 1.0, x),
        3 => (0.0, x, 1.0),
        4 => (x, 0.0, 1.0),
        _ => (1.0, 0.0, x),
    };
    let scale = |c: f32| (c * f32::from(light)) as u8;
    [scale(r), scale(g), scale(b)]
}

/// A square icon of `side` pixels: a background of `hue`, a lighter
/// diamond, a white dot; few colours, so it also fits a 16-colour banner.
pub fn sample_icon(side: u16, hue: u16) -> RgbaImage {
    let dark = hue_rgb(hue, 150);
    let light = hue_rgb(hue + 30, 240);
    let mut pixels = Vec::with_capacity(usize::from(side) * usize::from(side) * 4);
    let centre = i32::from(side) / 2;
    for y in 0..i32::from(side) {
        for x in 0..i32::from(side) {
            let (dx, dy) = ((x - centre).abs(), (y - centre).abs());
            let rgb = if dx * dx + dy * dy <= (centre / 4) * (centre / 4) {
                [255, 255, 255]
            } else if dx + dy <= centre * 3 / 4 {
                light
            } else if x < 2 || y < 2 || x >= i32::from(side) - 2 || y >= i32::from(side) - 2 {
                [30, 30, 40]
            } else {
                dark
            };
            pixels.extend_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
        }
    }
    RgbaImage::from_rgba(side, side, pixels).expect("the size matches")
}

/// An SMDH with the same names in every language and a sample icon.
pub fn sample_smdh(short: &str, publisher: &str, hue: u16) -> Vec<u8> {
    let mut bytes = smdh::build(short, short, publisher);
    let large = icon::encode_tiled_rgb565(&sample_icon(48, hue));
    bytes[icon::SMDH_LARGE_ICON_OFFSET..icon::SMDH_LARGE_ICON_OFFSET + large.len()]
        .copy_from_slice(&large);
    let small = icon::encode_tiled_rgb565(&sample_icon(24, hue));
    bytes[icon::SMDH_SMALL_ICON_OFFSET..icon::SMDH_SMALL_ICON_OFFSET + small.len()]
        .copy_from_slice(&small);
    bytes
}

/// An NDS banner (version 1, 0x840 bytes) with a sample icon.
pub fn sample_banner(hue: u16) -> Vec<u8> {
    let mut banner = vec![0u8; 0x840];
    banner[0] = 1;
    icon::encode_nds_banner_icon(&sample_icon(32, hue), &mut banner);
    banner
}

/// A save image of `size` bytes that looks used: a header, counters and
/// 0xFF past `used` bytes.
pub fn sample_save(size: usize, used: usize, seed: u8) -> Vec<u8> {
    let mut save = vec![0xFFu8; size];
    for (i, byte) in save.iter_mut().take(used.min(size)).enumerate() {
        *byte = (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8;
    }
    save
}

/// A sample NDS cartridge with `chip` holding `save`.
pub fn nds_cartridge(title: &str, game_code: &str, chip: SimChip, hue: u16) -> SimCard {
    SimCard::Nds(SimNdsCard {
        header: nds_rom_header(title, game_code),
        banner: sample_banner(hue),
        chip,
        infrared: game_code.starts_with('I'),
    })
}

/// A console at [`DEMO_TIME`] with nothing in it.
pub fn empty_console() -> SimConsole {
    let console = SimConsole::new();
    console.clock.set(DEMO_TIME);
    console
}

/// Installs an SD title with a sample SMDH and an empty save archive (a
/// game started once; a title without a save archive is not listed).
pub fn install_sd_title(
    console: &mut SimConsole,
    title_id: u64,
    name: &str,
    publisher: &str,
    hue: u16,
) {
    console
        .titles
        .install(MediaType::Sd, title_id, sample_smdh(name, publisher, hue));
    let save = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id,
    };
    if console.archives.committed(save).is_none() {
        console.archives.insert(save, MemTree::new());
    }
}

/// Writes an NDS backup folder `folder` holding `file` (by default the
/// header title's `.sav`) in Checkpoint's saves root.
pub fn put_nds_backup(
    console: &mut SimConsole,
    game_code: &str,
    header_title: &str,
    folder: &str,
    file: Option<&str>,
    bytes: &[u8],
) {
    let dir = join(
        &join(CHECKPOINT_SAVES, &nds_title_folder(game_code, header_title)),
        folder,
    );
    let name = file.map_or_else(|| nds_save_file_name(header_title), str::to_owned);
    console
        .sd
        .create_dir_all(&dir)
        .expect("the simulated SD card has room");
    console
        .sd
        .write(&join(&dir, &name), bytes)
        .expect("the simulated SD card has room");
}

/// Writes a 3DS backup folder with one file in Checkpoint's saves root.
pub fn put_ctr_backup(
    console: &mut SimConsole,
    title_id: u64,
    short_title: &str,
    folder: &str,
    bytes: &[u8],
) {
    let dir = join(
        &join(CHECKPOINT_SAVES, &ctr_title_folder(title_id, short_title)),
        folder,
    );
    console
        .sd
        .create_dir_all(&dir)
        .expect("the simulated SD card has room");
    console
        .sd
        .write(&join(&dir, "main"), bytes)
        .expect("the simulated SD card has room");
}

/// An AGBSAVE container of a GBA Virtual Console title as 3dbrew lays it
/// out ("3DS Virtual Console", NAND Savegame): a top slot whose header
/// (magic `.SAV`, a stand-in CMAC of 0xAA at 0x10, times saved at 0x34,
/// the title id at 0x38, a stand-in NAND CID at 0x40, 0x200 at 0x50, the
/// save's size at 0x54) says the game saved `times_saved` times, then
/// `save`, then a bottom slot never written (0xFF).
pub fn sample_gba_container(title_id: u64, times_saved: u32, save: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xFF; 0x200];
    bytes[..4].copy_from_slice(b".SAV");
    bytes[0x10..0x20].fill(0xAA);
    bytes[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
    bytes[0x34..0x38].copy_from_slice(&times_saved.to_le_bytes());
    bytes[0x38..0x40].copy_from_slice(&title_id.to_le_bytes());
    bytes[0x40..0x50].fill(0x5C);
    bytes[0x50..0x54].copy_from_slice(&0x200u32.to_le_bytes());
    bytes[0x54..0x58].copy_from_slice(&(save.len() as u32).to_le_bytes());
    bytes.extend_from_slice(save);
    bytes.resize(2 * (0x200 + save.len()), 0xFF);
    bytes
}

/// Installs a GBA Virtual Console title on the SD card: its SMDH, no save
/// data archive (such a title has none) and `container` as its GBA save.
pub fn install_gba_vc_title(
    console: &mut SimConsole,
    title_id: u64,
    name: &str,
    hue: u16,
    container: Vec<u8>,
) {
    console
        .titles
        .install(MediaType::Sd, title_id, sample_smdh(name, "Nintendo", hue));
    console.gba_vc.insert(title_id, MediaType::Sd, container);
}

/// Names for sample SD titles.
pub const SAMPLE_NAMES: [&str; 12] = [
    "Pocket Garden",
    "Star Courier 3D",
    "Harbor Tales",
    "Lumen Quest",
    "Pixel Parade",
    "Sky Racers",
    "Moss & Stone",
    "Tiny Tactics",
    "Comet Kart",
    "Deep Blue Diver",
    "Festival of Lanterns",
    "Robo Rally Deluxe",
];

/// The title id of sample SD title `index`.
pub fn sample_title_id(index: usize) -> u64 {
    0x0004_0000_0010_0000 + ((index as u64 + 1) << 8)
}

/// Installs `count` sample SD titles, named from [`SAMPLE_NAMES`] (numbered
/// once the names run out).
pub fn install_sample_titles(console: &mut SimConsole, count: usize) {
    for index in 0..count {
        let base = SAMPLE_NAMES[index % SAMPLE_NAMES.len()];
        let name = if index < SAMPLE_NAMES.len() {
            base.to_string()
        } else {
            format!("{base} {}", index / SAMPLE_NAMES.len() + 1)
        };
        let publisher = ["Lantern Works", "Northwind Games", "Studio Kite"][index % 3];
        install_sd_title(
            console,
            sample_title_id(index),
            &name,
            publisher,
            (index as u16 * 47) % 360,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_icons_survive_both_encodings() {
        let icon48 = sample_icon(48, 200);
        let smdh = sample_smdh("Pocket Garden", "Lantern Works", 200);
        let decoded = icon::smdh_large_icon(&smdh).unwrap();
        // RGB565 keeps the top 5/6/5 bits of each channel.
        for (a, b) in decoded.rgba().chunks(4).zip(icon48.rgba().chunks(4)) {
            assert_eq!(a[0] >> 3, b[0] >> 3);
            assert_eq!(a[1] >> 2, b[1] >> 2);
            assert_eq!(a[2] >> 3, b[2] >> 3);
        }
        let banner = icon::nds_banner_icon(&sample_banner(200)).unwrap();
        let icon32 = sample_icon(32, 200);
        for (a, b) in banner.rgba().chunks(4).zip(icon32.rgba().chunks(4)) {
            assert_eq!(a[0] >> 3, b[0] >> 3);
            assert_eq!(a[3], 255);
        }
    }

    #[test]
    fn the_demo_clock_reads_as_its_date() {
        let mut console = empty_console();
        let devices = crate::platform::Console::devices(&mut console);
        assert_eq!(devices.clock.now().folder_name(), "20261121-180400");
    }
}
