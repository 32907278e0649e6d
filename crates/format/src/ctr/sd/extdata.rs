//! An extdata archive on the SD card: `extdata/<high>/<low>/`, its device
//! files encrypted with the SD key under their own counters, each signed
//! over a `CTR-EXT0` digest block naming the archive and the device file
//! ([`crate::ctr::crypto::sign`]). The filesystem inside is [`crate::ctr::vsxe`].

use super::SdError;
use super::paths::{device_numbers, extdata_device_file};
use crate::ctr::crypto::sign::{ExtdataFile, SignatureKind, sign_image, verify_image};
use crate::ctr::diff;
use crate::ctr::keys::ConsoleKeys;
use crate::ctr::vsxe::{ExtFile, Vsxe, device};

/// Device file index of the VSXE metadata.
pub const META_INDEX: u32 = 1;

/// An SD extdata archive's metadata, opened and decrypted.
#[derive(Debug)]
pub struct SdExtdata {
    pub vsxe: Vsxe<Vec<u8>>,
    /// Whether the metadata file's CMAC is the one the console computes.
    pub cmac_ok: bool,
}

/// The signature kind of device file `index` of archive `extdata_id`.
pub fn device_kind(extdata_id: u64, index: u32) -> SignatureKind {
    let (directory_id, file_id) = device_numbers(index);
    SignatureKind::Extdata {
        extdata_id,
        file: ExtdataFile::Device {
            directory_id,
            file_id,
        },
    }
}

/// Decrypts (or encrypts) device file `index` of archive `extdata_id`.
pub fn crypt(keys: &ConsoleKeys, extdata_id: u64, index: u32, data: &mut [u8]) {
    keys.crypt_sd_file(&extdata_device_file(extdata_id, index), data);
}

fn cmac_ok(keys: &ConsoleKeys, extdata_id: u64, index: u32, plain: &[u8]) -> bool {
    let kind = device_kind(extdata_id, index);
    verify_image(keys.sign_key().expose(), &kind, plain).unwrap_or(false)
}

/// Opens archive `extdata_id` from the encrypted bytes of its metadata
/// device file (`00000000/00000001`).
pub fn open(keys: &ConsoleKeys, extdata_id: u64, mut bytes: Vec<u8>) -> Result<SdExtdata, SdError> {
    crypt(keys, extdata_id, META_INDEX, &mut bytes);
    open_plain(keys, extdata_id, bytes)
}

/// Opens archive `extdata_id` from the plaintext bytes of its metadata
/// device file, as NAND stores it.
pub fn open_plain(
    keys: &ConsoleKeys,
    extdata_id: u64,
    bytes: Vec<u8>,
) -> Result<SdExtdata, SdError> {
    let path = extdata_device_file(extdata_id, META_INDEX).join("/");
    let cmac_ok = cmac_ok(keys, extdata_id, META_INDEX, &bytes);
    let meta = diff::open(bytes).map_err(|error| SdError::Container {
        path: path.clone(),
        error: Box::new(error),
    })?;
    let vsxe = Vsxe::open(meta).map_err(|error| SdError::Extdata {
        path,
        error: Box::new(error),
    })?;
    Ok(SdExtdata { vsxe, cmac_ok })
}

/// The contents of `file` (named `name` in the archive) from the encrypted
/// bytes of its device file, and whether that file's CMAC is good.
pub fn read_file(
    keys: &ConsoleKeys,
    extdata_id: u64,
    file: &ExtFile,
    name: &str,
    mut bytes: Vec<u8>,
) -> Result<(Vec<u8>, bool), SdError> {
    crypt(keys, extdata_id, file.device_index, &mut bytes);
    read_file_plain(keys, extdata_id, file, name, bytes)
}

/// Like [`read_file`] for a plaintext device file, as NAND stores it.
pub fn read_file_plain(
    keys: &ConsoleKeys,
    extdata_id: u64,
    file: &ExtFile,
    name: &str,
    bytes: Vec<u8>,
) -> Result<(Vec<u8>, bool), SdError> {
    let path = extdata_device_file(extdata_id, file.device_index).join("/");
    let cmac_ok = cmac_ok(keys, extdata_id, file.device_index, &bytes);
    let container = diff::open(bytes).map_err(|error| SdError::Container {
        path: path.clone(),
        error: Box::new(error),
    })?;
    let contents =
        device::read(container, file.unique_id, name).map_err(|error| SdError::Extdata {
            path,
            error: Box::new(error),
        })?;
    Ok((contents, cmac_ok))
}

/// Signs a plaintext DIFF image as device file `index` of archive
/// `extdata_id`, as NAND stores it.
pub fn seal_plain(keys: &ConsoleKeys, extdata_id: u64, index: u32, mut plain: Vec<u8>) -> Vec<u8> {
    // A DIFF image the writer produced is longer than the 0x200-byte
    // header block, so signing cannot fail on it.
    let _ = sign_image(
        keys.sign_key().expose(),
        &device_kind(extdata_id, index),
        &mut plain,
    );
    plain
}

