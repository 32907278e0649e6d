//! A title's save on the SD card: `title/<high>/<low>/data/00000001.sav`,
//! a DISA image encrypted with the SD key under the file's counter and
//! signed with the console's signing key over a `CTR-SIGN` digest block that
//! carries the title id ([`crate::ctr::crypto::sign`]).
//!
//! The whole file is decrypted in memory: SD saves are at most a few
//! megabytes, and the DISA reader checks every block it reads.

use super::SdError;
use super::paths::save_file;
use crate::ctr::crypto::sign::{SignatureKind, sign_image, verify_image};
use crate::ctr::disa;
use crate::ctr::keys::ConsoleKeys;
use crate::ctr::savefs::SaveFs;

/// A save opened (and, on the SD card, decrypted).
#[derive(Debug)]
pub struct SdSave {
    pub fs: SaveFs<Vec<u8>>,
    /// Whether the CMAC at the start of the image is the one the console
    /// would compute: a save the console will accept.
    pub cmac_ok: bool,
}

fn kind(title_id: u64) -> SignatureKind {
    SignatureKind::Sd { title_id }
}

/// Decrypts (or encrypts) the contents of title `title_id`'s save file.
pub fn crypt(keys: &ConsoleKeys, title_id: u64, data: &mut [u8]) {
    keys.crypt_sd_file(&save_file(title_id), data);
}

/// Whether the plaintext image carries the right CMAC for title `title_id`
/// (false when it is too short to hold one).
pub fn cmac_matches(keys: &ConsoleKeys, title_id: u64, plain: &[u8]) -> bool {
    verify_image(keys.sign_key().expose(), &kind(title_id), plain).unwrap_or(false)
}

/// Opens title `title_id`'s save from the encrypted bytes of its file.
pub fn open(keys: &ConsoleKeys, title_id: u64, mut bytes: Vec<u8>) -> Result<SdSave, SdError> {
    let path = save_file(title_id).join("/");
    crypt(keys, title_id, &mut bytes);
    open_plain(keys, &kind(title_id), path, bytes)
}

/// Opens a plaintext save image of kind `kind` (`path` names it in errors).
/// NAND system saves are stored this way ([`crate::ctr::nand`]).
pub fn open_plain(
    keys: &ConsoleKeys,
    kind: &SignatureKind,
    path: String,
    bytes: Vec<u8>,
) -> Result<SdSave, SdError> {
    let cmac_ok = verify_image(keys.sign_key().expose(), kind, &bytes).unwrap_or(false);
    let container = disa::open(bytes).map_err(|error| SdError::Container {
        path: path.clone(),
        error: Box::new(error),
    })?;
    let fs = SaveFs::open(container).map_err(|error| SdError::Filesystem {
        path,
        error: Box::new(error),
    })?;
    Ok(SdSave { fs, cmac_ok })
}

/// Signs a plaintext DISA image for title `title_id` and encrypts it, ready
/// to be written as its save file.
pub fn seal(keys: &ConsoleKeys, title_id: u64, mut plain: Vec<u8>) -> Vec<u8> {
    // A DISA image is always longer than its 0x200-byte header block, so
    // signing cannot fail on an image the DISA writer produced; a shorter
    // one is left unsigned and fails to open.
    let _ = sign_image(keys.sign_key().expose(), &kind(title_id), &mut plain);
    crypt(keys, title_id, &mut plain);
    plain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::savefs::format::SaveFormat;
    use keepsake_testkit::fixtures;

    const TITLE: u64 = 0x0004_0000_000a_bc00;
    const ID1: &str = "ctr/save3ds/sd-card/Nintendo 3DS/f3e70c5ec14b4d169df44e1c449c9dc2/\
                       0123456789abcdef0123456789abcdef";

    fn fake_keys() -> Option<ConsoleKeys> {
        let boot9 = fixtures::read("ctr/save3ds/fake-boot9.bin")?;
        let movable = fixtures::read("ctr/save3ds/fake-movable.sed")?;
        Some(ConsoleKeys::derive(&boot9, &movable).unwrap())
    }

    #[test]
    fn the_fixture_save_opens_verifies_and_holds_the_imported_files() {
        let Some(keys) = fake_keys() else { return };
        let Some(bytes) =
            fixtures::read(&format!("{ID1}/title/00040000/000abc00/data/00000001.sav"))
        else {
            return;
        };
        let mut save = open(&keys, TITLE, bytes).unwrap();
        assert!(save.cmac_ok);
        for name in [
            "save.bin",
            "options.dat",
            "ghost/run01.gst",
            "ghost/run02.gst",
        ] {
            let want =
                fixtures::read(&format!("ctr/save3ds/one-partition-512.files/{name}")).unwrap();
            assert_eq!(save.fs.read_path(name).unwrap(), want, "{name}");
        }
    }

    #[test]
    fn a_sealed_image_opens_with_a_good_cmac_and_not_under_another_title() {
        let Some(keys) = fake_keys() else { return };
        let mut fs = SaveFormat::new(512, 4, 8, true).format(64 * 1024).unwrap();
        fs.write_file("a.bin", &[7; 1000]).unwrap();
        fs.commit().unwrap();
        let plain = fs.into_disa().into_storage();
        let sealed = seal(&keys, TITLE, plain.clone());
        assert_ne!(sealed[0x100..0x104], *b"DISA");
        let mut save = open(&keys, TITLE, sealed.clone()).unwrap();
        assert!(save.cmac_ok);
        assert_eq!(save.fs.read_path("a.bin").unwrap(), vec![7; 1000]);
        // Under another title the counter differs: no DISA header at all.
        assert!(matches!(
            open(&keys, TITLE + 0x100, sealed),
            Err(SdError::Container { .. })
        ));
    }

    #[test]
    fn a_save_written_as_the_console_writes_it_reads_back_from_the_card() {
        // The generator leaves blocks nobody wrote holding random bytes, as
        // an SD card's unwritten regions decrypt to noise: only the blocks in
        // use may be checked.
        let Some(keys) = fake_keys() else { return };
        let mut rng = keepsake_testkit::rng::for_test("sd_sparse_save");
        let generated = crate::ctr::savegen::sparse_save(
            &mut rng,
            SaveFormat::new(512, 8, 16, true),
            256 * 1024,
            4,
        );
        let sealed = seal(&keys, TITLE, generated.image.clone());
        let mut save = open(&keys, TITLE, sealed).unwrap();
        assert!(save.cmac_ok);
        for (path, contents) in &generated.tree {
            if let Some(contents) = contents {
                assert_eq!(&save.fs.read_path(path).unwrap(), contents, "{path}");
            }
        }
        let listed = save.fs.walk().unwrap().len();
        assert_eq!(listed, generated.tree.len());
    }
}
