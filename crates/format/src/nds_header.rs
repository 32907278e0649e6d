//! The NDS cartridge ROM header, as far as a save manager needs it.
//!
//! Layout (little-endian, 0x200 bytes; only these fields are read):
//! - 0x000, 12 bytes: game title, ASCII, padded with NULs
//! - 0x00C, 4 bytes: game code, ASCII (`AXXE`; first letter `I` marks an
//!   infrared cartridge, the last the region)
//! - 0x010, 2 bytes: maker code, ASCII
//! - 0x012, 1 byte: unit code (0 NDS, 2 NDS+DSi, 3 DSi only)
//! - 0x068, u32: banner offset in the ROM (0 when there is none)
//! - 0x15E, u16: CRC-16 (MODBUS: reflected 0xA001, initial 0xFFFF) of
//!   bytes 0x000..0x15E

use thiserror::Error;

/// The part of the header covered by its CRC.
pub const CRC_COVERED: usize = 0x15E;
/// The smallest buffer this view accepts: up to and including the CRC.
pub const MIN_LEN: usize = 0x160;

/// Why a header was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NdsHeaderError {
    /// Too short to hold the fields read.
    #[error("NDS ROM header is {len} bytes, at least {MIN_LEN} (0x160) expected")]
    TooShort {
        /// The length given.
        len: usize,
    },
    /// The stored CRC does not match the bytes.
    #[error(
        "NDS ROM header CRC at 0x15E is {stored:#06x}, the header's bytes give {computed:#06x}"
    )]
    BadCrc {
        /// The CRC stored at 0x15E.
        stored: u16,
        /// The CRC of bytes 0x000..0x15E.
        computed: u16,
    },
    /// The game code is not four printable ASCII characters.
    #[error("NDS game code at 0x0C is not 4 printable ASCII characters: {} (hex)", crate::text::hex_bytes(.0))]
    BadGameCode([u8; 4]),
}

/// CRC-16/MODBUS, the checksum of the NDS header.
pub fn header_crc(bytes: &[u8]) -> u16 {
    crate::crc16::crc16_modbus(bytes)
}

/// A validated view of an NDS ROM header.
#[derive(Debug, Clone, Copy)]
pub struct NdsHeader<'a> {
    bytes: &'a [u8],
}

