//! Which system services the console app may use, decided once at start-up.
//!
//! Not every environment grants every service: a `.3dsx` lacks the rights for
//! `pxi:dev` and `am`, and some emulators end the app outright when it merely
//! asks for a service they do not implement. So the app probes each service
//! once, in a fixed order, and derives from the outcomes which features work
//! and what the UI should say about the others.
//!
//! The probing of named services can be switched off in
//! `/3ds/Keepsake/config.json` (other keys of that file belong to the settings
//! and are ignored here):
//!
//! ```json
//! { "skip_probe": ["am", "pxi:dev", "gamecard", "title-saves"] }
//! ```
//!
//! The SD card is always probed: backups live there, so it cannot be skipped.
//! This module is pure: the console passes the probe itself as a closure.

use std::fmt;

use thiserror::Error;

use crate::platform::SdCard;
use crate::platform::result_code::{FsMeaning, ResultCode};
use crate::platform::sd::read_recovering;
use crate::store::Theme;
use crate::ui::{Align, Buttons, DrawCmd, Frame, FrameInput, Role, TextSize};

/// The config key that lists the services not to probe.
pub const SKIP_PROBE_KEY: &str = "skip_probe";

/// A system service (or family of calls) that a feature needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// The SD card (`fs:USER` on the SDMC archive).
    Sd,
    /// Game card slot calls of `fs:USER` (inserted, card type, legacy header).
    GameCard,
    /// `pxi:dev`: the SPI bus of NDS cartridges.
    PxiDev,
    /// `am`: installed titles and the 3DS cartridge's title id.
    Am,
    /// Opening other titles' save data and extdata archives.
    TitleSaves,
}

impl Service {
    /// Every service, in the order they are probed: prerequisites first.
    pub const ALL: [Service; 5] = [
        Service::Sd,
        Service::GameCard,
        Service::PxiDev,
        Service::Am,
        Service::TitleSaves,
    ];

    /// The name used in `config.json` and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Service::Sd => "sd",
            Service::GameCard => "gamecard",
            Service::PxiDev => "pxi:dev",
            Service::Am => "am",
            Service::TitleSaves => "title-saves",
        }
    }

    /// Whether `config.json` may switch its probing off.
    pub fn skippable(self) -> bool {
        self != Service::Sd
    }

    /// Services whose absence makes probing this one pointless: another
    /// title's save archive is found through AM's title list.
    pub fn prerequisites(self) -> &'static [Service] {
        match self {
            Service::TitleSaves => &[Service::Am],
            _ => &[],
        }
    }

    /// What the user can do when the service was refused.
    fn remedy(self) -> &'static str {
        match self {
            Service::Sd => "insert an SD card and restart",
            Service::GameCard | Service::PxiDev | Service::Am | Service::TitleSaves => {
                "run the CIA build, which has the access rights"
            }
        }
    }

    fn from_name(name: &str) -> Option<Service> {
        Service::ALL
            .into_iter()
            .find(|service| service.name() == name)
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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

/// The result of probing one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The service answered.
    Available,
    /// `config.json` switched its probing off; it was never asked.
    Skipped,
    /// Not asked, because a service it needs is missing.
    Blocked { missing: Service },
    /// Asked, and refused; `reason` is the system's error, as the console words it.
    Refused { reason: String },
}

impl Outcome {
    pub fn is_available(&self) -> bool {
        matches!(self, Outcome::Available)
    }
}

/// What the app can do, as the user sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    /// Browse, import and convert the backups on the SD card.
    SdBackups,
    /// Back up and restore NDS cartridges.
    NdsCartridges,
    /// Back up and restore 3DS cartridges.
    Cartridges3ds,
    /// Back up and restore titles installed on the SD card.
    InstalledTitles,
}

impl Feature {
    pub const ALL: [Feature; 4] = [
        Feature::SdBackups,
        Feature::NdsCartridges,
        Feature::Cartridges3ds,
        Feature::InstalledTitles,
    ];

