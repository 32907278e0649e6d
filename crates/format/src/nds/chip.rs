//! The save chips of NDS cartridges.
//!
//! A cartridge keeps its save on an SPI chip of one of eight kinds. Each
//! kind has a capacity, a page size (the most one write command may program
//! before the address wraps inside the page) and an address width (how many
//! address bytes follow a read or write command):
//!
//! | kind            | capacity | page | address bytes |
//! |-----------------|---------:|-----:|--------------:|
//! | EEPROM 4 Kbit   |    512 B |   16 | 1 (the 9th bit rides in the command) |
//! | EEPROM 64 Kbit  |    8 KiB |   32 | 2 |
//! | EEPROM 512 Kbit |   64 KiB |  128 | 2 |
//! | EEPROM 1 Mbit   |  128 KiB |  256 | 3 |
//! | FLASH 2 Mbit    |  256 KiB |  256 | 3 |
//! | FLASH 4 Mbit    |  512 KiB |  256 | 3 |
//! | FLASH 8 Mbit    |    1 MiB |  256 | 3 |
//! | FLASH 64 Mbit   |    8 MiB |  256 | 3 |
//!
//! Capacities are distinct, so a capacity names its chip kind.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use thiserror::Error;

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// One kind of NDS save chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ChipKind {
    /// EEPROM, 4 Kbit (512 bytes).
    Eeprom512B,
    /// EEPROM, 64 Kbit (8 KiB).
    Eeprom8K,
    /// EEPROM, 512 Kbit (64 KiB).
    Eeprom64K,
    /// EEPROM, 1 Mbit (128 KiB).
    Eeprom128K,
    /// FLASH, 2 Mbit (256 KiB).
    Flash256K,
    /// FLASH, 4 Mbit (512 KiB).
    Flash512K,
    /// FLASH, 8 Mbit (1 MiB).
    Flash1M,
    /// FLASH, 64 Mbit (8 MiB).
    Flash8M,
}

impl ChipKind {
    /// Every chip kind, smallest capacity first.
    pub const ALL: [ChipKind; 8] = [
        ChipKind::Eeprom512B,
        ChipKind::Eeprom8K,
        ChipKind::Eeprom64K,
        ChipKind::Eeprom128K,
        ChipKind::Flash256K,
        ChipKind::Flash512K,
        ChipKind::Flash1M,
        ChipKind::Flash8M,
    ];

    /// The smallest chip's capacity: no save is shorter.
    pub const SMALLEST_CAPACITY: usize = 512;
    /// The largest chip's capacity: no save is longer.
    pub const LARGEST_CAPACITY: usize = 8 * MIB;

    /// The chip's size in bytes.
    pub const fn capacity(self) -> usize {
        match self {
            ChipKind::Eeprom512B => 512,
            ChipKind::Eeprom8K => 8 * KIB,
            ChipKind::Eeprom64K => 64 * KIB,
            ChipKind::Eeprom128K => 128 * KIB,
            ChipKind::Flash256K => 256 * KIB,
            ChipKind::Flash512K => 512 * KIB,
            ChipKind::Flash1M => MIB,
            ChipKind::Flash8M => 8 * MIB,
        }
    }

    /// The largest write one page-program command may carry, in bytes.
    pub const fn page_size(self) -> usize {
        match self {
            ChipKind::Eeprom512B => 16,
            ChipKind::Eeprom8K => 32,
            ChipKind::Eeprom64K => 128,
            _ => 256,
        }
    }

    /// How many address bytes follow a read or write command. The 512-byte
    /// EEPROM sends one and carries address bit 8 in the command byte itself.
    pub const fn address_bytes(self) -> usize {
        match self {
            ChipKind::Eeprom512B => 1,
            ChipKind::Eeprom8K | ChipKind::Eeprom64K => 2,
            _ => 3,
        }
    }

    /// FLASH chips must be erased before they are written; EEPROMs need not.
    pub const fn is_flash(self) -> bool {
        matches!(
            self,
            ChipKind::Flash256K | ChipKind::Flash512K | ChipKind::Flash1M | ChipKind::Flash8M
        )
    }

    /// The chip kind whose capacity is exactly `bytes`.
    pub fn from_capacity(bytes: usize) -> Option<ChipKind> {
        ChipKind::ALL.into_iter().find(|c| c.capacity() == bytes)
    }

    /// The smallest chip that holds `bytes` bytes.
    pub fn smallest_holding(bytes: usize) -> Option<ChipKind> {
        ChipKind::ALL.into_iter().find(|c| c.capacity() >= bytes)
    }

    /// A short name for people: `EEPROM 8 KiB`, `FLASH 512 KiB`.
    pub fn label(self) -> String {
        let kind = if self.is_flash() { "FLASH" } else { "EEPROM" };
        format!("{kind} {}", format_size(self.capacity()))
    }
}

impl fmt::Display for ChipKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A size for people: `512 B`, `8 KiB`, `1 MiB`, or bytes when it is not a
/// whole number of KiB.
pub fn format_size(bytes: usize) -> String {
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes % KIB == 0 {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} B")
    }
}

