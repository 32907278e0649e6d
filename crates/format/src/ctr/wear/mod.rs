//! CARD1 wear leveling: the layer between a 3DS cartridge's save flash and
//! the logical (still encrypted) save image.
//!
//! Physical sector 0 holds two counters, a block map that places each
//! virtual block in a physical sector, the map's CRC-16 and a journal of
//! block rewrites not yet folded into the map ([`geometry`] has the offsets
//! per chip size). [`decode()`] replays all of it into the logical image with
//! a [`Report`] of every check; [`encode()`] writes a logical image back.

pub mod crc16;
pub mod decode;
pub mod encode;
pub mod error;
pub mod geometry;
pub mod journal;
pub mod layout;
pub mod map;
pub mod report;

pub use decode::{Decoded, decode, decode_strict};
pub use encode::{encode, encode_fresh};
pub use error::WearError;
pub use geometry::{FlashSize, Geometry, Version};
pub use layout::Layout;
pub use report::{Check, Finding, Report, Untrusted};

#[cfg(test)]
mod tests;
