//! The probing switches of `/3ds/Keepsake/config.json`: the services the
//! app must not ask for at start-up (other keys of that file belong to the
//! settings and are ignored here).
//!
//! ```json
//! { "skip_probe": ["am", "pxi:dev", "gamecard", "title-saves"] }
//! ```
//!
//! Some emulators end the app outright when it merely asks for a service
//! they do not implement, so a switch that cannot be read switches off
//! every probe it could have meant. The SD card is always probed: backups
//! live there, so it cannot be skipped.

use thiserror::Error;

use crate::platform::SdCard;
use crate::platform::sd::read_recovering;
use crate::platform::services::Service;

/// The config key that lists the services not to probe.
pub const SKIP_PROBE_KEY: &str = "skip_probe";

/// What the probing configuration in `config.json` says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeConfig {
    skipped: Vec<Service>,
}

/// Why the probing configuration could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("config.json is not valid JSON (line {line}, column {column}): {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("config.json must hold a JSON object at the top level")]
    NotAnObject,
    #[error("config.json: \"{SKIP_PROBE_KEY}\" must be a list of service names")]
    SkipNotAList,
    #[error("config.json: \"{SKIP_PROBE_KEY}\"[{index}] must be a service name in quotes")]
    NameNotAString { index: usize },
    #[error(
        "config.json: \"{SKIP_PROBE_KEY}\"[{index}] names an unknown service \"{name}\" \
         (known: gamecard, pxi:dev, am, title-saves)"
    )]
    UnknownService { index: usize, name: String },
    #[error(
        "config.json: \"{SKIP_PROBE_KEY}\"[{index}] names \"sd\", which cannot be skipped: \
         backups live on the SD card"
    )]
    NotSkippable { index: usize },
}

impl ProbeConfig {
    /// Probe every service.
    pub fn probe_all() -> ProbeConfig {
        ProbeConfig::default()
    }

    /// Skip the given services (duplicates and `Sd` are dropped).
    pub fn skipping(services: &[Service]) -> ProbeConfig {
        let mut skipped: Vec<Service> = services
            .iter()
            .copied()
            .filter(|service| service.skippable())
            .collect();
        skipped.sort();
        skipped.dedup();
        ProbeConfig { skipped }
    }

    /// Reads the `skip_probe` list of a `config.json`. A file without the key
    /// probes everything; a key that is present must be well formed, since a
    /// typo silently ignored could end the app in an emulator.
    pub fn from_json(bytes: &[u8]) -> Result<ProbeConfig, ConfigError> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|error| ConfigError::Syntax {
                line: error.line(),
                column: error.column(),
                message: error.to_string(),
            })?;
        let object = value.as_object().ok_or(ConfigError::NotAnObject)?;
        let Some(list) = object.get(SKIP_PROBE_KEY) else {
            return Ok(ProbeConfig::probe_all());
        };
        let names = list.as_array().ok_or(ConfigError::SkipNotAList)?;
        let mut skipped = Vec::with_capacity(names.len());
        for (index, name) in names.iter().enumerate() {
            let name = name.as_str().ok_or(ConfigError::NameNotAString { index })?;
            let service = Service::from_name(name).ok_or_else(|| ConfigError::UnknownService {
                index,
                name: name.to_owned(),
            })?;
            if !service.skippable() {
                return Err(ConfigError::NotSkippable { index });
            }
            skipped.push(service);
        }
        Ok(ProbeConfig::skipping(&skipped))
    }

    /// Whether probing `service` is switched off.
    pub fn skips(&self, service: Service) -> bool {
        self.skipped.contains(&service)
    }

    /// The switched-off services, in probing order.
    pub fn skipped(&self) -> &[Service] {
        &self.skipped
    }
}

/// Where the probing configuration was found, for messages.
pub const SD_CONFIG_PATH: &str = "/3ds/Keepsake/config.json";

/// The SD card's `config.json` for [`choose_config`], or `None` when there
/// is none or it cannot be read. A save of the settings cut short between
/// removing the old file and renaming the new one into place leaves the
/// complete new file under its temporary name; it is read from there, since
/// its probing switches must still apply (asking for a switched-off service
/// can end the app).
pub fn read_sd_config(sd: &mut dyn SdCard) -> Option<Vec<u8>> {
    read_recovering(sd, SD_CONFIG_PATH).ok()
}

