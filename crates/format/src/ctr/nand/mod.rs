//! System saves and extdata in a dump of the console's NAND (the CTR NAND
//! partition's files, decrypted, e.g. as GodMode9 copies them out).
//!
//! Below `data/<ID0>/` (ID0 from movable.sed, which the dump holds at
//! `private/movable.sed`), per save3ds (libsave3ds/src/lib.rs
//! `open_nand_save`, `open_nand_ext`):
//!
//! - `sysdata/<save id, 8 hex digits>/00000000`: a system save, a plaintext
//!   DISA signed over a `CTR-SYS0` digest block with the save id;
//! - `extdata/<high>/<low>/`: an extdata archive laid out as on the SD card
//!   ([`crate::ctr::sd::paths`]) but not encrypted, with a `Quota.dat`
//!   ([`crate::ctr::vsxe::quota`]).
//!
//! The signing key is the same as on the SD card (keyslot 0x30).

use crate::ctr::crypto::sign::{ExtdataFile, SignatureKind, sign_image, verify_image};
use crate::ctr::diff;
use crate::ctr::keys::ConsoleKeys;
use crate::ctr::sd::SdError;
use crate::ctr::sd::paths::extdata_folder;
use crate::ctr::sd::save::{SdSave, open_plain};
use crate::ctr::vsxe::quota::{QUOTA_LEN, Quota, QuotaError};

/// Components of system save `save_id`'s file below `data/<ID0>`.
pub fn system_save_file(save_id: u32) -> Vec<String> {
    vec![
        "sysdata".into(),
        format!("{save_id:08x}"),
        "00000000".into(),
    ]
}

/// Components of extdata `extdata_id`'s `Quota.dat` below `data/<ID0>`.
pub fn quota_file(extdata_id: u64) -> Vec<String> {
    let mut path = extdata_folder(extdata_id);
    path.push("Quota.dat".into());
    path
}

fn kind(save_id: u32) -> SignatureKind {
    SignatureKind::Nand { save_id }
}

/// Opens system save `save_id` from the bytes of its file.
pub fn open_system_save(
    keys: &ConsoleKeys,
    save_id: u32,
    bytes: Vec<u8>,
) -> Result<SdSave, SdError> {
    open_plain(
        keys,
        &kind(save_id),
        system_save_file(save_id).join("/"),
        bytes,
    )
}

/// Signs a plaintext DISA image as system save `save_id`.
pub fn seal_system_save(keys: &ConsoleKeys, save_id: u32, mut plain: Vec<u8>) -> Vec<u8> {
    // An image the DISA writer produced always holds the header block.
    let _ = sign_image(keys.sign_key().expose(), &kind(save_id), &mut plain);
    plain
}

/// Why `Quota.dat` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum QuotaFileError {
    #[error("{path}: {error}")]
    Container {
        path: String,
        error: Box<crate::ctr::container::ContainerError>,
    },
    #[error("{path}: reading its payload: {error}")]
    Payload {
        path: String,
        error: crate::ctr::partition::PartitionError,
    },
    #[error(transparent)]
    Quota(#[from] QuotaError),
}

/// Reads extdata `extdata_id`'s `Quota.dat` and whether its CMAC is good.
pub fn read_quota(
    keys: &ConsoleKeys,
    extdata_id: u64,
    bytes: Vec<u8>,
) -> Result<(Quota, bool), QuotaFileError> {
    let path = quota_file(extdata_id).join("/");
    let kind = SignatureKind::Extdata {
        extdata_id,
        file: ExtdataFile::Quota,
    };
    let cmac_ok = verify_image(keys.sign_key().expose(), &kind, &bytes).unwrap_or(false);
    let mut container = diff::open(bytes).map_err(|error| QuotaFileError::Container {
        path: path.clone(),
        error: Box::new(error),
    })?;
    // The payload is 0x48 bytes; read no more than that whatever the
    // header claims.
    let len = container.partitions()[0].len().min(0x48) as usize;
    let mut payload = vec![0u8; len];
    container
        .read(0, 0, &mut payload)
        .map_err(|error| QuotaFileError::Payload { path, error })?;
    Ok((Quota::parse(&payload)?, cmac_ok))
}

