//! SMDH: a 3DS title's names and icons.
//!
//! Layout (little-endian, 0x36C0 bytes):
//! - 0x0000, 4 bytes: magic `SMDH`; 0x0004 u16 version; 0x0006 reserved
//! - 0x0008: 16 application titles of 0x200 bytes, one per language
//!   ([`Language`]), each: short description 0x80 bytes (64 UTF-16 units),
//!   long description 0x100 bytes (128 units), publisher 0x80 bytes (64
//!   units), all NUL-padded UTF-16LE
//! - 0x2008: application settings (0x30 bytes); 0x2038: reserved (8 bytes)
//! - 0x2040: small icon, 24x24 RGB565 in 8x8 tiles (0x480 bytes)
//! - 0x24C0: large icon, 48x48 RGB565 in 8x8 tiles (0x1200 bytes)

use thiserror::Error;

/// The size of an SMDH.
pub const SMDH_LEN: usize = 0x36C0;
const TITLES_AT: usize = 0x0008;
const TITLE_LEN: usize = 0x200;
const SMALL_ICON_AT: usize = 0x2040;
const SMALL_ICON_LEN: usize = 24 * 24 * 2;
const LARGE_ICON_AT: usize = 0x24C0;
const LARGE_ICON_LEN: usize = 48 * 48 * 2;

/// The title languages, in their order in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Language {
    /// Japanese.
    Japanese = 0,
    /// English.
    English = 1,
    /// French.
    French = 2,
    /// German.
    German = 3,
    /// Italian.
    Italian = 4,
    /// Spanish.
    Spanish = 5,
    /// Simplified Chinese.
    SimplifiedChinese = 6,
    /// Korean.
    Korean = 7,
    /// Dutch.
    Dutch = 8,
    /// Portuguese.
    Portuguese = 9,
    /// Russian.
    Russian = 10,
    /// Traditional Chinese.
    TraditionalChinese = 11,
}

/// Why an SMDH was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SmdhError {
    /// Too short.
    #[error("SMDH is {len} bytes, {SMDH_LEN} (0x36C0) expected")]
    TooShort {
        /// The length given.
        len: usize,
    },
    /// Wrong magic.
    #[error("SMDH magic at 0x0 is {} (hex), expected \"SMDH\"", crate::text::hex_bytes(.found))]
    BadMagic {
        /// The bytes found.
        found: [u8; 4],
    },
}

/// One language's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Titles {
    /// Short description (the name shown under the icon).
    pub short: String,
    /// Long description.
    pub long: String,
    /// Publisher.
    pub publisher: String,
}

/// A validated view of an SMDH.
#[derive(Debug, Clone, Copy)]
pub struct Smdh<'a> {
    bytes: &'a [u8],
}

fn utf16_field(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

impl<'a> Smdh<'a> {
    /// Checks the length and the magic.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, SmdhError> {
        if bytes.len() < SMDH_LEN {
            return Err(SmdhError::TooShort { len: bytes.len() });
        }
        let found: [u8; 4] = bytes[..4].try_into().expect("4 bytes");
        if &found != b"SMDH" {
            return Err(SmdhError::BadMagic { found });
        }
        Ok(Self {
            bytes: &bytes[..SMDH_LEN],
        })
    }

    /// The format version at 0x4.
    pub fn version(&self) -> u16 {
        u16::from_le_bytes([self.bytes[4], self.bytes[5]])
    }

    /// The names in `language` (possibly empty strings).
    pub fn titles(&self, language: Language) -> Titles {
        let at = TITLES_AT + language as usize * TITLE_LEN;
        let t = &self.bytes[at..at + TITLE_LEN];
        Titles {
            short: utf16_field(&t[..0x80]),
            long: utf16_field(&t[0x80..0x180]),
            publisher: utf16_field(&t[0x180..0x200]),
        }
    }

    /// The short title in `language`, else in English, else the first
    /// language that has one; empty when none has.
    pub fn short_title(&self, language: Language) -> String {
        let wanted = self.titles(language).short;
        if !wanted.is_empty() {
            return wanted;
        }
        let english = self.titles(Language::English).short;
        if !english.is_empty() {
            return english;
        }
        (0..12)
            .map(|i| {
                let at = TITLES_AT + i * TITLE_LEN;
                utf16_field(&self.bytes[at..at + 0x80])
            })
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    }

    /// The 24x24 icon's raw RGB565 tiled bytes (0x480).
    pub fn small_icon(&self) -> &'a [u8] {
        &self.bytes[SMALL_ICON_AT..SMALL_ICON_AT + SMALL_ICON_LEN]
    }

    /// The 48x48 icon's raw RGB565 tiled bytes (0x1200).
    pub fn large_icon(&self) -> &'a [u8] {
        &self.bytes[LARGE_ICON_AT..LARGE_ICON_AT + LARGE_ICON_LEN]
    }
}

