//! Our settings: `/3ds/Keepsake/config.json`.
//!
//! A JSON object; unknown keys are kept out of the way (ignored), missing
//! keys take their defaults, so older and newer versions read each other's
//! files. Written atomically (temporary file, then rename).
//!
//! ```json
//! { "saves_root": "/3ds/Checkpoint/saves",
//!   "extdata_root": "/3ds/Checkpoint/extdata",
//!   "read_twlsavetool": true,
//!   "experimental_flash_8m_writes": false,
//!   "nand_saves": false,
//!   "dsiware_saves": false }
//! ```
//!
//! `nand_saves` and `dsiware_saves` are the names Checkpoint's own
//! config.json gives its "Show system (NAND) saves" and "Show DSiWare
//! saves" settings (BernardoGiordano/Checkpoint
//! `3ds/source/configuration.cpp`), both off by default there too.

use serde::{Deserialize, Serialize};

use crate::platform::SdCard;
use crate::platform::sd::{read_recovering, write_atomic};
use crate::store::StoreError;
use crate::store::naming::{CHECKPOINT_EXTDATA, CHECKPOINT_SAVES, CONFIG_PATH, KEEPSAKE_DIR};

/// The settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Where new save backups go (Checkpoint's folder unless changed).
    pub saves_root: String,
    /// Where new extdata backups go.
    pub extdata_root: String,
    /// Whether TWLSaveTool's files are listed as backups too.
    pub read_twlsavetool: bool,
    /// Experimental: whether restores and erases may write to 8 MiB flash
    /// cartridges. Off until the vendor unlock and sector writes are
    /// confirmed on a real cartridge; backups of them work either way.
    pub experimental_flash_8m_writes: bool,
    /// Whether the console's own data is listed: system titles' save data,
    /// shared extdata and SpotPass extdata (see
    /// [`crate::platform::system_data`]). Off by default: restoring it
    /// wrongly can break the console's settings or Home Menu.
    pub nand_saves: bool,
    /// Whether DSiWare titles on the NAND are listed with their saves (see
    /// [`crate::platform::dsiware`]). Off by default, as in Checkpoint.
    pub dsiware_saves: bool,
    /// Keys of the file that other parts of the app own (the probing
    /// switches of `capabilities`), kept so that saving does not drop them.
    #[serde(flatten)]
    pub others: serde_json::Map<String, serde_json::Value>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            saves_root: CHECKPOINT_SAVES.into(),
            extdata_root: CHECKPOINT_EXTDATA.into(),
            read_twlsavetool: true,
            experimental_flash_8m_writes: false,
            nand_saves: false,
            dsiware_saves: false,
            others: serde_json::Map::new(),
        }
    }
}

impl Config {
    /// Reads the settings; a missing file gives the defaults, a damaged one
    /// an error that says where.
    pub fn load(sd: &mut dyn SdCard) -> Result<Self, StoreError> {
        let bytes = match read_recovering(sd, CONFIG_PATH) {
            Ok(bytes) => bytes,
            Err(crate::platform::SdError::NotFound { .. }) => return Ok(Self::default()),
            Err(e) => return Err(e.into()),
        };
        Self::parse(&bytes)
    }

