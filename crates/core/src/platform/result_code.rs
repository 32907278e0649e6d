//! The console's 32-bit result codes, decoded without the console.
//!
//! Layout (libctru `include/3ds/result.h`, `R_LEVEL`/`R_SUMMARY`/`R_MODULE`/
//! `R_DESCRIPTION`):
//!
//! ```text
//! bits 31..27  level        (5 bits; 25..=31 are failures)
//! bits 26..21  summary      (6 bits; 4 = not found, 5 = invalid state, ...)
//! bits 20..18  reserved
//! bits 17..10  module       (8 bits; 17 = FS, 32 = AM, ...)
//! bits  9..0   description  (10 bits; module-specific below 0x3E8)
//! ```
//!
//! The summary alone does not say what happened: opening the extdata of a
//! title that never made any answers 0xC8A04478, whose summary is "invalid
//! state" and whose description is FS's "not found"; a save that was never
//! formatted answers 0xC8A04554 (invalid state, description 340). So the
//! console's FS results are matched on module and description first
//! ([`ResultCode::meaning`]).

use std::fmt;

/// libctru `RM_FS`: the file-system service's module number.
pub const MODULE_FS: u8 = 17;
/// FS's own "not found" description, 0x78 (0xC8804478 on a missing SD file,
/// 0xC8A04478 on missing extdata).
pub const FS_NOT_FOUND: u16 = 120;
/// FS's "not formatted" description, 0x154 (0xC8A04554: a save archive that
/// exists but was never formatted, i.e. its game was never started).
pub const FS_NOT_FORMATTED: u16 = 340;
/// libctru `RD_NOT_FOUND` (`RD_INVALID_RESULT_VALUE - 5`), the generic one.
pub const GENERIC_NOT_FOUND: u16 = 0x3FA;
/// libctru `RD_NOT_AUTHORIZED` (`RD_INVALID_RESULT_VALUE - 21`).
pub const GENERIC_NOT_AUTHORIZED: u16 = 0x3EA;
/// libctru `RD_OUT_OF_MEMORY` (`RD_INVALID_RESULT_VALUE - 12`).
pub const GENERIC_OUT_OF_MEMORY: u16 = 0x3F3;
/// libctru `RS_NOTFOUND`.
const SUMMARY_NOT_FOUND: u8 = 4;
/// libctru `RS_OUTOFRESOURCE`.
const SUMMARY_OUT_OF_RESOURCE: u8 = 3;

/// A raw result code as a system call returned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResultCode(pub u32);

/// What a failed FS call means for the caller, decided on module and
/// description before the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsMeaning {
    /// The code is not a failure.
    Success,
    /// The archive, file or directory does not exist.
    NotFound,
    /// The save archive exists but was never formatted: its game was never
    /// started.
    NotFormatted,
    /// The caller lacks the rights (a `.3dsx` without the CIA's access).
    NotAuthorized,
    /// Space or handles ran out.
    OutOfResource,
    /// Anything else: reported with its code.
    Other,
}

impl ResultCode {
    /// Whether the code is a failure (libctru `R_FAILED`: negative as `s32`).
    pub fn is_failure(self) -> bool {
        (self.0 as i32) < 0
    }

    /// Bits 31..27.
    pub fn level(self) -> u8 {
        ((self.0 >> 27) & 0x1F) as u8
    }

    /// Bits 26..21.
    pub fn summary(self) -> u8 {
        ((self.0 >> 21) & 0x3F) as u8
    }

    /// Bits 17..10.
    pub fn module(self) -> u8 {
        ((self.0 >> 10) & 0xFF) as u8
    }

    /// Bits 9..0.
    pub fn description(self) -> u16 {
        (self.0 & 0x3FF) as u16
    }

    /// What the code means for an FS call.
    pub fn meaning(self) -> FsMeaning {
        if !self.is_failure() {
            return FsMeaning::Success;
        }
        let from_fs = self.module() == MODULE_FS;
        match self.description() {
            FS_NOT_FORMATTED if from_fs => FsMeaning::NotFormatted,
            FS_NOT_FOUND if from_fs => FsMeaning::NotFound,
            GENERIC_NOT_FOUND => FsMeaning::NotFound,
            GENERIC_NOT_AUTHORIZED => FsMeaning::NotAuthorized,
            GENERIC_OUT_OF_MEMORY => FsMeaning::OutOfResource,
            _ => match self.summary() {
                SUMMARY_NOT_FOUND => FsMeaning::NotFound,
                SUMMARY_OUT_OF_RESOURCE => FsMeaning::OutOfResource,
                _ => FsMeaning::Other,
            },
        }
    }

