//! The AES-CMAC that signs every DISA and DIFF image.
//!
//! Layout of the first 0x200 bytes of a DISA/DIFF image:
//!
//! | offset | length | content                                     |
//! |--------|--------|---------------------------------------------|
//! | 0x000  | 0x10   | AES-CMAC (this module)                      |
//! | 0x010  | 0xF0   | unused (zero on images written by a console)|
//! | 0x100  | 0x100  | the DISA or DIFF header                     |
//!
//! The CMAC is not taken over the header itself but over the SHA-256 of a
//! *digest block*, whose contents depend on where the save lives (all
//! integers little-endian):
//!
//! | kind      | digest block                                                        | length |
//! |-----------|---------------------------------------------------------------------|--------|
//! | cartridge | `CTR-NOR0`, SHA-256(`CTR-SAV0` ‖ header)                             | 0x28   |
//! | SD save   | `CTR-SIGN`, title id (u64), SHA-256(`CTR-SAV0` ‖ header)             | 0x30   |
//! | NAND save | `CTR-SYS0`, save id (u32), 4 zero bytes, header                      | 0x110  |
//! | extdata   | `CTR-EXT0`, extdata id (u64), u32 1 for a device file or 0 for `Quota.dat`, device file id (u32), device directory id (u32), header | 0x11C |
//! | title db  | `CTR-9DB0`, database id (u32), header                               | 0x10C  |
//!
//! The key comes from the console's key scrambler (keyslot 0x33 or 0x19 for
//! cartridges, 0x30 for SD/NAND); Keepsake never knows it, so every function
//! here takes it from the caller.

use aes::Aes128;
use cmac::{Cmac, Mac};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Where the CMAC sits in an image.
pub const CMAC_OFFSET: usize = 0;
/// Length of the CMAC.
pub const CMAC_LEN: usize = 0x10;
/// Where the DISA/DIFF header sits in an image.
pub const HEADER_OFFSET: usize = 0x100;
/// Length of the DISA/DIFF header that the digest block covers.
pub const HEADER_LEN: usize = 0x100;

/// An AES-128 key, as 16 bytes.
pub type Key = [u8; 16];
/// An AES-CMAC tag.
pub type Tag = [u8; CMAC_LEN];

/// Which file of an extdata folder an extdata image is; it is part of the
/// signed digest block, so a device file cannot be swapped for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtdataFile {
    /// `Quota.dat`, beside the device directories.
    Quota,
    /// A device file `<directory_id>/<file_id>` (e.g. `00000000/00000001`
    /// is the metadata file).
    Device { directory_id: u32, file_id: u32 },
}

/// Where a DISA/DIFF image lives, which decides its digest block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureKind {
    /// A save on a CARD1 cartridge's flash (`CTR-NOR0` over `CTR-SAV0`).
    Cartridge,
    /// A title's save on the SD card (`CTR-SIGN` over `CTR-SAV0`).
    Sd { title_id: u64 },
    /// A system save on NAND (`CTR-SYS0`).
    Nand { save_id: u32 },
    /// An extdata image on the SD card or NAND (`CTR-EXT0`).
    Extdata { extdata_id: u64, file: ExtdataFile },
    /// A title database, e.g. `title.db` (`CTR-9DB0`).
    TitleDatabase { database_id: u32 },
}

const SAV0_MAGIC: &[u8; 8] = b"CTR-SAV0";

impl SignatureKind {
    /// The 8-byte magic that opens this kind's digest block.
    pub fn magic(&self) -> &'static [u8; 8] {
        match self {
            SignatureKind::Cartridge => b"CTR-NOR0",
            SignatureKind::Sd { .. } => b"CTR-SIGN",
            SignatureKind::Nand { .. } => b"CTR-SYS0",
            SignatureKind::Extdata { .. } => b"CTR-EXT0",
            SignatureKind::TitleDatabase { .. } => b"CTR-9DB0",
        }
    }

    /// The length of this kind's digest block.
    pub fn digest_block_len(&self) -> usize {
        match self {
            SignatureKind::Cartridge => 8 + 32,
            SignatureKind::Sd { .. } => 8 + 8 + 32,
            SignatureKind::Nand { .. } => 8 + 8 + HEADER_LEN,
            SignatureKind::Extdata { .. } => 8 + 8 + 4 + 4 + 4 + HEADER_LEN,
            SignatureKind::TitleDatabase { .. } => 8 + 4 + HEADER_LEN,
        }
    }
}