/// Signs a plaintext DIFF image as device file `index` of archive
/// `extdata_id` and encrypts it, ready to be written.
pub fn seal(keys: &ConsoleKeys, extdata_id: u64, index: u32, plain: Vec<u8>) -> Vec<u8> {
    let mut sealed = seal_plain(keys, extdata_id, index, plain);
    crypt(keys, extdata_id, index, &mut sealed);
    sealed
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_testkit::fixtures;

    const ID: u64 = 0xabc;
    const ID1: &str = "ctr/save3ds/sd-card/Nintendo 3DS/f3e70c5ec14b4d169df44e1c449c9dc2/\
                       0123456789abcdef0123456789abcdef";

    fn fake_keys() -> Option<ConsoleKeys> {
        let boot9 = fixtures::read("ctr/save3ds/fake-boot9.bin")?;
        let movable = fixtures::read("ctr/save3ds/fake-movable.sed")?;
        Some(ConsoleKeys::derive(&boot9, &movable).unwrap())
    }

    #[test]
    fn the_fixture_extdata_lists_and_reads_the_files_save3ds_imported() {
        let Some(keys) = fake_keys() else { return };
        let device = |index: u32| {
            fixtures::read(&format!(
                "{ID1}/{}",
                extdata_device_file(ID, index).join("/")
            ))
        };
        let Some(meta) = device(1) else { return };
        let mut ext = open(&keys, ID, meta).unwrap();
        assert!(ext.cmac_ok);
        let listing = ext.vsxe.walk().unwrap();
        let mut names: Vec<(&str, bool)> = listing
            .iter()
            .map(|e| (e.path.as_str(), e.file.is_some()))
            .collect();
        names.sort();
        // As the fixtures README describes the archive.
        assert_eq!(
            names,
            [
                ("boss", false),
                ("icon", true),
                ("user", false),
                ("user/save.bin", true)
            ]
        );
        for entry in listing.iter().filter(|e| e.file.is_some()) {
            let file = entry.file.unwrap();
            let (contents, cmac_ok) = read_file(
                &keys,
                ID,
                &file,
                &entry.path,
                device(file.device_index).unwrap(),
            )
            .unwrap();
            assert!(cmac_ok, "{}", entry.path);
            let want =
                fixtures::read(&format!("ctr/save3ds/extdata-abc.files/{}", entry.path)).unwrap();
            assert_eq!(contents, want, "{}", entry.path);
        }
    }

    #[test]
    fn hostile_metadata_is_an_error_never_a_panic() {
        use keepsake_testkit::rand::Rng;
        let Some(keys) = fake_keys() else { return };
        let Some(mut meta) =
            fixtures::read(&format!("{ID1}/{}", extdata_device_file(ID, 1).join("/")))
        else {
            return;
        };
        crypt(&keys, ID, 1, &mut meta);
        let payload_len = diff::open(meta.as_slice()).unwrap().partitions()[0].len();
        let mut rng = keepsake_testkit::rng::for_test("vsxe_hostile_metadata");
        let mut opened = 0;
        for _ in 0..400 {
            // Damage the metadata through the container, so every hash is
            // renewed and only the VSXE layer sees it.
            let mut container = diff::open(meta.clone()).unwrap();
            for _ in 0..rng.random_range(1..4) {
                let at = rng.random_range(0..payload_len.min(0x3000));
                let value: [u8; 4] = rng.random();
                let len = (payload_len - at).min(4) as usize;
                container.write(0, at, &value[..len]).unwrap();
            }
            container.commit().unwrap();
            if let Ok(mut vsxe) = Vsxe::open(container) {
                opened += 1;
                let _ = vsxe.walk();
            }
        }
        // Some damage lands where nothing is read, so some archives open.
        assert!(opened > 0);
    }

    #[test]
    fn a_sealed_device_file_reads_back_with_a_good_cmac() {
        let Some(keys) = fake_keys() else { return };
        let plain = diff::build(b"hello extdata", 77).unwrap();
        let sealed = seal(&keys, ID, 130, plain);
        let file = ExtFile {
            entry: 129,
            device_index: 130,
            unique_id: 77,
        };
        let (contents, ok) = read_file(&keys, ID, &file, "x", sealed.clone()).unwrap();
        assert_eq!(contents, b"hello extdata");
        assert!(ok);
        // As another device file, the counter (and the CMAC) differ.
        let other = ExtFile {
            device_index: 2,
            ..file
        };
        assert!(read_file(&keys, ID, &other, "x", sealed).is_err());
    }
}
