//! Encryption and signing of 3DS saves.
//!
//! - [`cipher`]: AES-128-CTR over a cartridge's logical image, continuous or
//!   with the counter restarting every 0x200 bytes.
//! - [`xorpad`]: recovery of the repeating 512-byte keystream without a key.
//! - [`sign`]: the AES-CMAC at offset 0 of every DISA/DIFF image, computed over
//!   the SHA-256 of a digest block that names the save's kind and copies (or
//!   hashes) the 0x100-byte header at 0x100.

pub mod cipher;
pub mod sign;
pub mod xorpad;