    /// The level's name (libctru `RL_*`).
    pub fn level_name(self) -> &'static str {
        match self.level() {
            0 => "success",
            1 => "info",
            25 => "status",
            26 => "temporary",
            27 => "permanent",
            28 => "usage",
            29 => "reinitialize",
            30 => "reset",
            31 => "fatal",
            _ => "unknown level",
        }
    }

    /// The summary's name (libctru `RS_*`).
    pub fn summary_name(self) -> &'static str {
        match self.summary() {
            0 => "success",
            1 => "nothing happened",
            2 => "would block",
            3 => "out of resource",
            4 => "not found",
            5 => "invalid state",
            6 => "not supported",
            7 => "invalid argument",
            8 => "wrong argument",
            9 => "canceled",
            10 => "status changed",
            11 => "internal",
            _ => "unknown summary",
        }
    }

    /// The module's name for the modules this app talks to (libctru `RM_*`).
    pub fn module_name(self) -> Option<&'static str> {
        Some(match self.module() {
            0 => "common",
            1 => "kernel",
            16 => "PXI",
            17 => "FS",
            25 => "SRV",
            32 => "AM",
            47 => "AM (low)",
            51 => "applet",
            59 => "card",
            61 => "SD card",
            77 => "card SPI",
            _ => return None,
        })
    }
}

impl fmt::Display for ResultCode {
    /// `0xC8A04554 (status, invalid state, FS, description 340: not formatted)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "0x{:08X} ({}, {}, ",
            self.0,
            self.level_name(),
            self.summary_name()
        )?;
        match self.module_name() {
            Some(name) => write!(f, "{name}, ")?,
            None => write!(f, "module {}, ", self.module())?,
        }
        write!(f, "description {}", self.description())?;
        match self.meaning() {
            FsMeaning::NotFormatted => f.write_str(": not formatted")?,
            FsMeaning::NotFound => f.write_str(": not found")?,
            FsMeaning::NotAuthorized => f.write_str(": not authorized")?,
            FsMeaning::Success | FsMeaning::OutOfResource | FsMeaning::Other => {}
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The fields below were worked out by hand from the hex digits, not
    // with this code: 0xC8A04554 = 1100 1|000 101|0 0000 0100 01|01 0101 0100:
    // level 11001 = 25, summary 000101 = 5, module 00010001 = 17,
    // description 01 0101 0100 = 0x154 = 340.
    #[test]
    fn an_unformatted_save_decodes_field_by_field() {
        let code = ResultCode(0xC8A0_4554);
        assert!(code.is_failure());
        assert_eq!(code.level(), 25);
        assert_eq!(code.summary(), 5);
        assert_eq!(code.module(), 17);
        assert_eq!(code.description(), 340);
        assert_eq!(code.meaning(), FsMeaning::NotFormatted);
        assert_eq!(
            code.to_string(),
            "0xC8A04554 (status, invalid state, FS, description 340: not formatted)"
        );
    }

    // 0xC8A04478 = 1100 1|000 101|0 0000 0100 01|00 0111 1000: level 25,
    // summary 5 (invalid state), module 17, description 0x78 = 120.
    #[test]
    fn missing_extdata_is_not_found_although_its_summary_is_invalid_state() {
        let code = ResultCode(0xC8A0_4478);
        assert_eq!(
            (
                code.level(),
                code.summary(),
                code.module(),
                code.description()
            ),
            (25, 5, 17, 120)
        );
        assert_eq!(code.summary_name(), "invalid state");
        // Matching on the summary alone (what the console did) misses it.
        assert_ne!(code.summary(), SUMMARY_NOT_FOUND);
        assert_eq!(code.meaning(), FsMeaning::NotFound);
    }

    #[test]
    fn the_same_description_from_another_module_is_not_fs_not_formatted() {
        // Level 25, summary 5, module 32 (AM), description 340.
        let code = ResultCode((25 << 27) | (5 << 21) | (32 << 10) | 340);
        assert_eq!(code.0, 0xC8A0_8154);
        assert_eq!(code.meaning(), FsMeaning::Other);
        assert_eq!(
            code.to_string(),
            "0xC8A08154 (status, invalid state, AM, description 340)"
        );
    }

    #[test]
    fn summaries_decide_only_when_the_description_says_nothing_known() {
        // A missing SD file: summary not found, FS description 120.
        assert_eq!(ResultCode(0xC880_4478).meaning(), FsMeaning::NotFound);
        // FS description 112 with summary not found (a missing file).
        assert_eq!(ResultCode(0xC880_4470).meaning(), FsMeaning::NotFound);
        // 0xD86044D2: summary 3 (out of resource), the archive is full.
        assert_eq!(ResultCode(0xD860_44D2).meaning(), FsMeaning::OutOfResource);
        // 0xD8E06406... is not FS; description 0x006, summary 7.
        assert_eq!(ResultCode(0xD8E0_6406).meaning(), FsMeaning::Other);
        assert_eq!(ResultCode(0).meaning(), FsMeaning::Success);
        assert!(!ResultCode(0).is_failure());
    }

    #[test]
    fn a_refusal_of_rights_is_recognised_whatever_the_module() {
        // libctru MAKERESULT(RL_PERMANENT, RS_NOTSUPPORTED, RM_FS, RD_NOT_AUTHORIZED)
        // = 27<<27 | 6<<21 | 17<<10 | 0x3EA, worked out by hand.
        let code = ResultCode(0xD8C0_47EA);
        assert_eq!(code.level_name(), "permanent");
        assert_eq!(code.description(), 0x3EA);
        assert_eq!(code.meaning(), FsMeaning::NotAuthorized);
    }
}