    /// The services the feature needs, in probing order.
    pub fn needs(self) -> &'static [Service] {
        match self {
            Feature::SdBackups => &[Service::Sd],
            Feature::NdsCartridges => &[Service::Sd, Service::GameCard, Service::PxiDev],
            Feature::Cartridges3ds => &[
                Service::Sd,
                Service::GameCard,
                Service::Am,
                Service::TitleSaves,
            ],
            Feature::InstalledTitles => &[Service::Sd, Service::Am, Service::TitleSaves],
        }
    }

    /// How the UI names the feature.
    pub fn label(self) -> &'static str {
        match self {
            Feature::SdBackups => "Backups on the SD card",
            Feature::NdsCartridges => "NDS cartridges",
            Feature::Cartridges3ds => "3DS cartridges",
            Feature::InstalledTitles => "Installed titles",
        }
    }
}

/// One line for the UI about a feature that does not work, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub feature: Feature,
    /// The first service the feature needs that is not available.
    pub service: Service,
    pub text: String,
}

/// The outcome of start-up probing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    outcomes: Vec<(Service, Outcome)>,
}

impl Capabilities {
    /// Probes every service not switched off by `config`, in `Service::ALL`
    /// order, calling `probe` at most once per service. A service whose
    /// prerequisite is missing is not asked either.
    pub fn probe(
        config: &ProbeConfig,
        mut probe: impl FnMut(Service) -> Result<(), String>,
    ) -> Capabilities {
        let mut outcomes: Vec<(Service, Outcome)> = Vec::with_capacity(Service::ALL.len());
        for service in Service::ALL {
            let outcome = if config.skips(service) {
                Outcome::Skipped
            } else if let Some(&missing) = service.prerequisites().iter().find(|needed| {
                !outcomes
                    .iter()
                    .any(|(probed, outcome)| probed == *needed && outcome.is_available())
            }) {
                Outcome::Blocked { missing }
            } else {
                match probe(service) {
                    Ok(()) => Outcome::Available,
                    Err(reason) => Outcome::Refused { reason },
                }
            };
            outcomes.push((service, outcome));
        }
        Capabilities { outcomes }
    }

    /// How probing `service` went.
    pub fn outcome(&self, service: Service) -> &Outcome {
        self.outcomes
            .iter()
            .find(|(probed, _)| *probed == service)
            .map(|(_, outcome)| outcome)
            .expect("Capabilities::probe records every service")
    }

    pub fn has(&self, service: Service) -> bool {
        self.outcome(service).is_available()
    }

    /// Whether every service `feature` needs is available.
    pub fn allows(&self, feature: Feature) -> bool {
        feature.needs().iter().all(|&service| self.has(service))
    }

    /// One notice per unavailable feature, naming the first missing service
    /// and what to do about it.
    pub fn notices(&self) -> Vec<Notice> {
        Feature::ALL
            .into_iter()
            .filter_map(|feature| {
                let service = feature
                    .needs()
                    .iter()
                    .copied()
                    .find(|&service| !self.has(service))?;
                let text = self.explain(feature, service);
                Some(Notice {
                    feature,
                    service,
                    text,
                })
            })
            .collect()
    }

    fn explain(&self, feature: Feature, service: Service) -> String {
        let label = feature.label();
        match self.outcome(service) {
            Outcome::Available => unreachable!("explain is called for missing services only"),
            Outcome::Skipped => {
                format!("{label} need {service}, whose probing is switched off in config.json")
            }
            Outcome::Blocked { missing } => match self.outcome(*missing) {
                Outcome::Skipped => {
                    format!("{label} need {missing}, whose probing is switched off in config.json")
                }
                _ => format!("{label} need {missing}: {}", missing.remedy()),
            },
            Outcome::Refused { reason } => {
                format!("{label} need {service}: {} ({reason})", service.remedy())
            }
        }
    }
}

/// Whether this app may open other titles' save data, from what opening
/// them answered, title by title, in list order (pass a lazy iterator:
/// asking stops at the first answer that decides). A title that was never
/// started (FS "not formatted", 0xC8A04554) or has no save data or extdata
/// ("not found", including 0xC8A04478 whose summary is "invalid state")
/// says nothing about the app's rights, nor does any other failure of one
/// title: those are that title's state, shown in the list. Only a refusal
/// of rights ("not authorized") switches the feature off.
pub fn title_saves_access(
    answers: impl IntoIterator<Item = Result<(), ResultCode>>,
) -> Result<(), String> {
    for answer in answers {
        match answer {
            Ok(()) => return Ok(()),
            Err(code) if code.meaning() == FsMeaning::NotAuthorized => {
                return Err(format!("opening a title's save data: {code}"));
            }
            Err(_) => continue,
        }
    }
    // No title to try, or none decided: nothing was refused.
    Ok(())
}