/// Picks the probing configuration at start-up: the SD card's `config.json`
/// if there is one, else the defaults built into the app (its romfs), else
/// probe everything. A configuration that cannot be read switches off every
/// skippable probe, since asking for a service may end the app where the
/// user meant to prevent it; the returned message says so.
pub fn choose_config(sd: Option<&[u8]>, built_in: Option<&[u8]>) -> (ProbeConfig, Option<String>) {
    let (source, bytes) = match (sd, built_in) {
        (Some(bytes), _) => (SD_CONFIG_PATH, bytes),
        (None, Some(bytes)) => ("the built-in config.json", bytes),
        (None, None) => return (ProbeConfig::probe_all(), None),
    };
    match ProbeConfig::from_json(bytes) {
        Ok(config) => (config, None),
        Err(error) => (
            ProbeConfig::skipping(&Service::ALL),
            Some(format!(
                "{source}: {error}. Only the SD card is used until it is fixed."
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn a_config_without_the_key_probes_everything() {
        let config = ProbeConfig::from_json(br#"{"backup_root": "/3ds/Checkpoint"}"#).unwrap();
        assert_eq!(config, ProbeConfig::probe_all());
        assert!(Service::ALL.iter().all(|&service| !config.skips(service)));
    }

    #[test]
    fn the_sd_config_is_read_from_its_temporary_name_after_a_cut_save() {
        use crate::platform::sd::TEMP_SUFFIX;
        use crate::sim::{PowerSupply, SimSd};

        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        assert_eq!(read_sd_config(&mut sd), None);
        sd.create_dir_all("/3ds/Keepsake").unwrap();
        // What a settings save leaves when the power goes after it removed
        // the old config.json and before the rename.
        let saved = br#"{"saves_root": "/3ds/Checkpoint/saves", "skip_probe": ["am", "pxi:dev"]}"#;
        sd.write(&format!("{SD_CONFIG_PATH}{TEMP_SUFFIX}"), saved)
            .unwrap();
        let bytes = read_sd_config(&mut sd).expect("the temporary copy is found");
        assert_eq!(bytes, saved);
        let (config, problem) = choose_config(Some(&bytes), None);
        assert_eq!(problem, None);
        assert_eq!(config.skipped(), [Service::PxiDev, Service::Am]);

        // Once the rename has happened, the real file wins.
        sd.write(SD_CONFIG_PATH, br#"{"skip_probe": ["gamecard"]}"#)
            .unwrap();
        let (config, _) = choose_config(read_sd_config(&mut sd).as_deref(), None);
        assert_eq!(config.skipped(), [Service::GameCard]);
    }

    #[test]
    fn the_panda3ds_config_skips_the_four_fatal_services() {
        let config = ProbeConfig::from_json(
            br#"{ "skip_probe": ["title-saves", "am", "pxi:dev", "gamecard", "am"] }"#,
        )
        .unwrap();
        assert_eq!(
            config.skipped(),
            &[
                Service::GameCard,
                Service::PxiDev,
                Service::Am,
                Service::TitleSaves
            ]
        );
    }

    #[test]
    fn malformed_configs_say_what_and_where() {
        let cases: [(&[u8], ConfigError); 5] = [
            (b"[1, 2]", ConfigError::NotAnObject),
            (br#"{"skip_probe": "am"}"#, ConfigError::SkipNotAList),
            (
                br#"{"skip_probe": ["am", 7]}"#,
                ConfigError::NameNotAString { index: 1 },
            ),
            (
                br#"{"skip_probe": ["am", "pxi-dev"]}"#,
                ConfigError::UnknownService {
                    index: 1,
                    name: "pxi-dev".into(),
                },
            ),
            (
                br#"{"skip_probe": ["sd"]}"#,
                ConfigError::NotSkippable { index: 0 },
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(ProbeConfig::from_json(json), Err(expected));
        }
        match ProbeConfig::from_json(b"{\n  \"skip_probe\": [\"am\",]\n}") {
            Err(ConfigError::Syntax { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected a syntax error, got {other:?}"),
        }
        let message = ProbeConfig::from_json(br#"{"skip_probe": ["cam"]}"#)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("\"cam\"") && message.contains("[0]"),
            "{message}"
        );
    }

    #[test]
    fn every_service_name_round_trips_through_the_config() {
        for service in Service::ALL.into_iter().filter(|s| s.skippable()) {
            let json = format!(r#"{{"skip_probe": ["{}"]}}"#, service.name());
            let config = ProbeConfig::from_json(json.as_bytes()).unwrap();
            assert_eq!(config.skipped(), &[service]);
        }
    }

    #[test]
    fn random_and_mutated_configs_never_panic() {
        use keepsake_testkit::rand::Rng;
        let mut rng = keepsake_testkit::rng::for_test("capabilities::random_configs");
        let valid = br#"{ "skip_probe": ["am", "pxi:dev", "gamecard", "title-saves"], "x": 1 }"#;
        let mut accepted = 0;
        for round in 0..4000 {
            let bytes: Vec<u8> = if round % 2 == 0 {
                let len = rng.random_range(0..64);
                (0..len).map(|_| rng.random()).collect()
            } else {
                let mut bytes = valid.to_vec();
                for _ in 0..rng.random_range(1..4) {
                    let at = rng.random_range(0..bytes.len());
                    match rng.random_range(0..3) {
                        0 => bytes[at] = rng.random(),
                        1 => {
                            bytes.remove(at);
                        }
                        _ => {
                            const PUNCTUATION: &[u8] = b"\"[],{}:\\ amsd-";
                            bytes.insert(at, PUNCTUATION[rng.random_range(0..PUNCTUATION.len())]);
                        }
                    }
                }
                bytes
            };
            if let Ok(config) = ProbeConfig::from_json(&bytes) {
                accepted += 1;
                assert!(config.skipped().iter().all(|service| service.skippable()));
                assert!(config.skipped().windows(2).all(|pair| pair[0] < pair[1]));
            }
        }
        // The mutations must reach the accepting paths too, or the test proves little.
        assert!(accepted > 50, "only {accepted} inputs accepted");
    }

    #[test]
    fn the_built_in_config_shipped_in_romfs_probes_everything() {
        let shipped = include_bytes!("../../../../romfs/config.json");
        assert_eq!(
            choose_config(None, Some(shipped)),
            (ProbeConfig::probe_all(), None)
        );
    }
}