/// A chip size given on a command line or in a setting was not understood.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseChipError {
    #[error("`{0}` is not a size; write it like 512, 8K, 64KiB, 512K or 8M")]
    NotASize(String),
    #[error(
        "no NDS save chip holds exactly {} ({bytes} bytes); chips hold 512 B, 8 KiB, 64 KiB, 128 KiB, 256 KiB, 512 KiB, 1 MiB or 8 MiB",
        format_size(*.bytes)
    )]
    NoSuchChip { bytes: usize },
}

/// Parses a capacity such as `512`, `8K`, `8KiB`, `64kb`, `512K`, `1M` or
/// `8MiB` (K and M are binary: 1024 and 1024²) into the chip of that size.
impl FromStr for ChipKind {
    type Err = ParseChipError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let not_a_size = || ParseChipError::NotASize(text.to_string());
        let lower = text.trim().to_ascii_lowercase();
        let digits_end = lower
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(lower.len());
        let (number, unit) = lower.split_at(digits_end);
        let number: usize = number.parse().map_err(|_| not_a_size())?;
        let multiplier = match unit.trim() {
            "" | "b" => 1,
            "k" | "kb" | "kib" => KIB,
            "m" | "mb" | "mib" => MIB,
            _ => return Err(not_a_size()),
        };
        let bytes = number.checked_mul(multiplier).ok_or_else(not_a_size)?;
        ChipKind::from_capacity(bytes).ok_or(ParseChipError::NoSuchChip { bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_are_distinct_powers_of_two_in_increasing_order() {
        let caps: Vec<usize> = ChipKind::ALL.iter().map(|c| c.capacity()).collect();
        assert_eq!(
            caps,
            [512, 8192, 65536, 131072, 262144, 524288, 1048576, 8388608]
        );
        assert_eq!(caps[0], ChipKind::SMALLEST_CAPACITY);
        assert_eq!(caps[7], ChipKind::LARGEST_CAPACITY);
    }

    #[test]
    fn spi_parameters_match_the_chip_datasheets() {
        use ChipKind::*;
        let table: Vec<(ChipKind, usize, usize, bool)> = ChipKind::ALL
            .iter()
            .map(|&c| (c, c.page_size(), c.address_bytes(), c.is_flash()))
            .collect();
        assert_eq!(
            table,
            [
                (Eeprom512B, 16, 1, false),
                (Eeprom8K, 32, 2, false),
                (Eeprom64K, 128, 2, false),
                (Eeprom128K, 256, 3, false),
                (Flash256K, 256, 3, true),
                (Flash512K, 256, 3, true),
                (Flash1M, 256, 3, true),
                (Flash8M, 256, 3, true),
            ]
        );
        for chip in ChipKind::ALL {
            // A page never crosses the end of the chip.
            assert_eq!(chip.capacity() % chip.page_size(), 0, "{chip}");
        }
    }

    #[test]
    fn sizes_parse_in_the_usual_spellings() {
        assert_eq!("512".parse(), Ok(ChipKind::Eeprom512B));
        assert_eq!("8K".parse(), Ok(ChipKind::Eeprom8K));
        assert_eq!("8kib".parse(), Ok(ChipKind::Eeprom8K));
        assert_eq!(" 64KB ".parse(), Ok(ChipKind::Eeprom64K));
        assert_eq!("128K".parse(), Ok(ChipKind::Eeprom128K));
        assert_eq!("512K".parse(), Ok(ChipKind::Flash512K));
        assert_eq!("1M".parse(), Ok(ChipKind::Flash1M));
        assert_eq!("8MiB".parse(), Ok(ChipKind::Flash8M));
        assert_eq!(
            "32K".parse::<ChipKind>(),
            Err(ParseChipError::NoSuchChip { bytes: 32768 })
        );
        assert!(matches!(
            "eight".parse::<ChipKind>(),
            Err(ParseChipError::NotASize(_))
        ));
        assert!(matches!(
            "99999999999999999999M".parse::<ChipKind>(),
            Err(ParseChipError::NotASize(_))
        ));
    }

    #[test]
    fn labels_name_kind_and_size() {
        assert_eq!(ChipKind::Eeprom512B.to_string(), "EEPROM 512 B");
        assert_eq!(ChipKind::Eeprom8K.to_string(), "EEPROM 8 KiB");
        assert_eq!(ChipKind::Flash1M.to_string(), "FLASH 1 MiB");
        assert_eq!(format_size(8314), "8314 B");
    }

    #[test]
    fn smallest_holding_rounds_up_to_a_chip() {
        assert_eq!(ChipKind::smallest_holding(1), Some(ChipKind::Eeprom512B));
        assert_eq!(ChipKind::smallest_holding(8193), Some(ChipKind::Eeprom64K));
        assert_eq!(ChipKind::smallest_holding(8 * MIB + 1), None);
    }
}