/// The start-up screen shown when some feature is unavailable: one line per
/// notice on the top screen, and on the bottom screen a button to go on
/// (A or a touch anywhere) to what still works. Drawn in `theme`, the one
/// the settings chose (dark when they could not be read).
pub fn draw_notices(
    notices: &[Notice],
    config_problem: Option<&str>,
    theme: Theme,
    out: &mut Frame,
) {
    use crate::ui::display::{BOTTOM_WIDTH, SCREEN_HEIGHT, TOP_WIDTH};
    use crate::ui::theme;

    out.clear();
    out.theme = theme;
    out.top.push(DrawCmd::Rect {
        x: 0,
        y: 0,
        w: TOP_WIDTH,
        h: SCREEN_HEIGHT,
        color: Role::Background,
    });
    out.top.push(DrawCmd::Rect {
        x: 0,
        y: 0,
        w: TOP_WIDTH,
        h: theme::HEADER_HEIGHT,
        color: Role::Bar,
    });
    out.top.push(text_line(
        6,
        3,
        "Keepsake: some features are unavailable here".into(),
        Role::Text,
        TextSize::Normal,
    ));
    let mut y = theme::HEADER_HEIGHT as i16 + 8;
    if let Some(problem) = config_problem {
        out.top.push(text_line(
            8,
            y,
            problem.to_owned(),
            Role::DangerText,
            TextSize::Small,
        ));
        y += 18;
    }
    for notice in notices {
        // Each notice gets two lines: the feature, then the reason.
        out.top.push(text_line(
            8,
            y,
            // Orange text (the badge's colour) is too faint on a light
            // background: the feature is a heading in the text colour.
            notice.feature.label().into(),
            Role::Text,
            TextSize::Normal,
        ));
        out.top.push(text_line(
            16,
            y + 15,
            notice.text.clone(),
            Role::DimText,
            TextSize::Small,
        ));
        y += 36;
    }
    out.bottom.push(DrawCmd::Rect {
        x: 0,
        y: 0,
        w: BOTTOM_WIDTH,
        h: SCREEN_HEIGHT,
        color: Role::Background,
    });
    out.bottom.push(DrawCmd::Rect {
        x: 60,
        y: 100,
        w: 200,
        h: 40,
        color: Role::Button,
    });
    out.bottom.push(DrawCmd::Text {
        x: 160,
        y: 113,
        text: "A: continue".into(),
        size: TextSize::Normal,
        color: Role::Text,
        align: Align::Center,
        max_width: Some(190),
    });
}

/// Whether the user dismissed the start-up notices this frame.
pub fn notices_dismissed(input: &FrameInput) -> bool {
    input.pressed.contains(Buttons::A) || input.touch.is_some()
}