    /// Parses the settings file's bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, StoreError> {
        let config: Self = serde_json::from_slice(bytes).map_err(|e| StoreError::Config {
            path: CONFIG_PATH.into(),
            reason: e.to_string(),
        })?;
        for (key, root) in [
            ("saves_root", &config.saves_root),
            ("extdata_root", &config.extdata_root),
        ] {
            if !root.starts_with('/') || root.len() < 2 {
                return Err(StoreError::Config {
                    path: CONFIG_PATH.into(),
                    reason: format!("{key} must be an absolute folder path, not \"{root}\""),
                });
            }
        }
        Ok(config)
    }

    /// Writes the settings atomically.
    pub fn save(&self, sd: &mut dyn SdCard) -> Result<(), StoreError> {
        sd.create_dir_all(KEEPSAKE_DIR)?;
        let json = serde_json::to_vec_pretty(self).expect("plain strings and booleans serialize");
        write_atomic(sd, CONFIG_PATH, &json)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{PowerSupply, SimSd};

    #[test]
    fn saving_keeps_the_keys_other_parts_of_the_app_own() {
        use crate::platform::Service;
        use crate::store::probe_config::ProbeConfig;
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        sd.create_dir_all(KEEPSAKE_DIR).unwrap();
        sd.write(
            CONFIG_PATH,
            br#"{"skip_probe": ["am", "pxi:dev"], "read_twlsavetool": false}"#,
        )
        .unwrap();
        let mut config = Config::load(&mut sd).unwrap();
        config.saves_root = "/backups".into();
        config.save(&mut sd).unwrap();
        let saved = sd.read(CONFIG_PATH).unwrap();
        let probing = ProbeConfig::from_json(&saved).unwrap();
        assert_eq!(probing.skipped(), &[Service::PxiDev, Service::Am]);
        let reread = Config::load(&mut sd).unwrap();
        assert_eq!(reread.saves_root, "/backups");
        assert!(!reread.read_twlsavetool);
    }

    #[test]
    fn defaults_round_trip_and_damage_is_located() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        assert_eq!(Config::load(&mut sd).unwrap(), Config::default());
        let custom = Config {
            saves_root: "/backups/saves".into(),
            ..Config::default()
        };
        custom.save(&mut sd).unwrap();
        assert_eq!(Config::load(&mut sd).unwrap(), custom);
        let text = String::from_utf8(sd.read(CONFIG_PATH).unwrap()).unwrap();
        assert!(text.contains("\"saves_root\": \"/backups/saves\""));

        // Unknown keys are ignored, missing keys defaulted.
        sd.write(CONFIG_PATH, br#"{"future": 1, "read_twlsavetool": false}"#)
            .unwrap();
        let read = Config::load(&mut sd).unwrap();
        assert!(!read.read_twlsavetool);
        assert_eq!(read.saves_root, CHECKPOINT_SAVES);
        assert!(!read.nand_saves, "system data is off unless asked for");
        sd.write(CONFIG_PATH, br#"{"nand_saves": true}"#).unwrap();
        assert!(Config::load(&mut sd).unwrap().nand_saves);
        assert!(
            !Config::load(&mut sd).unwrap().dsiware_saves,
            "off unless asked for"
        );
        sd.write(CONFIG_PATH, br#"{"dsiware_saves": true}"#)
            .unwrap();
        assert!(Config::load(&mut sd).unwrap().dsiware_saves);

        sd.write(CONFIG_PATH, b"{\n  \"saves_root\": 3\n}").unwrap();
        let err = Config::load(&mut sd).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
        sd.write(CONFIG_PATH, br#"{"saves_root": "relative"}"#)
            .unwrap();
        assert!(matches!(
            Config::load(&mut sd),
            Err(StoreError::Config { .. })
        ));
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use keepsake_testkit::rand::Rng;
    use keepsake_testkit::rng;

    /// Thousands of random and mutated settings files: never a panic, and
    /// accepted files have absolute roots.
    #[test]
    fn random_and_mutated_settings_never_panic() {
        let mut rng = rng::for_test("config robustness");
        let valid = serde_json::to_vec(&Config::default()).unwrap();
        let alphabet = b"{}[]\":,/ 0123456789abcdefnulltrue\\";
        for i in 0..5000 {
            let bytes: Vec<u8> = if i % 2 == 0 {
                (0..rng.random_range(0..80))
                    .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                    .collect()
            } else {
                let mut b = valid.clone();
                for _ in 0..rng.random_range(1..4) {
                    let at = rng.random_range(0..b.len());
                    b[at] = alphabet[rng.random_range(0..alphabet.len())];
                }
                b
            };
            if let Ok(config) = Config::parse(&bytes) {
                assert!(config.saves_root.starts_with('/') && config.extdata_root.starts_with('/'));
            }
        }
    }
}
