//! An extdata file's contents: a device file, one DIFF whose payload is the
//! whole file.
//!
//! Its DIFF header's unique id (0x54) must equal the one in the file's entry
//! in the VSXE file table; a mismatch means the device file belongs to
//! another file (save3ds refuses it too: libsave3ds/src/ext_data.rs).

use super::VsxeError;
use crate::ctr::diff::{self, Diff};
use crate::storage::ReadAt;

/// Reads the contents of the file at `path` from its opened device file,
/// after checking the unique id.
pub fn read<S: ReadAt>(
    mut device: Diff<S>,
    unique_id: u64,
    path: &str,
) -> Result<Vec<u8>, VsxeError> {
    let found = diff::unique_id(device.storage()).map_err(|error| VsxeError::Device {
        path: path.to_string(),
        error,
    })?;
    if found != unique_id {
        return Err(VsxeError::UniqueId {
            path: path.to_string(),
            expected: unique_id,
            found,
        });
    }
    let len = device.partitions()[0].len();
    // The DIFF reader checked that the payload lies inside the image, so
    // its length is bounded by bytes that exist.
    let mut out = vec![0u8; len as usize];
    device
        .read(0, 0, &mut out)
        .map_err(|error| VsxeError::FileData {
            path: path.to_string(),
            error,
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_come_back_and_a_foreign_device_file_is_refused() {
        let contents: Vec<u8> = (0..5000u32).map(|i| (i * 13) as u8).collect();
        let image = diff::build(&contents, 0xDEAD_BEEF).unwrap();
        let device = diff::open(image.as_slice()).unwrap();
        assert_eq!(read(device, 0xDEAD_BEEF, "a").unwrap(), contents);
        let device = diff::open(image.as_slice()).unwrap();
        let err = read(device, 0x1234, "user/save.bin").unwrap_err();
        assert!(
            err.to_string().starts_with(
                "user/save.bin: its device file's DIFF header has unique id 0x00000000deadbeef"
            ),
            "{err}"
        );
    }
}
