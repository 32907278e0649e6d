//! The model's side of finding a title in a long list (the screens' side
//! is `app/title_view.rs`): favourites, the list's filter and order, read at
//! start from `config.json` (or Checkpoint's favourites when Keepsake has
//! none yet, see [`crate::store::title_prefs`]) and written back, every
//! other key kept, when the user changes them.

use super::console_model::ConsoleModel;
use crate::platform::Console;
use crate::platform::SdCard;
use crate::store::Config;
use crate::store::naming::CONFIG_PATH;
use crate::store::title_prefs::{CHECKPOINT_CONFIG_PATH, TitlePrefs, checkpoint_favourites};
use crate::ui::model::{Refusal, TitleFilter, TitleKey, TitleSort, TitleView};

/// What the model keeps of the title list's settings.
#[derive(Debug, Default)]
pub(crate) struct Finding {
    prefs: TitlePrefs,
    /// Why `config.json` could not be read at start, when it could not:
    /// the file is then left as it is (changes last until the app exits),
    /// so what the user wrote in it is not lost to the defaults.
    unreadable: Option<String>,
}

impl Finding {
    /// Reads the settings out of the loaded `config` (`unreadable` when the
    /// file could not be read); a part that cannot be used is added to
    /// `warnings` and defaulted. Without a favourites list of its own,
    /// Checkpoint's is shown.
    pub(crate) fn load(
        sd: &mut dyn SdCard,
        config: &Config,
        unreadable: Option<String>,
        warnings: &mut Vec<String>,
    ) -> Self {
        let (mut prefs, problems) = TitlePrefs::read(config);
        for problem in problems {
            warnings.push(format!("{CONFIG_PATH}: {problem}; using the default"));
        }
        if !TitlePrefs::has_favourites(config) {
            // Checkpoint's file is only a courtesy: when it cannot be read,
            // there are simply no favourites yet.
            if let Ok(bytes) = sd.read(CHECKPOINT_CONFIG_PATH) {
                if let Ok(favourites) = checkpoint_favourites(&bytes) {
                    prefs.favourites = favourites;
                }
            }
        }
        Self { prefs, unreadable }
    }
}

impl<C: Console> ConsoleModel<C> {
    /// The list's settings, with every listed title's Checkpoint id.
    pub(crate) fn current_title_view(&self) -> TitleView {
        TitleView {
            filter: self.finding.prefs.filter,
            sort: self.finding.prefs.sort,
            ids: self
                .known
                .iter()
                .map(|(key, known)| (key.clone(), known.checkpoint_id()))
                .collect(),
            favourites: self.finding.prefs.favourites.iter().copied().collect(),
            system_data_listed: self.config.nand_saves,
        }
    }

    pub(crate) fn change_title_view(
        &mut self,
        filter: TitleFilter,
        sort: TitleSort,
    ) -> Result<(), Refusal> {
        self.finding.prefs.filter = filter;
        self.finding.prefs.sort = sort;
        self.remember_title_view()
    }

    pub(crate) fn change_favourite(
        &mut self,
        title: &TitleKey,
        favourite: bool,
    ) -> Result<(), Refusal> {
        let Some(known) = self.known.get(title) else {
            return Err(Refusal {
                reason: "That title is no longer listed.".into(),
                advice: "Choose it again once it is back.".into(),
            });
        };
        let id = known.checkpoint_id();
        self.finding.prefs.set_favourite(id, favourite);
        self.remember_title_view()
    }

    /// Why `config.json` must not be written, when it could not be read at
    /// start: it holds the user's settings and other tools' keys, which
    /// defaults must not replace.
    pub(crate) fn config_not_to_be_written(&self) -> Option<Refusal> {
        let why = self.finding.unreadable.as_ref()?;
        Some(Refusal {
            reason: format!(
                "{CONFIG_PATH} could not be read ({why}), so Keepsake does not write over it: \
                 this lasts until Keepsake exits."
            ),
            advice: "Correct or delete the file, then start Keepsake again.".into(),
        })
    }

    /// Writes the list's settings into `config.json`, every other key kept.
    fn remember_title_view(&mut self) -> Result<(), Refusal> {
        if let Some(refusal) = self.config_not_to_be_written() {
            return Err(refusal);
        }
        let mut config = self.config.clone();
        self.finding.prefs.write_into(&mut config);
        config
            .save(self.console.devices().sd)
            .map_err(|e| Refusal {
                reason: format!(
                    "{CONFIG_PATH} could not be written ({e}): this lasts until Keepsake exits."
                ),
                advice: "Check that the SD card is in, not locked and not full.".into(),
            })?;
        self.config = config;
        Ok(())
    }
}
