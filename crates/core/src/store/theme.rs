//! The screens' theme, kept in `/3ds/Keepsake/config.json` beside the other
//! settings:
//!
//! ```json
//! { "theme": "light" }
//! ```
//!
//! Dark when the key is missing. As with the title list's settings
//! (`store/title_prefs.rs`), a value this version does not know (a newer
//! version's theme, a typing mistake) is reported and dark is used, rather
//! than the whole file refused; it is replaced the next time the settings
//! are written.

use thiserror::Error;

use crate::store::Config;

/// The key of the theme.
pub const THEME_KEY: &str = "theme";

/// The screens' colours: light text on dark grounds, or dark text on light
/// ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

/// A theme value that cannot be used (dark is).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "\"{THEME_KEY}\" is {found}, which Keepsake does not know; it must be \"dark\" or \"light\""
)]
pub struct UnknownTheme {
    /// The value as the file has it.
    pub found: String,
}

impl Theme {
    pub const ALL: [Theme; 2] = [Theme::Dark, Theme::Light];

    /// The word `config.json` stores (and the preview's `--theme` takes).
    pub const fn key(self) -> &'static str {
        match self {
            Theme::Dark => "dark",
            Theme::Light => "light",
        }
    }

    /// The theme stored as `word`, if it is one.
    pub fn from_key(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.key() == word)
    }

    /// The theme `config` holds: dark when it holds none.
    pub fn read(config: &Config) -> Result<Theme, UnknownTheme> {
        match config.others.get(THEME_KEY) {
            None => Ok(Theme::Dark),
            Some(value) => value
                .as_str()
                .and_then(Theme::from_key)
                .ok_or_else(|| UnknownTheme {
                    found: value.to_string(),
                }),
        }
    }

    /// Puts this theme into `config`, leaving every other key as it is.
    pub fn write_into(self, config: &mut Config) {
        config.others.insert(THEME_KEY.into(), self.key().into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> Config {
        Config::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn the_theme_is_a_word_beside_the_other_keys_and_dark_when_missing() {
        assert_eq!(
            Theme::read(&config(r#"{"skip_probe": ["am"]}"#)),
            Ok(Theme::Dark)
        );
        let mut cfg = config(r#"{"theme": "light", "skip_probe": ["am"]}"#);
        assert_eq!(Theme::read(&cfg), Ok(Theme::Light));
        Theme::Dark.write_into(&mut cfg);
        let json: serde_json::Value =
            serde_json::from_slice(&serde_json::to_vec(&cfg).unwrap()).unwrap();
        assert_eq!(json["theme"], "dark");
        assert_eq!(json["skip_probe"][0], "am", "the other keys stay");
    }

    /// An unknown value does not make the file unreadable: it is named, in
    /// words, and dark is used.
    #[test]
    fn an_unknown_theme_is_reported_not_refused() {
        for (json, found) in [
            (r#"{"theme": "high-contrast"}"#, r#""high-contrast""#),
            (r#"{"theme": 3}"#, "3"),
        ] {
            let cfg = config(json);
            let error = Theme::read(&cfg).unwrap_err();
            assert_eq!(error.found, found);
            assert_eq!(
                error.to_string(),
                format!(
                    "\"theme\" is {found}, which Keepsake does not know; it must be \"dark\" or \"light\""
                )
            );
            assert_eq!(cfg.saves_root, "/3ds/Checkpoint/saves", "the rest is read");
        }
    }
}
