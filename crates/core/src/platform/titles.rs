//! Installed titles and their SMDH (icon and names).
//!
//! The console lists the 64-bit title ids on a medium; each title's SMDH is
//! the 0x36C0-byte block parsed by `keepsake_format::smdh`.

use thiserror::Error;

use super::archive::MediaType;

/// Why the title list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TitleError {
    /// No title with that id on that medium.
    #[error("title {title_id:016X} is not installed on {media:?}")]
    NotInstalled {
        /// The title asked for.
        title_id: u64,
        /// Where it was looked for.
        media: MediaType,
    },
    /// The system refused or failed the request.
    #[error("listing titles failed: {0}")]
    Failed(String),
}

/// The console's title list.
pub trait TitleList {
    /// The ids of the titles on `media`, in the system's order.
    fn titles(&mut self, media: MediaType) -> Result<Vec<u64>, TitleError>;
    /// A title's SMDH bytes.
    fn smdh(&mut self, media: MediaType, title_id: u64) -> Result<Vec<u8>, TitleError>;
}

/// The title id's low 32 bits without the variation byte: the "unique id"
/// Checkpoint names folders after (`0x%05X`).
pub fn unique_id(title_id: u64) -> u32 {
    (title_id as u32) >> 8
}
