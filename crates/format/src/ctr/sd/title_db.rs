//! The SD card's title databases, `dbs/title.db` and `dbs/import.db` below
//! ID1: encrypted like every SD file, signed over a `CTR-9DB0` digest block
//! ([`crate::ctr::bdri`]).

use thiserror::Error;

use crate::ctr::bdri::title_info::TitleInfo;
use crate::ctr::bdri::{BdriError, DbKind, titles};
use crate::ctr::container::ContainerError;
use crate::ctr::crypto::sign::{SignatureKind, verify_image};
use crate::ctr::diff;
use crate::ctr::keys::ConsoleKeys;

#[derive(Debug, Error)]
pub enum TitleDbError {
    #[error("{path}: {error}")]
    Container {
        path: String,
        error: Box<ContainerError>,
    },
    #[error("{path}: {error}")]
    Database { path: String, error: Box<BdriError> },
}

/// Components of a database file below ID1.
pub fn db_file(kind: DbKind) -> Vec<String> {
    let name = match kind {
        DbKind::SdImport | DbKind::NandImport => "import.db",
        DbKind::SdTitle | DbKind::NandTitle => "title.db",
    };
    vec!["dbs".into(), name.into()]
}

/// The titles an SD database lists, from its encrypted bytes, and whether
/// its CMAC is good.
pub fn read(
    keys: &ConsoleKeys,
    kind: DbKind,
    mut bytes: Vec<u8>,
) -> Result<(Vec<TitleInfo>, bool), TitleDbError> {
    let components = db_file(kind);
    let path = components.join("/");
    keys.crypt_sd_file(&components, &mut bytes);
    let signature = SignatureKind::TitleDatabase {
        database_id: kind.database_id(),
    };
    let cmac_ok = verify_image(keys.sign_key().expose(), &signature, &bytes).unwrap_or(false);
    let db = diff::open(bytes).map_err(|error| TitleDbError::Container {
        path: path.clone(),
        error: Box::new(error),
    })?;
    let list = titles(db, kind).map_err(|error| TitleDbError::Database {
        path,
        error: Box::new(error),
    })?;
    Ok((list, cmac_ok))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::bdri::sample;
    use crate::ctr::crypto::sign::sign_image;
    use keepsake_testkit::fixtures;

    #[test]
    fn an_encrypted_signed_title_db_is_listed_with_a_good_cmac() {
        let Some(boot9) = fixtures::read("ctr/save3ds/fake-boot9.bin") else {
            return;
        };
        let Some(movable) = fixtures::read("ctr/save3ds/fake-movable.sed") else {
            return;
        };
        let keys = ConsoleKeys::derive(&boot9, &movable).unwrap();
        let mut image = sample(
            DbKind::SdTitle,
            &[(0x0004_0000_000a_bc00, 0x4000, 2)],
            false,
        );
        sign_image(
            keys.sign_key().expose(),
            &SignatureKind::TitleDatabase { database_id: 2 },
            &mut image,
        )
        .unwrap();
        keys.crypt_sd_file(&["dbs", "title.db"], &mut image);
        let (list, ok) = read(&keys, DbKind::SdTitle, image.clone()).unwrap();
        assert!(ok);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].title_id, 0x0004_0000_000a_bc00);
        assert_eq!(list[0].version, 2);
        // Read as import.db, the signature (database id 3) does not match,
        // and the path's counter differs, so it does not even decrypt.
        assert!(read(&keys, DbKind::SdImport, image).is_err());
    }
}