/// Why the new `Quota.dat` could not be made.
#[derive(Debug, thiserror::Error)]
pub enum QuotaWriteError {
    #[error(transparent)]
    Read(#[from] QuotaFileError),
    #[error("{path}: writing its payload: {error}")]
    Payload {
        path: String,
        error: crate::ctr::partition::PartitionError,
    },
    #[error("{path}: {error}")]
    Commit {
        path: String,
        error: Box<crate::ctr::container::ContainerError>,
    },
}

/// The bytes of extdata `extdata_id`'s `Quota.dat` (`old`, as read) with
/// the changing fields of `quota` written in, rehashed and signed.
pub fn seal_quota(
    keys: &ConsoleKeys,
    extdata_id: u64,
    old: Vec<u8>,
    quota: &Quota,
) -> Result<Vec<u8>, QuotaWriteError> {
    let path = quota_file(extdata_id).join("/");
    let container_error = |error| QuotaFileError::Container {
        path: path.clone(),
        error: Box::new(error),
    };
    let mut container = diff::open(old).map_err(container_error)?;
    let mut payload = vec![0u8; QUOTA_LEN];
    if container.partitions()[0].len() < QUOTA_LEN as u64 {
        return Err(QuotaFileError::from(QuotaError::TooShort {
            len: container.partitions()[0].len() as usize,
        })
        .into());
    }
    container
        .read(0, 0, &mut payload)
        .map_err(|error| QuotaFileError::Payload {
            path: path.clone(),
            error,
        })?;
    quota.write_changes(&mut payload);
    container
        .write(0, 0, &payload)
        .map_err(|error| QuotaWriteError::Payload {
            path: path.clone(),
            error,
        })?;
    container
        .commit()
        .map_err(|error| QuotaWriteError::Commit {
            path: path.clone(),
            error: Box::new(error),
        })?;
    let mut image = container.into_storage();
    let kind = SignatureKind::Extdata {
        extdata_id,
        file: ExtdataFile::Quota,
    };
    // The DIFF opened, so the image holds the header block.
    let _ = sign_image(keys.sign_key().expose(), &kind, &mut image);
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::savefs::format::SaveFormat;
    use keepsake_testkit::fixtures;

    fn fake_keys() -> Option<ConsoleKeys> {
        Some(
            ConsoleKeys::derive(
                &fixtures::read("ctr/save3ds/fake-boot9.bin")?,
                &fixtures::read("ctr/save3ds/fake-movable.sed")?,
            )
            .unwrap(),
        )
    }

    #[test]
    fn paths_are_the_ones_save3ds_uses() {
        assert_eq!(
            system_save_file(0x0001_0026).join("/"),
            "sysdata/00010026/00000000"
        );
        assert_eq!(
            quota_file(0xf000_000b).join("/"),
            "extdata/00000000/f000000b/Quota.dat"
        );
    }

    #[test]
    fn a_signed_system_save_verifies_only_under_its_own_id() {
        let Some(keys) = fake_keys() else { return };
        let mut fs = SaveFormat::new(4096, 4, 4, true)
            .format(256 * 1024)
            .unwrap();
        fs.write_file("config", b"system settings").unwrap();
        fs.commit().unwrap();
        let plain = fs.into_disa().into_storage();
        let sealed = seal_system_save(&keys, 0x0001_0017, plain);
        let mut save = open_system_save(&keys, 0x0001_0017, sealed.clone()).unwrap();
        assert!(save.cmac_ok);
        assert_eq!(save.fs.read_path("config").unwrap(), b"system settings");
        assert!(
            !open_system_save(&keys, 0x0001_0018, sealed)
                .unwrap()
                .cmac_ok
        );
    }

    #[test]
    fn the_fixture_nand_save_opens_and_its_foreign_cmac_is_reported() {
        // ctr/nand-00000000.disa comes from another console: it opens, and
        // the fake keys do not verify its CMAC.
        let Some(keys) = fake_keys() else { return };
        let Some(bytes) = fixtures::read("ctr/nand-00000000.disa") else {
            return;
        };
        let mut save = open_system_save(&keys, 0, bytes).unwrap();
        assert!(!save.cmac_ok);
        assert_eq!(save.fs.read_path("SaveData.bin").unwrap().len(), 11_688);
    }
}