/// What is wrong with an image handed to the image-level functions.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignError {
    #[error(
        "the image is {len} bytes long, too short to hold a CMAC and a DISA/DIFF header \
         (needs at least {needed} bytes: CMAC at 0x0, header at 0x100..0x200)"
    )]
    ImageTooShort { len: usize, needed: usize },
}

/// SHA-256 of `CTR-SAV0` followed by the header: the inner hash that the
/// cartridge and SD digest blocks carry instead of the header itself.
pub fn sav0_hash(header: &[u8; HEADER_LEN]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(SAV0_MAGIC);
    hasher.update(header);
    hasher.finalize().into()
}

/// The digest block of `kind` for `header`, byte for byte.
pub fn digest_block(kind: &SignatureKind, header: &[u8; HEADER_LEN]) -> Vec<u8> {
    let mut block = Vec::with_capacity(kind.digest_block_len());
    block.extend_from_slice(kind.magic());
    match *kind {
        SignatureKind::Cartridge => block.extend_from_slice(&sav0_hash(header)),
        SignatureKind::Sd { title_id } => {
            block.extend_from_slice(&title_id.to_le_bytes());
            block.extend_from_slice(&sav0_hash(header));
        }
        SignatureKind::Nand { save_id } => {
            // The save id field is 8 bytes wide; system save ids are 32-bit.
            block.extend_from_slice(&u64::from(save_id).to_le_bytes());
            block.extend_from_slice(header);
        }
        SignatureKind::Extdata { extdata_id, file } => {
            let (is_device_file, file_id, directory_id) = match file {
                ExtdataFile::Quota => (0u32, 0u32, 0u32),
                ExtdataFile::Device {
                    directory_id,
                    file_id,
                } => (1, file_id, directory_id),
            };
            block.extend_from_slice(&extdata_id.to_le_bytes());
            block.extend_from_slice(&is_device_file.to_le_bytes());
            block.extend_from_slice(&file_id.to_le_bytes());
            block.extend_from_slice(&directory_id.to_le_bytes());
            block.extend_from_slice(header);
        }
        SignatureKind::TitleDatabase { database_id } => {
            block.extend_from_slice(&database_id.to_le_bytes());
            block.extend_from_slice(header);
        }
    }
    debug_assert_eq!(block.len(), kind.digest_block_len());
    block
}

/// SHA-256 of the digest block: the 32 bytes the CMAC authenticates.
pub fn digest(kind: &SignatureKind, header: &[u8; HEADER_LEN]) -> [u8; 32] {
    Sha256::digest(digest_block(kind, header)).into()
}

