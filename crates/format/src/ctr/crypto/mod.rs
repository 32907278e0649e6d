//! Encryption and signing of 3DS saves.
//!
//! - [`sign`]: the AES-CMAC at offset 0 of every DISA/DIFF image, computed over
//!   the SHA-256 of a digest block that names the save's kind and copies (or
//!   hashes) the 0x100-byte header at 0x100.

pub mod sign;