impl<'a> NdsHeader<'a> {
    /// Checks the length, the CRC and the game code.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, NdsHeaderError> {
        if bytes.len() < MIN_LEN {
            return Err(NdsHeaderError::TooShort { len: bytes.len() });
        }
        let stored = u16::from_le_bytes([bytes[0x15E], bytes[0x15F]]);
        let computed = header_crc(&bytes[..CRC_COVERED]);
        if stored != computed {
            return Err(NdsHeaderError::BadCrc { stored, computed });
        }
        let code: [u8; 4] = bytes[0x0C..0x10].try_into().expect("4 bytes");
        if !code.iter().all(|b| b.is_ascii_graphic()) {
            return Err(NdsHeaderError::BadGameCode(code));
        }
        Ok(Self { bytes })
    }

    /// The title, NULs and trailing spaces removed; non-ASCII bytes become
    /// `?`.
    pub fn title(&self) -> String {
        self.bytes[..12]
            .iter()
            .take_while(|&&b| b != 0)
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '?'
                }
            })
            .collect::<String>()
            .trim_end()
            .to_owned()
    }

    /// The four-letter game code.
    pub fn game_code(&self) -> &'a str {
        std::str::from_utf8(&self.bytes[0x0C..0x10]).expect("checked ASCII in parse")
    }

    /// The two-letter maker code (raw bytes; not checked).
    pub fn maker_code(&self) -> [u8; 2] {
        [self.bytes[0x10], self.bytes[0x11]]
    }

    /// The unit code (0 NDS, 2 NDS+DSi, 3 DSi only).
    pub fn unit_code(&self) -> u8 {
        self.bytes[0x12]
    }

    /// The banner's offset in the ROM, 0 when there is none.
    pub fn banner_offset(&self) -> u32 {
        u32::from_le_bytes(self.bytes[0x68..0x6C].try_into().expect("4 bytes"))
    }

    /// An infrared cartridge: its game code starts with `I`.
    pub fn is_infrared(&self) -> bool {
        self.game_code().starts_with('I')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(title: &[u8], code: &[u8]) -> Vec<u8> {
        let mut h = vec![0u8; 0x200];
        h[..title.len()].copy_from_slice(title);
        h[0x0C..0x10].copy_from_slice(code);
        h[0x68..0x6C].copy_from_slice(&0x0012_3400u32.to_le_bytes());
        let crc = header_crc(&h[..CRC_COVERED]);
        h[0x15E..0x160].copy_from_slice(&crc.to_le_bytes());
        h
    }

    #[test]
    fn crc16_modbus_matches_the_reference_check_value() {
        // The catalogue check value of CRC-16/MODBUS over "123456789".
        assert_eq!(header_crc(b"123456789"), 0x4B37);
    }

    #[test]
    fn fields_are_read_from_their_offsets() {
        let h = header(b"SONICRUSH", b"ASNE");
        let v = NdsHeader::parse(&h).unwrap();
        assert_eq!(v.title(), "SONICRUSH");
        assert_eq!(v.game_code(), "ASNE");
        assert_eq!(v.banner_offset(), 0x0012_3400);
        assert!(!v.is_infrared());
        assert!(
            NdsHeader::parse(&header(b"POKEMON HG", b"IPKE"))
                .unwrap()
                .is_infrared()
        );
    }

    #[test]
    fn damage_is_reported_with_its_place() {
        let mut h = header(b"X", b"ABCD");
        assert_eq!(
            NdsHeader::parse(&h[..0x100]).unwrap_err(),
            NdsHeaderError::TooShort { len: 0x100 }
        );
        h[3] ^= 1;
        assert!(matches!(
            NdsHeader::parse(&h),
            Err(NdsHeaderError::BadCrc { .. })
        ));
        let h = header(b"X", b"AB\0D");
        assert_eq!(
            NdsHeader::parse(&h).unwrap_err(),
            NdsHeaderError::BadGameCode(*b"AB\0D")
        );
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use keepsake_testkit::rand::{Rng, RngCore};
    use keepsake_testkit::rng;

    /// Thousands of random and mutated headers: never a panic, and every
    /// accepted header has a matching CRC.
    #[test]
    fn random_and_mutated_headers_never_panic() {
        let mut rng = rng::for_test("nds header robustness");
        let mut valid = vec![0u8; 0x200];
        valid[..9].copy_from_slice(b"SONICRUSH");
        valid[0x0C..0x10].copy_from_slice(b"ASNE");
        let crc = header_crc(&valid[..CRC_COVERED]);
        valid[0x15E..0x160].copy_from_slice(&crc.to_le_bytes());
        let mut accepted = 0;
        for i in 0..5000 {
            let bytes = if i % 2 == 0 {
                let mut b = vec![0; rng.random_range(0..0x300)];
                rng.fill_bytes(&mut b);
                b
            } else {
                let mut b = valid.clone();
                for _ in 0..rng.random_range(1..4) {
                    let at = rng.random_range(0..b.len());
                    b[at] = rng.random();
                }
                b.truncate(rng.random_range(0..=b.len()));
                b
            };
            if let Ok(h) = NdsHeader::parse(&bytes) {
                accepted += 1;
                assert_eq!(
                    header_crc(&bytes[..CRC_COVERED]),
                    u16::from_le_bytes([bytes[0x15E], bytes[0x15F]])
                );
                let _ = (h.title(), h.game_code(), h.banner_offset());
            }
        }
        // Mutations that miss the checked fields (or restore them) pass.
        assert!(accepted > 0);
    }
}
