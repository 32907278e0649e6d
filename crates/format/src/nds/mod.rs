//! NDS cartridge saves: chips, containers, size analysis and conversion.
//!
//! A save is read with [`SaveFile::parse`], which tells the container from
//! the content (raw image, DeSmuME `.dsv`, Action Replay `.duc`, no$gba) and
//! gives the payload. [`analyze`] finds padding and mirroring in a payload
//! and the chips it fits without loss; [`convert`] writes it at a chip's
//! size as a raw image or a `.dsv`, refusing to drop data unless the loss is allowed;
//! [`auto_size`] picks the chip for `--size auto`.
//!
//! ```
//! use keepsake_format::nds::{self, ChipKind, OutputFormat};
//!
//! // A flashcart's 512 KiB save of a game with an 8 KiB EEPROM.
//! let mut flashcart = vec![0xFF; 512 * 1024];
//! flashcart[..4].copy_from_slice(b"SAVE");
//! flashcart[8191] = 0x42;
//!
//! let save = nds::SaveFile::parse(&flashcart).unwrap();
//! let analysis = nds::analyze(&save.payload);
//! assert_eq!(analysis.smallest_lossless(), Some(ChipKind::Eeprom8K));
//!
//! let cartridge = nds::convert(&save.payload, ChipKind::Eeprom8K, OutputFormat::Raw, false).unwrap();
//! assert_eq!(cartridge.len(), 8192);
//! assert!(nds::convert(&save.payload, ChipKind::Eeprom512B, OutputFormat::Raw, false).is_err());
//! ```

mod analysis;
mod chip;
mod container;
mod convert;
pub mod dsv;
pub mod duc;
pub mod nocash;
pub mod raw;

pub use analysis::{
    ChipFit, Fit, LostBytes, Padding, SizeAnalysis, analyze, lost_bytes, trailing_padding,
};
pub use chip::{ChipKind, ParseChipError, format_size};
pub use container::{Container, ParseError, SaveFile, StatedSize};
pub use convert::{
    AutoSize, AutoSizeError, ConvertError, OutputFormat, auto_size, convert, resize,
    resize_onto_chip,
};
pub use dsv::{DsvError, DsvFooter};
pub use duc::{ActionReplayHeader, ActionReplayVariant, DucError};
pub use nocash::{NoCashCompression, NoCashError, NoCashHeader};
pub use raw::RawError;
