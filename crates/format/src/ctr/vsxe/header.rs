//! The VSXE header at the start of an extdata archive's metadata payload.
//!
//! 0x138 bytes, little-endian (save3ds libsave3ds/src/ext_data.rs
//! `ExtHeader`): magic `VSXE` (0x00), version 0x30000 (0x04), offset of the
//! filesystem information (u64, 0x08; 0x138 on images the console or
//! save3ds made), image size in blocks (u64, 0x10), block size (u32, 0x18),
//! padding, then fields the console uses to remember its last action on a
//! file (u64 0x20, action u32 0x28, u32 0x2C, mount id u32 0x30, u32 0x34)
//! and the path it last mounted (0x100 bytes at 0x38). Only the magic and
//! the filesystem information's place matter for reading.

use super::VsxeError;
use crate::storage::{le_u32, le_u64};

/// Length of the header.
pub const VSXE_HEADER_LEN: usize = 0x138;

/// What the header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VsxeHeader {
    pub fs_info_offset: u64,
    pub image_blocks: u64,
    pub block_len: u32,
}

impl VsxeHeader {
    pub fn parse(h: &[u8; VSXE_HEADER_LEN]) -> Result<Self, VsxeError> {
        let magic: [u8; 4] = h[0..4].try_into().expect("4 bytes");
        let version = le_u32(h, 4);
        if &magic != b"VSXE" || version != 0x30000 {
            return Err(VsxeError::BadMagic {
                found: magic,
                version,
            });
        }
        Ok(VsxeHeader {
            fs_info_offset: le_u64(h, 0x08),
            image_blocks: le_u64(h, 0x10),
            block_len: le_u32(h, 0x18),
        })
    }

    /// A fresh header, as a newly created archive carries it.
    pub fn to_bytes(&self) -> [u8; VSXE_HEADER_LEN] {
        let mut h = [0u8; VSXE_HEADER_LEN];
        h[0..4].copy_from_slice(b"VSXE");
        h[4..8].copy_from_slice(&0x30000u32.to_le_bytes());
        h[8..0x10].copy_from_slice(&self.fs_info_offset.to_le_bytes());
        h[0x10..0x18].copy_from_slice(&self.image_blocks.to_le_bytes());
        h[0x18..0x1C].copy_from_slice(&self.block_len.to_le_bytes());
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_writes_and_refuses_another_magic() {
        let header = VsxeHeader {
            fs_info_offset: 0x138,
            image_blocks: 7,
            block_len: 0x1000,
        };
        let bytes = header.to_bytes();
        // Hand-written positions.
        assert_eq!(&bytes[..8], b"VSXE\x00\x00\x03\x00");
        assert_eq!(bytes[8], 0x38);
        assert_eq!(bytes[9], 0x01);
        assert_eq!(bytes[0x10], 7);
        assert_eq!(bytes[0x19], 0x10);
        assert_eq!(VsxeHeader::parse(&bytes).unwrap(), header);
        let mut save = bytes;
        save[..4].copy_from_slice(b"SAVE");
        let err = VsxeHeader::parse(&save).unwrap_err();
        assert_eq!(
            err.to_string(),
            "extdata metadata: expected magic \"VSXE\" version 0x30000, found \"SAVE\" version 0x30000"
        );
    }
}
