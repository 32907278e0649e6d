//! Where a title's save and an extdata archive's files lie below the ID1
//! folder, as path components (the form the file counters are computed
//! from), and the folder names' 8-hex-digit halves.
//!
//! - save of title `HHHHHHHHLLLLLLLL`: `title/hhhhhhhh/llllllll/data/00000001.sav`
//! - extdata `HHHHHHHHLLLLLLLL`: `extdata/hhhhhhhh/llllllll/`, holding the
//!   device files `<file index / 126>/<file index % 126>` (8 hex digits
//!   each; index 1 is the VSXE metadata, `00000000/00000001`) and on NAND a
//!   `Quota.dat`. The 126 files per folder and the folder names are as
//!   save3ds lays them out (libsave3ds/src/ext_data.rs).
//!
//! Folder names are lowercase hex on cards the console wrote; both cases are
//! accepted when reading.

/// Device files per device folder of an extdata archive.
pub const FILES_PER_FOLDER: u32 = 126;

/// The 8-hex-digit halves of a 64-bit id, as folder names.
pub fn halves(id: u64) -> [String; 2] {
    [
        format!("{:08x}", id >> 32),
        format!("{:08x}", id & 0xFFFF_FFFF),
    ]
}

/// A 32-bit value written as exactly 8 hex digits, or `None`.
pub fn parse_half(name: &str) -> Option<u32> {
    if name.len() != 8 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(name, 16).ok()
}

/// The id named by two 8-hex-digit folder names.
pub fn join_halves(high: &str, low: &str) -> Option<u64> {
    Some((u64::from(parse_half(high)?) << 32) | u64::from(parse_half(low)?))
}

/// Components of a title's save file below ID1.
pub fn save_file(title_id: u64) -> Vec<String> {
    let [high, low] = halves(title_id);
    vec![
        "title".into(),
        high,
        low,
        "data".into(),
        "00000001.sav".into(),
    ]
}

/// Components of an extdata archive's folder below ID1.
pub fn extdata_folder(extdata_id: u64) -> Vec<String> {
    let [high, low] = halves(extdata_id);
    vec!["extdata".into(), high, low]
}

/// The device folder and file numbers of device file `index`.
pub fn device_numbers(index: u32) -> (u32, u32) {
    (index / FILES_PER_FOLDER, index % FILES_PER_FOLDER)
}

/// Components of device file `index` of an extdata archive below ID1.
pub fn extdata_device_file(extdata_id: u64, index: u32) -> Vec<String> {
    let (folder, file) = device_numbers(index);
    let mut path = extdata_folder(extdata_id);
    path.push(format!("{folder:08x}"));
    path.push(format!("{file:08x}"));
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_the_ones_on_the_fixture_card() {
        // As save3ds created them on ../shared/fixtures/ctr/save3ds/sd-card.
        assert_eq!(
            save_file(0x0004_0000_000a_bc00).join("/"),
            "title/00040000/000abc00/data/00000001.sav"
        );
        assert_eq!(
            extdata_device_file(0xabc, 1).join("/"),
            "extdata/00000000/00000abc/00000000/00000001"
        );
        assert_eq!(
            extdata_device_file(0xabc, 3).join("/"),
            "extdata/00000000/00000abc/00000000/00000003"
        );
        // The 127th file starts the second folder.
        assert_eq!(
            extdata_device_file(0xabc, 127).join("/"),
            "extdata/00000000/00000abc/00000001/00000001"
        );
    }

    #[test]
    fn folder_names_round_trip_and_reject_what_is_not_8_hex_digits() {
        assert_eq!(
            join_halves("00040000", "000ABC00"),
            Some(0x0004_0000_000a_bc00)
        );
        assert_eq!(parse_half("0004000"), None);
        assert_eq!(parse_half("+0040000"), None);
        assert_eq!(parse_half("0004000g"), None);
        assert_eq!(parse_half("Quota.da"), None);
    }
}
