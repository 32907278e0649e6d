//! A simulated console on real inputs: the SD card a folder on the PC
//! (`--sd`), NDS cartridges described on the command line (`--nds-card`),
//! sample SD titles unless `--no-titles`. `event card-out` pulls the card in
//! the slot; `event card-in` inserts the next `--nds-card` in the order
//! given, and once every one has been in, the one pulled last goes back.

use std::collections::VecDeque;

use keepsake_core::app::ConsoleModel;
use keepsake_core::app::demo;
use keepsake_core::platform::{Console, Devices, SdCard};
use keepsake_core::sim::{SimCard, SimClock, SimConsole};
use keepsake_core::ui::AppModel;

use super::keyboard::PreviewKeyboard;

use super::dir_sd::DirSd;
use super::runner::World;

/// How many sample SD titles a run gets unless `--no-titles`.
const SAMPLE_TITLES: usize = 4;

/// The events of a run on real inputs.
pub const EVENTS: &[&str] = &["card-out", "card-in"];

/// The simulated console with the SD card swapped for a folder when asked.
pub struct PreviewConsole {
    pub sim: SimConsole,
    pub dir: Option<DirSd>,
}

impl Console for PreviewConsole {
    fn devices(&mut self) -> Devices<'_> {
        let sd: &mut dyn SdCard = match &mut self.dir {
            Some(dir) => dir,
            None => &mut self.sim.sd,
        };
        Devices {
            card: &mut self.sim.card,
            archives: &mut self.sim.archives,
            sd,
            titles: &mut self.sim.titles,
            gba_vc: &mut self.sim.gba_vc,
            clock: &self.sim.clock,
        }
    }
}

/// What a run on real inputs starts with.
pub struct Setup {
    pub sd: Option<DirSd>,
    /// The cartridges, in the order `--nds-card` gave them; the first is in
    /// the slot at start.
    pub cards: Vec<SimCard>,
    pub titles: bool,
    /// Seconds since 1970 for the console's clock.
    pub now: u64,
}

/// The world of a run on real inputs.
pub struct RealWorld {
    model: ConsoleModel<PreviewConsole>,
    waiting: VecDeque<SimCard>,
    /// The card pulled out last, if it is still out.
    pulled: Option<SimCard>,
    keyboard: PreviewKeyboard,
}

impl RealWorld {
    pub fn new(setup: Setup) -> Self {
        let mut sim = SimConsole::new();
        sim.clock = SimClock::new(setup.now);
        if setup.titles {
            demo::install_sample_titles(&mut sim, SAMPLE_TITLES);
        }
        let mut waiting: VecDeque<SimCard> = setup.cards.into();
        if let Some(first) = waiting.pop_front() {
            sim.card.insert(first);
        }
        let console = PreviewConsole { sim, dir: setup.sd };
        let keyboard = PreviewKeyboard::default();
        Self {
            model: ConsoleModel::new(console, Box::new(keyboard.clone())),
            waiting,
            pulled: None,
            keyboard,
        }
    }

    /// The NDS chip's contents: the card in the slot's, or the one pulled
    /// out last.
    pub fn chip_contents(&self) -> Option<Vec<u8>> {
        let slot = &self.model.console().sim.card;
        let chip = match (slot.nds_chip(), &self.pulled) {
            (Some(chip), _) => chip,
            (None, Some(SimCard::Nds(card))) => &card.chip,
            _ => return None,
        };
        Some(chip.memory().to_vec())
    }
}

impl World for RealWorld {
    fn model(&mut self) -> &mut dyn AppModel {
        &mut self.model
    }

    fn event(&mut self, event: &str) -> Result<(), String> {
        let slot = &mut self.model.console_mut().sim.card;
        match event {
            "card-out" => {
                if let Some(card) = slot.eject() {
                    self.pulled = Some(card);
                }
                Ok(())
            }
            "card-in" => {
                if slot.card().is_some() {
                    return Err("card-in: a card is in the slot already (pull it with event card-out first)".into());
                }
                let card = self
                    .waiting
                    .pop_front()
                    .or_else(|| self.pulled.take())
                    .ok_or("card-in: no --nds-card is left to insert")?;
                slot.insert(card);
                Ok(())
            }
            other => Err(format!(
                "a run on real inputs knows no event {other:?}; its events are {}",
                EVENTS.join(", ")
            )),
        }
    }

    fn type_text(&mut self, text: &str) {
        self.keyboard.answer(Some(text));
    }

    fn keyboard_shown(&mut self) -> Option<(String, Option<String>)> {
        self.keyboard.take_shown()
    }
}
