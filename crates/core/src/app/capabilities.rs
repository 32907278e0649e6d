//! Which system services the console app may use, decided once at start-up.
//!
//! Not every environment grants every service: a `.3dsx` lacks the rights for
//! `pxi:dev` and `am`, and some emulators end the app outright when it merely
//! asks for a service they do not implement. So the app probes each service
//! ([`Service`]) once, in a fixed order, skipping those `config.json`
//! switches off ([`ProbeConfig`]), and derives from the outcomes which
//! features work and what the start-up screen (`ui/notices.rs`) says about
//! the others.
//!
//! This module is pure: the console passes the probe itself as a closure.

use crate::platform::result_code::{FsMeaning, ResultCode};
use crate::platform::services::Service;
use crate::store::probe_config::ProbeConfig;
use crate::ui::notices::NoticeLine;

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
                _ => format!("{label} need {missing}: {}", remedy(*missing)),
            },
            Outcome::Refused { reason } => {
                format!("{label} need {service}: {} ({reason})", remedy(service))
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

impl<'a> From<&'a Notice> for NoticeLine<'a> {
    fn from(notice: &'a Notice) -> Self {
        NoticeLine {
            feature: notice.feature.label(),
            text: &notice.text,
        }
    }
}

/// What the user can do when the service was refused.
fn remedy(service: Service) -> &'static str {
    match service {
        Service::Sd => "insert an SD card and restart",
        Service::GameCard | Service::PxiDev | Service::Am | Service::TitleSaves => {
            "run the CIA build, which has the access rights"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Theme;
    use crate::store::probe_config::choose_config;
    use crate::ui::contrast::weak_texts;
    use crate::ui::notices::{draw_notices, notices_dismissed};
    use crate::ui::{Buttons, DrawCmd, Frame, FrameInput};

    fn all_available(_: Service) -> Result<(), String> {
        Ok(())
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
}
