//! Saves and extdata on a 3DS's SD card, opened with the console's keys.
//!
//! The card holds `Nintendo 3DS/<ID0>/<ID1>/`, where ID0 comes from the
//! console's movable.sed ([`crate::ctr::keys::id0`]) and ID1 from the card's
//! CID. Below ID1 every file is encrypted with the SD key under its own
//! counter ([`crate::ctr::keys::sd_counter`]):
//!
//! - `title/<high>/<low>/data/00000001.sav`: a title's save, a DISA image
//!   signed `CTR-SIGN` with the title id;
//! - `extdata/<high>/<low>/<dir>/<file>`: an extdata archive's device files,
//!   each a DIFF image signed `CTR-EXT0` ([`crate::ctr::vsxe`]).
//!
//! [`paths`] names these files, [`card`] finds the console's folder on a
//! card, [`save`] opens a title's save and [`extdata`] an extdata archive;
//! [`import`] makes a save hold exactly a given tree; [`title_db`] lists
//! the installed titles. Reading folders and files is the
//! caller's business: this module works on names and bytes.

pub mod card;
pub mod extdata;
pub mod import;
pub mod paths;
pub mod save;
pub mod title_db;

use thiserror::Error;

use super::container::ContainerError;
use super::savefs::SaveFsError;
use super::vsxe::VsxeError;

/// Why an SD card's archive could not be found or opened. (Inner errors
/// are boxed to keep the `Result`s small.)
#[derive(Debug, Error)]
pub enum SdError {
    #[error(
        "{place} has no folder for these keys: they give ID0 {expected}, but \
         '{folder}' holds {}; use the boot9.bin and movable.sed of the console \
         it belongs to", found_list(.found)
    )]
    WrongId0 {
        /// "the SD card" or "the NAND dump".
        place: &'static str,
        /// The folder that holds the ID0 folders.
        folder: &'static str,
        expected: String,
        found: Vec<String>,
    },
    #[error("Nintendo 3DS/{id0} holds no ID1 folder (a 32-hex-digit folder made by the console)")]
    NoId1 { id0: String },
    #[error(
        "Nintendo 3DS/{id0} holds several ID1 folders ({}); the card was used with \
         several SD cards' identities", .found.join(", ")
    )]
    SeveralId1 { id0: String, found: Vec<String> },
    #[error("{path}: {error}")]
    Container {
        path: String,
        error: Box<ContainerError>,
    },
    #[error("{path}: {error}")]
    Filesystem {
        path: String,
        error: Box<SaveFsError>,
    },
    #[error("{path}: {error}")]
    Extdata { path: String, error: Box<VsxeError> },
}

fn found_list(found: &[String]) -> String {
    if found.is_empty() {
        "no ID0 folder".to_string()
    } else {
        found.join(", ")
    }
}