fn text_line(x: i16, y: i16, text: String, color: Role, size: TextSize) -> DrawCmd {
    DrawCmd::Text {
        x,
        y,
        text,
        size,
        color,
        align: Align::Left,
        max_width: Some(crate::ui::display::TOP_WIDTH - x as u16 - 6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::contrast::weak_texts;

    fn all_available(_: Service) -> Result<(), String> {
        Ok(())
    }

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
    fn skipped_services_are_never_asked() {
        let config = ProbeConfig::skipping(&[
            Service::GameCard,
            Service::PxiDev,
            Service::Am,
            Service::TitleSaves,
        ]);
        let mut asked = Vec::new();
        let capabilities = Capabilities::probe(&config, |service| {
            asked.push(service);
            Ok(())
        });
        assert_eq!(asked, [Service::Sd]);
        assert!(capabilities.allows(Feature::SdBackups));
        for feature in [
            Feature::NdsCartridges,
            Feature::Cartridges3ds,
            Feature::InstalledTitles,
        ] {
            assert!(!capabilities.allows(feature), "{feature:?}");
        }
        let notices = capabilities.notices();
        assert_eq!(notices.len(), 3);
        assert_eq!(
            notices[0].text,
            "NDS cartridges need gamecard, whose probing is switched off in config.json"
        );
        // Title saves were skipped too, but the first missing need is named.
        assert_eq!(notices[2].service, Service::Am);
    }

    #[test]
    fn everything_available_means_no_notices() {
        let capabilities = Capabilities::probe(&ProbeConfig::probe_all(), all_available);
        assert!(
            Feature::ALL
                .iter()
                .all(|&feature| capabilities.allows(feature))
        );
        assert!(capabilities.notices().is_empty());
    }

    #[test]
    fn a_refused_pxi_dev_points_to_the_cia_build() {
        let capabilities = Capabilities::probe(&ProbeConfig::probe_all(), |service| {
            if service == Service::PxiDev {
                Err("0xD8E0806A: not authorized".into())
            } else {
                Ok(())
            }
        });
        assert_eq!(
            capabilities.outcome(Service::PxiDev),
            &Outcome::Refused {
                reason: "0xD8E0806A: not authorized".into()
            }
        );
        let notices = capabilities.notices();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].feature, Feature::NdsCartridges);
        assert_eq!(
            notices[0].text,
            "NDS cartridges need pxi:dev: run the CIA build, which has the access rights \
             (0xD8E0806A: not authorized)"
        );
        assert!(capabilities.allows(Feature::Cartridges3ds));
    }

    #[test]
    fn a_missing_am_blocks_title_saves_without_asking() {
        let mut asked = Vec::new();
        let capabilities = Capabilities::probe(&ProbeConfig::probe_all(), |service| {
            asked.push(service);
            if service == Service::Am {
                Err("no service".into())
            } else {
                Ok(())
            }
        });
        assert_eq!(
            asked,
            [Service::Sd, Service::GameCard, Service::PxiDev, Service::Am]
        );
        assert_eq!(
            capabilities.outcome(Service::TitleSaves),
            &Outcome::Blocked {
                missing: Service::Am
            }
        );
        assert!(capabilities.allows(Feature::NdsCartridges));
        assert!(!capabilities.allows(Feature::InstalledTitles));
    }

    #[test]
    fn title_saves_blocked_by_a_skipped_am_says_so() {
        let capabilities =
            Capabilities::probe(&ProbeConfig::skipping(&[Service::Am]), all_available);
        let installed = capabilities
            .notices()
            .into_iter()
            .find(|notice| notice.feature == Feature::InstalledTitles)
            .unwrap();
        assert_eq!(
            installed.text,
            "Installed titles need am, whose probing is switched off in config.json"
        );
    }

    #[test]
    fn no_sd_card_leaves_nothing_but_says_what_to_do() {
        let capabilities = Capabilities::probe(&ProbeConfig::probe_all(), |service| {
            if service == Service::Sd {
                Err("0xC8804478: media not found".into())
            } else {
                Ok(())
            }
        });
        assert!(
            Feature::ALL
                .iter()
                .all(|&feature| !capabilities.allows(feature))
        );
        let notices = capabilities.notices();
        assert_eq!(notices.len(), 4);
        assert!(notices.iter().all(|notice| notice.service == Service::Sd));
        assert!(notices[0].text.contains("insert an SD card"));
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
    fn the_notice_screen_names_each_feature_and_how_to_go_on() {
        let capabilities =
            Capabilities::probe(&ProbeConfig::skipping(&[Service::PxiDev]), |service| {
                if service == Service::Am {
                    Err("0xD8E06406: no permission".into())
                } else {
                    Ok(())
                }
            });
        let notices = capabilities.notices();
        let mut frame = Frame::default();
        draw_notices(&notices, None, Theme::Light, &mut frame);
        assert_eq!(frame.theme, Theme::Light);
        let top = frame.texts(crate::ui::Screen::Top);
        assert!(top.contains(&"NDS cartridges"), "{top:?}");
        assert!(top.contains(&"Installed titles"), "{top:?}");
        assert!(
            top.iter()
                .any(|t| t.contains("pxi:dev, whose probing is switched off"))
        );
        assert!(top.iter().any(|t| t.contains("0xD8E06406")));
        assert!(!top.contains(&"Backups on the SD card"));
        assert_eq!(frame.texts(crate::ui::Screen::Bottom), ["A: continue"]);
        // Every line fits the screen it is on.
        for cmd in &frame.top {
            if let DrawCmd::Text {
                x, y, max_width, ..
            } = cmd
            {
                assert!(*y >= 0 && *y < 240 - 10, "{cmd:?}");
                assert!(i32::from(*x) + i32::from(max_width.unwrap()) <= 400);
            }
        }
        assert!(notices_dismissed(&FrameInput::press(Buttons::A)));
        assert!(notices_dismissed(&FrameInput::touch(10, 10)));
        assert!(!notices_dismissed(&FrameInput::press(Buttons::B)));
        assert!(!notices_dismissed(&FrameInput::IDLE));
    }

    #[test]
    fn the_sd_config_wins_and_a_broken_one_probes_only_the_sd_card() {
        let skip_am = br#"{"skip_probe": ["am"]}"#.as_slice();
        let skip_pxi = br#"{"skip_probe": ["pxi:dev"]}"#.as_slice();
        assert_eq!(choose_config(None, None), (ProbeConfig::probe_all(), None));
        assert_eq!(
            choose_config(None, Some(skip_pxi)).0,
            ProbeConfig::skipping(&[Service::PxiDev])
        );
        assert_eq!(
            choose_config(Some(skip_am), Some(skip_pxi)).0,
            ProbeConfig::skipping(&[Service::Am])
        );
        let (config, problem) = choose_config(Some(b"{ skip_probe: }"), Some(skip_pxi));
        assert_eq!(config.skipped().len(), 4);
        let problem = problem.unwrap();
        assert!(problem.starts_with("/3ds/Keepsake/config.json: config.json is not valid JSON"));
        let mut asked = Vec::new();
        Capabilities::probe(&config, |service| {
            asked.push(service);
            Ok(())
        });
        assert_eq!(asked, [Service::Sd]);
        let notices = Capabilities::probe(&ProbeConfig::probe_all(), |service| {
            if service == Service::Am {
                Err("0xD8E06406: no permission".into())
            } else {
                Ok(())
            }
        })
        .notices();
        for theme in Theme::ALL {
            let mut frame = Frame::default();
            draw_notices(&notices, Some(&problem), theme, &mut frame);
            assert!(frame.shows("Only the SD card is used"));
            // Every line of it reads in either theme.
            let (weak, texts) = weak_texts(&frame, frame.palette());
            assert!(texts > 4 && weak.is_empty(), "{theme:?}: {weak:?}");
        }
    }

    #[test]
    fn titles_never_started_or_without_extdata_do_not_switch_title_saves_off() {
        let not_formatted = ResultCode(0xC8A0_4554);
        let no_extdata = ResultCode(0xC8A0_4478);
        // The old rule (a failure whose summary is not "not found" is a
        // refusal) switched the feature off on the first of these.
        assert_ne!(not_formatted.summary(), 4);
        let mut asked = 0;
        let answers = [
            Err(not_formatted),
            Err(no_extdata),
            Ok(()),
            Err(not_formatted),
        ]
        .into_iter()
        .inspect(|_| asked += 1);
        assert_eq!(title_saves_access(answers), Ok(()));
        assert_eq!(asked, 3, "asking stops at the first title that opens");
        // Sixteen and more titles never started: nothing was refused.
        assert_eq!(title_saves_access(vec![Err(not_formatted); 40]), Ok(()));
        assert_eq!(title_saves_access([]), Ok(()));
        // Another failure of one title is that title's, not the app's.
        assert_eq!(
            title_saves_access([Err(ResultCode(0xC880_4464)), Ok(())]),
            Ok(())
        );
    }

    #[test]
    fn a_refusal_of_rights_switches_title_saves_off_and_says_why() {
        // MAKERESULT(RL_PERMANENT, RS_NOTSUPPORTED, RM_FS, RD_NOT_AUTHORIZED).
        let refused = ResultCode(0xD8C0_47EA);
        let reason = title_saves_access([Err(ResultCode(0xC8A0_4554)), Err(refused)]).unwrap_err();
        assert_eq!(
            reason,
            "opening a title's save data: 0xD8C047EA (permanent, not supported, FS, \
             description 1002: not authorized)"
        );
        let capabilities = Capabilities::probe(&ProbeConfig::probe_all(), |service| {
            if service == Service::TitleSaves {
                title_saves_access([Err(refused)])
            } else {
                Ok(())
            }
        });
        assert!(!capabilities.allows(Feature::InstalledTitles));
        assert!(capabilities.notices()[0].text.contains("not authorized"));
    }

    #[test]
    fn the_built_in_config_shipped_in_romfs_probes_everything() {
        let shipped = include_bytes!("../../../romfs/config.json");
        assert_eq!(
            choose_config(None, Some(shipped)),
            (ProbeConfig::probe_all(), None)
        );
    }
}