/// Builds an SMDH with the same names in every language and blank icons
/// (for simulated titles and tests).
pub fn build(short: &str, long: &str, publisher: &str) -> Vec<u8> {
    let mut out = vec![0u8; SMDH_LEN];
    out[..4].copy_from_slice(b"SMDH");
    let put = |out: &mut [u8], text: &str, max_units: usize| {
        for (i, unit) in text.encode_utf16().take(max_units - 1).enumerate() {
            out[i * 2..i * 2 + 2].copy_from_slice(&unit.to_le_bytes());
        }
    };
    for lang in 0..16 {
        let at = TITLES_AT + lang * TITLE_LEN;
        put(&mut out[at..at + 0x80], short, 64);
        put(&mut out[at + 0x80..at + 0x180], long, 128);
        put(&mut out[at + 0x180..at + 0x200], publisher, 64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_adds_up_to_0x36c0() {
        assert_eq!(TITLES_AT + 16 * TITLE_LEN, 0x2008);
        assert_eq!(SMALL_ICON_AT + SMALL_ICON_LEN, LARGE_ICON_AT);
        assert_eq!(LARGE_ICON_AT + LARGE_ICON_LEN, SMDH_LEN);
    }

    #[test]
    fn titles_round_trip_through_utf16() {
        let bytes = build("Pokémon X", "Pokémon X long", "Nintendo");
        let smdh = Smdh::parse(&bytes).unwrap();
        let t = smdh.titles(Language::French);
        assert_eq!(t.short, "Pokémon X");
        assert_eq!(t.long, "Pokémon X long");
        assert_eq!(t.publisher, "Nintendo");
        // "é" is U+00E9: one UTF-16 unit, stored E9 00.
        assert_eq!(&bytes[TITLES_AT + 6..TITLES_AT + 8], &[0xE9, 0x00]);
        assert_eq!(smdh.large_icon().len(), 0x1200);
        assert_eq!(smdh.small_icon().len(), 0x480);
    }

    #[test]
    fn missing_languages_fall_back_to_english() {
        let mut bytes = build("Game", "", "");
        let jp = TITLES_AT;
        bytes[jp..jp + 0x80].fill(0);
        let smdh = Smdh::parse(&bytes).unwrap();
        assert_eq!(smdh.short_title(Language::Japanese), "Game");
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        assert_eq!(
            Smdh::parse(&[0; 10]).unwrap_err(),
            SmdhError::TooShort { len: 10 }
        );
        let mut bytes = build("a", "b", "c");
        bytes[0] = b'X';
        assert!(matches!(
            Smdh::parse(&bytes),
            Err(SmdhError::BadMagic { .. })
        ));
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use keepsake_testkit::rand::{Rng, RngCore};
    use keepsake_testkit::rng;

    /// Thousands of random and mutated SMDHs: never a panic; titles of a
    /// mutated valid SMDH still decode (lossily) in every language.
    #[test]
    fn random_and_mutated_smdh_never_panic() {
        let mut rng = rng::for_test("smdh robustness");
        let valid = build("Game", "A long name", "Publisher");
        for i in 0..3000 {
            let bytes = if i % 3 == 0 {
                let mut b = vec![0; rng.random_range(0..0x3800)];
                rng.fill_bytes(&mut b);
                b
            } else {
                let mut b = valid.clone();
                for _ in 0..rng.random_range(1..64) {
                    let at = rng.random_range(0..b.len());
                    b[at] = rng.random();
                }
                b
            };
            if let Ok(smdh) = Smdh::parse(&bytes) {
                assert_eq!(&bytes[..4], b"SMDH");
                for lang in [
                    Language::Japanese,
                    Language::English,
                    Language::TraditionalChinese,
                ] {
                    let t = smdh.titles(lang);
                    assert!(t.short.encode_utf16().count() <= 64);
                }
            }
        }
    }
}
