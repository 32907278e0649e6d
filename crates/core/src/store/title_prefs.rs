//! Finding titles: the favourites, the title list's filter and its order,
//! kept in `/3ds/Keepsake/config.json` beside the other settings.
//!
//! Favourites are kept under Checkpoint's key and in its form
//! (BernardoGiordano/Checkpoint `3ds/source/configuration.cpp`: key
//! `"favorites"`, a list of title ids each written `%016llX`, 16 upper-case
//! hex digits, read back with `strtoull(id, NULL, 16)`), so a Checkpoint
//! `config.json` copied over is understood and Checkpoint reads ours. An
//! NDS cartridge has no title id; Checkpoint keys it `0x0000444E << 32`
//! ("DN") with the four game code bytes below, big-endian
//! (`3ds/source/titleprobe.cpp` `dsCardId`), and so does Keepsake.
//! Checkpoint's own `"filter"` key is its list of *hidden* titles, so the
//! list filter here has a key of its own.
//!
//! ```json
//! { "favorites": ["0004000000055D00", "0000444E414D4B45"],
//!   "title_filter": "installed",
//!   "title_sort": "title_id" }
//! ```
//!
//! Keepsake's file holds no `"favorites"` until a favourite is changed in
//! Keepsake; until then Checkpoint's own list
//! (`/3ds/Checkpoint/config.json`) is shown, read only. A value that cannot
//! be used is reported and its default taken; it is replaced the next time
//! these settings are written.

use thiserror::Error;

use crate::platform::titles::TitleCategory;
use crate::store::{BackupTitle, Config};

/// Checkpoint's key of the favourites.
pub const FAVOURITES_KEY: &str = "favorites";
/// The key of the list filter.
pub const FILTER_KEY: &str = "title_filter";
/// The key of the list order.
pub const SORT_KEY: &str = "title_sort";
/// Checkpoint's settings (`3ds/include/configuration.hpp` `BASEPATH`).
pub const CHECKPOINT_CONFIG_PATH: &str = "/3ds/Checkpoint/config.json";

/// The high word Checkpoint gives an NDS cartridge's key ("DN", for DS NTR;
/// `3ds/source/titleprobe.cpp` `DS_CARD_ID_MARKER`).
const NDS_CARD_MARKER: u64 = 0x0000_444E_0000_0000;

/// Which titles the list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TitleFilter {
    #[default]
    All,
    /// The cartridge in the slot.
    Cartridge,
    /// Titles installed on the console (not system titles).
    Installed,
    /// System applications, applets, modules and data.
    System,
    /// Titles with at least one backup.
    HasBackups,
}

impl TitleFilter {
    /// In the order R steps through them.
    pub const ALL: [TitleFilter; 5] = [
        TitleFilter::All,
        TitleFilter::Cartridge,
        TitleFilter::Installed,
        TitleFilter::System,
        TitleFilter::HasBackups,
    ];

    /// The value in `config.json`.
    pub fn key(self) -> &'static str {
        match self {
            TitleFilter::All => "all",
            TitleFilter::Cartridge => "cartridge",
            TitleFilter::Installed => "installed",
            TitleFilter::System => "system",
            TitleFilter::HasBackups => "has_backups",
        }
    }

    /// What the list's header calls it.
    pub fn label(self) -> &'static str {
        match self {
            TitleFilter::All => "All titles",
            TitleFilter::Cartridge => "Cartridge",
            TitleFilter::Installed => "Installed",
            TitleFilter::System => "System titles",
            TitleFilter::HasBackups => "With backups",
        }
    }

    /// The filter after this one, round.
    pub fn next(self) -> TitleFilter {
        let at = Self::ALL.iter().position(|&f| f == self).unwrap_or(0);
        Self::ALL[(at + 1) % Self::ALL.len()]
    }

    fn from_key(key: &str) -> Option<TitleFilter> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// How the list is ordered (after the cartridge and the favourites).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TitleSort {
    #[default]
    Name,
    TitleId,
}

impl TitleSort {
    pub const ALL: [TitleSort; 2] = [TitleSort::Name, TitleSort::TitleId];

