//! The NDS save chip driver: detection, reading and safe writing over the
//! card slot's SPI bus (see [`crate::platform::SpiBus`]).
//!
//! [`detect`] finds which chip a card carries ([`Detector`] and
//! [`Identifying`] do it a bounded step at a time, for the UI); a [`SaveChip`] then reads it
//! in large chunks and writes it one write unit at a time (a page, or a
//! 64 KiB sector on the 8 MiB flash, which has no page write), waiting for
//! the chip between commands and checking the write-enable latch took.
//! [`differing_units`] picks the units whose bytes differ, so a restore
//! writes only what changed.
//!
//! The reference for every command and sequence is the proven tools'
//! source: Checkpoint 3.13+ (BernardoGiordano/Checkpoint, 3ds/source/spi.cpp)
//! and TWLSaveTool (TuxSH/TWLSaveTool, source/SPI.cpp, include/SPI.h), with
//! GBATEK and the parts' datasheets; each constant names its own source.
//! "Checkpoint and TWLSaveTool spi.cpp" means both files, which share these
//! functions (Checkpoint's descends from TWLSaveTool's).
//! Where the sources disagree, the comment says so and the proven tool is
//! followed.

mod chip;
mod detect;
mod diff;
mod error;
mod inserted;
mod protocol;

pub use chip::SaveChip;
pub use detect::{
    DETECT_READ_CHUNK, DetectStep, Detection, Detector, KNOWN_FLASH_IDS, detect, flash_kind,
};
pub use diff::differing_units;
pub use error::NdsCardError;
pub use inserted::{IdentifyError, Identifying, InsertedNds, identify};
pub use protocol::{Bus, opcode};

#[cfg(test)]
mod robustness;
#[cfg(test)]
mod tests;