/// Plain AES-128-CMAC (RFC 4493) of `message`.
pub fn aes_cmac(key: &Key, message: &[u8]) -> Tag {
    let mut mac = new_mac(key);
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn new_mac(key: &Key) -> Cmac<Aes128> {
    // A 16-byte key is always a valid AES-128 key.
    <Cmac<Aes128> as Mac>::new(key.into())
}

/// The CMAC a console would store for `header` of a save of kind `kind`.
pub fn cmac(key: &Key, kind: &SignatureKind, header: &[u8; HEADER_LEN]) -> Tag {
    aes_cmac(key, &digest(kind, header))
}

/// Whether `tag` is the right CMAC for `header` (compared in constant time).
pub fn verify(key: &Key, kind: &SignatureKind, header: &[u8; HEADER_LEN], tag: &Tag) -> bool {
    let mut mac = new_mac(key);
    mac.update(&digest(kind, header));
    mac.verify_slice(tag).is_ok()
}

fn check_len(image: &[u8]) -> Result<(), SignError> {
    let needed = HEADER_OFFSET + HEADER_LEN;
    if image.len() < needed {
        return Err(SignError::ImageTooShort {
            len: image.len(),
            needed,
        });
    }
    Ok(())
}

/// The 0x100-byte header of a DISA/DIFF image (at 0x100).
pub fn image_header(image: &[u8]) -> Result<&[u8; HEADER_LEN], SignError> {
    check_len(image)?;
    Ok(image[HEADER_OFFSET..HEADER_OFFSET + HEADER_LEN]
        .try_into()
        .expect("length checked above"))
}

/// The CMAC stored at the start of a DISA/DIFF image.
pub fn stored_cmac(image: &[u8]) -> Result<Tag, SignError> {
    check_len(image)?;
    Ok(image[CMAC_OFFSET..CMAC_OFFSET + CMAC_LEN]
        .try_into()
        .expect("length checked above"))
}

/// Whether the CMAC stored in `image` matches its header under `key`.
pub fn verify_image(key: &Key, kind: &SignatureKind, image: &[u8]) -> Result<bool, SignError> {
    Ok(verify(
        key,
        kind,
        image_header(image)?,
        &stored_cmac(image)?,
    ))
}

/// Re-signs `image` in place: computes the CMAC of its header and stores it at
/// offset 0. Nothing else is touched. Returns the new CMAC.
pub fn sign_image(key: &Key, kind: &SignatureKind, image: &mut [u8]) -> Result<Tag, SignError> {
    let tag = cmac(key, kind, image_header(image)?);
    image[CMAC_OFFSET..CMAC_OFFSET + CMAC_LEN].copy_from_slice(&tag);
    Ok(tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::crypto::test_hex::hex;

    fn sample_header() -> [u8; HEADER_LEN] {
        let mut header = [0u8; HEADER_LEN];
        for (i, b) in header.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(11);
        }
        header[..4].copy_from_slice(b"DISA");
        header
    }

    const RFC4493_KEY: &str = "2b7e1516 28aed2a6 abf71588 09cf4f3c";
    const RFC4493_MESSAGE: &str =
        "6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51
         30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710";

    #[test]
    fn aes_cmac_matches_the_rfc_4493_examples() {
        let key: Key = hex(RFC4493_KEY).try_into().unwrap();
        let message = hex(RFC4493_MESSAGE);
        let cases = [
            (0, "bb1d6929 e9593728 7fa37d12 9b756746"),
            (16, "070a16b4 6b4d4144 f79bdd9d d04a287c"),
            (40, "dfa66747 de9ae630 30ca3261 1497c827"),
            (64, "51f0bebf 7e3b9d92 fc497417 79363cfe"),
        ];
        for (len, expected) in cases {
            assert_eq!(
                aes_cmac(&key, &message[..len]).to_vec(),
                hex(expected),
                "{len}"
            );
        }
    }

    #[test]
    fn sha256_is_the_standard_one() {
        // FIPS 180-2 example: SHA-256("abc").
        let got: [u8; 32] = Sha256::digest(b"abc").into();
        assert_eq!(
            got.to_vec(),
            hex("ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad")
        );
    }

    #[test]
    fn cartridge_block_is_nor0_over_the_sav0_hash() {
        let header = sample_header();
        let block = digest_block(&SignatureKind::Cartridge, &header);
        assert_eq!(block.len(), 0x28);
        assert_eq!(&block[..8], b"CTR-NOR0");
        let mut sav0 = b"CTR-SAV0".to_vec();
        sav0.extend_from_slice(&header);
        let inner: [u8; 32] = Sha256::digest(&sav0).into();
        assert_eq!(&block[8..], &inner);
    }

    #[test]
    fn sd_block_carries_the_title_id_then_the_sav0_hash() {
        let header = sample_header();
        let kind = SignatureKind::Sd {
            title_id: 0x0004_0000_0012_3400,
        };
        let block = digest_block(&kind, &header);
        assert_eq!(block.len(), 0x30);
        assert_eq!(&block[..8], b"CTR-SIGN");
        assert_eq!(
            &block[8..16],
            &[0x00, 0x34, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00]
        );
        assert_eq!(&block[16..48], &sav0_hash(&header));
    }

    #[test]
    fn nand_block_carries_the_save_id_padded_to_eight_bytes_then_the_header() {
        let header = sample_header();
        let block = digest_block(
            &SignatureKind::Nand {
                save_id: 0x0001_0011,
            },
            &header,
        );
        assert_eq!(block.len(), 0x110);
        assert_eq!(&block[..8], b"CTR-SYS0");
        assert_eq!(&block[8..16], &[0x11, 0x00, 0x01, 0x00, 0, 0, 0, 0]);
        assert_eq!(&block[16..], &header);
    }

    #[test]
    fn extdata_block_names_the_device_file() {
        let header = sample_header();
        let kind = SignatureKind::Extdata {
            extdata_id: 0x0000_0000_0000_1234,
            file: ExtdataFile::Device {
                directory_id: 2,
                file_id: 0x7D,
            },
        };
        let block = digest_block(&kind, &header);
        assert_eq!(block.len(), 0x11C);
        let mut expected = b"CTR-EXT0".to_vec();
        expected.extend_from_slice(&[0x34, 0x12, 0, 0, 0, 0, 0, 0]);
        expected.extend_from_slice(&[1, 0, 0, 0]);
        expected.extend_from_slice(&[0x7D, 0, 0, 0]);
        expected.extend_from_slice(&[2, 0, 0, 0]);
        expected.extend_from_slice(&header);
        assert_eq!(block, expected);

        let quota = SignatureKind::Extdata {
            extdata_id: 0x1234,
            file: ExtdataFile::Quota,
        };
        let block = digest_block(&quota, &header);
        assert_eq!(&block[16..28], &[0u8; 12]);
    }

    #[test]
    fn title_database_block_carries_the_database_id() {
        let header = sample_header();
        let block = digest_block(&SignatureKind::TitleDatabase { database_id: 2 }, &header);
        assert_eq!(block.len(), 0x10C);
        assert_eq!(&block[..12], b"CTR-9DB0\x02\x00\x00\x00");
        assert_eq!(&block[12..], &header);
    }

    #[test]
    fn cmac_is_aes_cmac_of_the_sha256_of_the_block() {
        let key: Key = hex("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let header = sample_header();
        for kind in [
            SignatureKind::Cartridge,
            SignatureKind::Sd { title_id: 7 },
            SignatureKind::Nand { save_id: 9 },
        ] {
            let hash: [u8; 32] = Sha256::digest(digest_block(&kind, &header)).into();
            let mut reference = <Cmac<Aes128> as Mac>::new_from_slice(&key).unwrap();
            reference.update(&hash);
            let expected: Tag = reference.finalize().into_bytes().into();
            assert_eq!(cmac(&key, &kind, &header), expected);
            assert!(verify(&key, &kind, &header, &expected));
        }
    }

    #[test]
    fn verify_rejects_any_changed_bit_wrong_id_or_wrong_key() {
        let key = [0x42; 16];
        let header = sample_header();
        let kind = SignatureKind::Sd { title_id: 0x99 };
        let tag = cmac(&key, &kind, &header);
        for bit in [0, 7, 8 * 0x80 + 3, 8 * 0xFF + 7] {
            let mut changed = header;
            changed[bit / 8] ^= 1 << (bit % 8);
            assert!(!verify(&key, &kind, &changed, &tag), "bit {bit}");
        }
        assert!(!verify(
            &key,
            &SignatureKind::Sd { title_id: 0x98 },
            &header,
            &tag
        ));
        assert!(!verify(&key, &SignatureKind::Cartridge, &header, &tag));
        assert!(!verify(&[0x43; 16], &kind, &header, &tag));
    }

    #[test]
    fn sign_image_changes_only_the_cmac_and_then_verifies() {
        let mut image = vec![0u8; 0x400];
        image[0x100..0x200].copy_from_slice(&sample_header());
        image[0x300] = 0xAB;
        let before = image.clone();
        let key = [7; 16];
        let kind = SignatureKind::Cartridge;
        assert!(!verify_image(&key, &kind, &image).unwrap());
        let tag = sign_image(&key, &kind, &mut image).unwrap();
        assert_eq!(&image[..16], &tag);
        assert_eq!(&image[16..], &before[16..]);
        assert!(verify_image(&key, &kind, &image).unwrap());
    }

    #[test]
    fn a_short_image_is_a_typed_error() {
        let err = image_header(&[0u8; 0x1FF]).unwrap_err();
        assert_eq!(
            err,
            SignError::ImageTooShort {
                len: 0x1FF,
                needed: 0x200
            }
        );
        assert!(sign_image(&[0; 16], &SignatureKind::Cartridge, &mut [0u8; 16]).is_err());
    }

    #[test]
    fn the_real_nand_disa_has_a_cmac_and_a_header_where_expected() {
        let image = keepsake_testkit::fixture_or_skip!("ctr/nand-00000000.disa");
        let header = image_header(&image).unwrap();
        assert_eq!(&header[..4], b"DISA");
        assert_eq!(
            u32::from_le_bytes(header[4..8].try_into().unwrap()),
            0x40000
        );
        let tag = stored_cmac(&image).unwrap();
        assert_ne!(tag, [0; 16], "a console-written image carries a CMAC");
        assert!(image[0x10..0x100].iter().all(|&b| b == 0));
        // The console key is unknown: a made-up key must not verify, and
        // re-signing with it must change only the CMAC.
        let kind = SignatureKind::Nand { save_id: 0 };
        let key = [0x5A; 16];
        assert!(!verify_image(&key, &kind, &image).unwrap());
        let mut resigned = image.clone();
        sign_image(&key, &kind, &mut resigned).unwrap();
        assert_eq!(&resigned[16..], &image[16..]);
        assert!(verify_image(&key, &kind, &resigned).unwrap());
    }
}