    /// The value in `config.json`.
    pub fn key(self) -> &'static str {
        match self {
            TitleSort::Name => "name",
            TitleSort::TitleId => "title_id",
        }
    }

    /// What the list's header says.
    pub fn label(self) -> &'static str {
        match self {
            TitleSort::Name => "by name",
            TitleSort::TitleId => "by title ID",
        }
    }

    pub fn next(self) -> TitleSort {
        match self {
            TitleSort::Name => TitleSort::TitleId,
            TitleSort::TitleId => TitleSort::Name,
        }
    }

    fn from_key(key: &str) -> Option<TitleSort> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// Why a part of these settings could not be used (its default is).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TitlePrefsError {
    #[error("\"{FAVOURITES_KEY}\" must be a list of title ids in quotes; no favourites are shown")]
    FavouritesNotAList,
    #[error(
        "\"{FAVOURITES_KEY}\" entry {position} ({found}) is not a title id of up to 16 hex digits; it is left out"
    )]
    NotATitleId {
        /// Counted from 1, as people count.
        position: usize,
        /// The entry as the file has it, shortened.
        found: String,
    },
    #[error("\"{key}\" is {found}, which Keepsake does not know; it must be one of {expected}")]
    UnknownValue {
        key: &'static str,
        found: String,
        expected: String,
    },
    #[error("{path} is not valid JSON (line {line}, column {column})")]
    NotJson {
        path: &'static str,
        line: usize,
        column: usize,
    },
}

/// The favourites, the filter and the order of the title list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TitlePrefs {
    /// Title ids (Checkpoint's keys), in the file's order, each once.
    pub favourites: Vec<u64>,
    pub filter: TitleFilter,
    pub sort: TitleSort,
}

impl TitlePrefs {
    /// Reads the settings out of `config`; what cannot be used is reported
    /// and defaulted, never refused as a whole.
    pub fn read(config: &Config) -> (TitlePrefs, Vec<TitlePrefsError>) {
        let mut problems = Vec::new();
        let mut prefs = TitlePrefs::default();
        if let Some(value) = config.others.get(FAVOURITES_KEY) {
            prefs.favourites = favourites_of(value, &mut problems);
        }
        if let Some(value) = config.others.get(FILTER_KEY) {
            match value.as_str().and_then(TitleFilter::from_key) {
                Some(filter) => prefs.filter = filter,
                None => problems.push(unknown(
                    FILTER_KEY,
                    value,
                    TitleFilter::ALL.map(|f| f.key()),
                )),
            }
        }
        if let Some(value) = config.others.get(SORT_KEY) {
            match value.as_str().and_then(TitleSort::from_key) {
                Some(sort) => prefs.sort = sort,
                None => problems.push(unknown(SORT_KEY, value, TitleSort::ALL.map(|s| s.key()))),
            }
        }
        (prefs, problems)
    }

    /// Whether `config` has a favourites list of its own (else Checkpoint's
    /// is shown).
    pub fn has_favourites(config: &Config) -> bool {
        config.others.contains_key(FAVOURITES_KEY)
    }

    /// Puts these settings into `config`, leaving every other key as it is.
    pub fn write_into(&self, config: &mut Config) {
        let ids = self
            .favourites
            .iter()
            .map(|id| serde_json::Value::String(format_title_id(*id)))
            .collect();
        config
            .others
            .insert(FAVOURITES_KEY.into(), serde_json::Value::Array(ids));
        config
            .others
            .insert(FILTER_KEY.into(), self.filter.key().into());
        config
            .others
            .insert(SORT_KEY.into(), self.sort.key().into());
    }

    pub fn is_favourite(&self, id: u64) -> bool {
        self.favourites.contains(&id)
    }

    /// Marks or unmarks `id`; a new favourite goes last, as Checkpoint adds.
    pub fn set_favourite(&mut self, id: u64, favourite: bool) {
        self.favourites.retain(|&f| f != id);
        if favourite {
            self.favourites.push(id);
        }
    }
}

/// The favourites of a Checkpoint `config.json` (its whole bytes).
pub fn checkpoint_favourites(bytes: &[u8]) -> Result<Vec<u64>, Vec<TitlePrefsError>> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| vec![not_json(CHECKPOINT_CONFIG_PATH, &e)])?;
    let mut problems = Vec::new();
    let favourites = match value.get(FAVOURITES_KEY) {
        Some(list) => favourites_of(list, &mut problems),
        None => Vec::new(),
    };
    if problems.is_empty() {
        Ok(favourites)
    } else {
        Err(problems)
    }
}

fn not_json(path: &'static str, e: &serde_json::Error) -> TitlePrefsError {
    TitlePrefsError::NotJson {
        path,
        line: e.line(),
        column: e.column(),
    }
}

