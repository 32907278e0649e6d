//! One title's entry in a title database: the first bytes of the 0x80-byte
//! "title info" a BDRI file holds (3dbrew "Title Database"): title size
//! (u64 at 0x00), title type from the TMD (u32 at 0x08), title version (u16
//! at 0x0C). The rest is not needed to list titles.

use crate::storage::{le_u32, le_u64};

/// Bytes of a title info entry that are read.
pub const READ_LEN: usize = 0x10;

/// What a title database says of one title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TitleInfo {
    pub title_id: u64,
    pub size: u64,
    pub title_type: u32,
    pub version: u16,
}

impl TitleInfo {
    /// Parses the start of a title info entry; missing bytes read as zero
    /// (a database may end inside its last block).
    pub fn parse(title_id: u64, bytes: &[u8]) -> Self {
        let mut b = [0u8; READ_LEN];
        let n = bytes.len().min(READ_LEN);
        b[..n].copy_from_slice(&bytes[..n]);
        TitleInfo {
            title_id,
            size: le_u64(&b, 0),
            title_type: le_u32(&b, 8),
            version: u16::from_le_bytes([b[0x0C], b[0x0D]]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_at_their_offsets_and_short_input_reads_as_zero() {
        let mut b = [0u8; 0x80];
        b[0] = 0x00;
        b[1] = 0x10; // size 0x1000
        b[8] = 0x40; // type 0x40
        b[0x0C] = 0x10;
        b[0x0D] = 0x04; // version 0x0410
        let info = TitleInfo::parse(7, &b);
        assert_eq!(
            info,
            TitleInfo {
                title_id: 7,
                size: 0x1000,
                title_type: 0x40,
                version: 0x0410
            }
        );
        assert_eq!(TitleInfo::parse(7, &b[..9]).version, 0);
        assert_eq!(TitleInfo::parse(7, &b[..9]).title_type, 0x40);
    }
}