fn favourites_of(value: &serde_json::Value, problems: &mut Vec<TitlePrefsError>) -> Vec<u64> {
    let Some(list) = value.as_array() else {
        problems.push(TitlePrefsError::FavouritesNotAList);
        return Vec::new();
    };
    let mut ids = Vec::new();
    for (index, entry) in list.iter().enumerate() {
        match entry.as_str().and_then(parse_title_id) {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => problems.push(TitlePrefsError::NotATitleId {
                position: index + 1,
                found: shortened(entry),
            }),
        }
    }
    ids
}

fn unknown<const N: usize>(
    key: &'static str,
    value: &serde_json::Value,
    expected: [&str; N],
) -> TitlePrefsError {
    TitlePrefsError::UnknownValue {
        key,
        found: shortened(value),
        expected: expected
            .iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A JSON value as the file spells it, cut to a length a message can hold.
fn shortened(value: &serde_json::Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(24) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// A title id as Checkpoint writes it: `%016llX`.
pub fn format_title_id(id: u64) -> String {
    format!("{id:016X}")
}

/// A title id written in hex, as Checkpoint reads one (`strtoull` base 16:
/// either case, an optional `0x`, surrounding spaces); anything else in it,
/// or more than 16 digits, and it is not one.
pub fn parse_title_id(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// Checkpoint's key of the NDS cartridge with `game_code`.
pub fn nds_card_id(game_code: &str) -> u64 {
    let packed = game_code
        .bytes()
        .chain(std::iter::repeat(0))
        .take(4)
        .fold(0u64, |packed, byte| packed << 8 | u64::from(byte));
    NDS_CARD_MARKER | packed
}

/// Checkpoint's key of a title: its title id, or the NDS cartridge's.
pub fn checkpoint_id(title: &BackupTitle) -> u64 {
    match title {
        BackupTitle::Nds { game_code, .. } => nds_card_id(game_code),
        BackupTitle::Ctr { title_id, .. } => *title_id,
    }
}

/// Whether `id` is a system title's (3dbrew "Titles": the system
/// categories of the high word).
pub fn is_system_title(id: u64) -> bool {
    matches!(
        TitleCategory::of(id),
        TitleCategory::SystemApplication
            | TitleCategory::SystemApplet
            | TitleCategory::SystemData
            | TitleCategory::SystemModule
            | TitleCategory::DsiSystem
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> Config {
        Config::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn an_nds_cartridge_has_checkpoints_key() {
        // "AMKE" = 41 4D 4B 45, after Checkpoint's "DN" marker.
        assert_eq!(nds_card_id("AMKE"), 0x0000_444E_414D_4B45);
        assert_eq!(format_title_id(nds_card_id("ASFE")), "0000444E41534645");
        assert_eq!(
            checkpoint_id(&BackupTitle::Ctr {
                title_id: 0x0004_0000_0005_5D00,
                short_title: "Pokémon X".into()
            }),
            0x0004_0000_0005_5D00
        );
    }

    #[test]
    fn title_ids_read_as_strtoull_reads_them() {
        assert_eq!(
            parse_title_id("0004000000055D00"),
            Some(0x0004_0000_0005_5D00)
        );
        assert_eq!(
            parse_title_id(" 0x0004000000055d00 "),
            Some(0x0004_0000_0005_5D00)
        );
        assert_eq!(parse_title_id("55D00"), Some(0x5_5D00));
        for bad in ["", "0x", "00040000000055D00", "0004-0000", "zz", "+1"] {
            assert_eq!(parse_title_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_checkpoint_config_is_read_and_its_other_keys_kept() {
        // Checkpoint's romfs config.json with two favourites, as its
        // configuration.cpp writes it (dump(2)).
        let text = r#"{
  "additional_extdata_folders": {},
  "additional_save_folders": {},
  "confirm_restore": true,
  "favorites": [
    "0004000000055D00",
    "0000444E414D4B45"
  ],
  "filter": [
    "0004000000123400"
  ],
  "nand_saves": false,
  "version": 4
}"#;
        let mut cfg = config(text);
        let (prefs, problems) = TitlePrefs::read(&cfg);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            prefs.favourites,
            [0x0004_0000_0005_5D00, 0x0000_444E_414D_4B45]
        );
        assert_eq!(
            prefs.filter,
            TitleFilter::All,
            "Checkpoint's filter hides titles"
        );
        assert_eq!(
            checkpoint_favourites(text.as_bytes()).unwrap(),
            prefs.favourites
        );

        let mut changed = prefs.clone();
        changed.set_favourite(0x0004_0000_0005_5D00, false);
        changed.sort = TitleSort::TitleId;
        changed.write_into(&mut cfg);
        let written: serde_json::Value =
            serde_json::from_slice(&serde_json::to_vec(&cfg).unwrap()).unwrap();
        assert_eq!(
            written["favorites"],
            serde_json::json!(["0000444E414D4B45"])
        );
        assert_eq!(written["filter"], serde_json::json!(["0004000000123400"]));
        assert_eq!(written["title_sort"], "title_id");
        assert_eq!(written["version"], 4);
        assert_eq!(written["additional_save_folders"], serde_json::json!({}));
    }

    #[test]
    fn unusable_values_are_reported_and_defaulted_one_by_one() {
        let cfg = config(
            r#"{"favorites": ["0004000000055D00", 7, "nonsense", "0004000000055d00"],
                "title_filter": "everything", "title_sort": "title_id"}"#,
        );
        let (prefs, problems) = TitlePrefs::read(&cfg);
        assert_eq!(prefs.favourites, [0x0004_0000_0005_5D00]);
        assert_eq!(prefs.filter, TitleFilter::All);
        assert_eq!(prefs.sort, TitleSort::TitleId);
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "\"favorites\" entry 2 (7) is not a title id of up to 16 hex digits; it is left out",
                "\"favorites\" entry 3 (\"nonsense\") is not a title id of up to 16 hex digits; it is left out",
                "\"title_filter\" is \"everything\", which Keepsake does not know; it must be one of \"all\", \"cartridge\", \"installed\", \"system\", \"has_backups\"",
            ]
        );
        let (prefs, problems) = TitlePrefs::read(&config(r#"{"favorites": "0004000000055D00"}"#));
        assert!(prefs.favourites.is_empty());
        assert_eq!(problems, [TitlePrefsError::FavouritesNotAList]);
        let err = checkpoint_favourites(b"{\n  \"favorites\": [").unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "/3ds/Checkpoint/config.json is not valid JSON (line 2, column 16)"
        );
    }

    #[test]
    fn filters_and_orders_step_round() {
        let mut filter = TitleFilter::All;
        let mut seen = Vec::new();
        for _ in 0..5 {
            filter = filter.next();
            seen.push(filter.key());
        }
        assert_eq!(
            seen,
            ["cartridge", "installed", "system", "has_backups", "all"]
        );
        assert_eq!(TitleSort::Name.next().next(), TitleSort::Name);
        // System settings (0004 0010) and a system module are system
        // titles; a game, a demo and an NDS cartridge are not.
        assert!(is_system_title(0x0004_0010_0002_1000));
        assert!(is_system_title(0x0004_0130_0000_1702));
        assert!(!is_system_title(0x0004_0000_0005_5D00));
        assert!(!is_system_title(0x0004_0002_0005_5D00));
        assert!(!is_system_title(nds_card_id("AMKE")));
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use keepsake_testkit::rand::Rng;
    use keepsake_testkit::rng;

    /// Thousands of mutated settings files: never a panic, and what is
    /// read writes back to the same settings without a problem.
    #[test]
    fn mutated_files_never_panic_and_round_trip() {
        let mut rng = rng::for_test("title prefs robustness");
        let valid = br#"{"favorites": ["0004000000055D00", "0000444E414D4B45"], "title_filter": "system", "title_sort": "title_id", "filter": ["00040000000ABC00"]}"#;
        let alphabet = b"{}[]\":,0x 0123456789abcdefABCDEFnulltrue\\";
        for _ in 0..5000 {
            let mut bytes = valid.to_vec();
            for _ in 0..rng.random_range(1..4) {
                let at = rng.random_range(0..bytes.len());
                bytes[at] = alphabet[rng.random_range(0..alphabet.len())];
            }
            let _ = checkpoint_favourites(&bytes);
            let Ok(config) = Config::parse(&bytes) else {
                continue;
            };
            let (prefs, _) = TitlePrefs::read(&config);
            let mut rewritten = config.clone();
            prefs.write_into(&mut rewritten);
            assert_eq!(TitlePrefs::read(&rewritten), (prefs, Vec::new()));
        }
    }
}
