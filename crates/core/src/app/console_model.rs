//! The [`AppModel`] over a real (or simulated) console: titles from the card
//! slot and the title list, backups from the store, jobs from `jobs`.
//!
//! It owns the console and remembers what the screens need between frames:
//! the titles (reloaded when the card slot changes), the backups listed last
//! (so a key from the screen maps back to a store entry), the settings and
//! the running job. A cartridge inserted while the app runs is identified
//! a bounded step per frame (see [`Identifying`]), listed meanwhile as
//! "identifying..." from its header, so no frame waits for the save chip
//! to be read. Which backups Keepsake made itself is recorded in
//! `/3ds/Keepsake/made.json` (outside every backup folder, which must hold
//! nothing but the save), so the list can tell them from Checkpoint's.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use keepsake_format::icon;
use keepsake_format::smdh::{Language, Smdh};
use serde::{Deserialize, Serialize};

use super::running_job::RunningJob;
use crate::app::{SystemEvents, Unfinished};
use crate::nds_card::{Identifying, InsertedNds};
use crate::platform::sd::{read_recovering, write_atomic};
use crate::platform::titles::{ArchiveProbe, SaveState, probe_archives};
use crate::platform::{ArchiveKind, CardKind, Console, DateTime, MediaType, SdCard, TitleError};
use crate::store::naming::{
    CHECKPOINT_SAVES, KEEPSAKE_DIR, game_code_of_folder, unique_id_of_folder,
};
use crate::store::title_cache::{self, TitleRecord};
use crate::store::title_scan::TitleScan;
use crate::store::{BackupEntry, BackupTitle, Config, clean_staging, list_backups, title_dir};
use crate::ui::keyboard::Keyboard;
use crate::ui::model::*;

/// Our UI settings, beside the store's `config.json`.
pub const UI_SETTINGS_PATH: &str = "/3ds/Keepsake/ui.json";
/// The backups Keepsake made, as a JSON list of folder paths.
pub const MADE_PATH: &str = "/3ds/Keepsake/made.json";
/// The second backup root offered in the settings.
pub const KEEPSAKE_SAVES: &str = "/3ds/Keepsake/saves";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct UiSettings {
    pub(super) confirm_restores: bool,
}

impl Default for UiSettings {
    fn default() -> Self {
        Self {
            confirm_restores: true,
        }
    }
}

/// What shows as the save kind of a cartridge whose chip is being detected.
pub const IDENTIFYING: &str = "identifying...";

/// What the card slot holds, as last identified.
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    Empty,
    /// An NDS card whose header is read and whose chip is being detected.
    Identifying(Identifying),
    Nds(InsertedNds),
    Ctr {
        title_id: u64,
        /// What its archives said when it went in.
        archives: ArchiveProbe,
    },
    /// A card that could not be identified, and why.
    Unreadable(String),
}

/// A title the model knows, and how to reach its save.
#[derive(Debug, Clone)]
pub(crate) enum Known {
    NdsCard(InsertedNds),
    /// An NDS card still being identified: its backups can be listed, no
    /// job can run on it yet.
    NdsIdentifying(BackupTitle),
    Ctr {
        title_id: u64,
        media: MediaType,
        short_title: String,
    },
    /// A GBA Virtual Console title on the SD card (see `app/gba.rs`); its
    /// backups are in its folder of the saves root, as a 3DS title's.
    GbaVc {
        title_id: u64,
        media: MediaType,
        short_title: String,
        /// What its save said when it was last looked at.
        state: crate::platform::GbaVcProbe,
    },
    /// A title folder in a backup root whose title is neither installed nor
    /// in the slot: browsable, never a job's target.
    BackupsOnly(BackupTitle),
    /// One archive of the console's own data (see `app/system.rs`).
    System {
        archive: crate::platform::ArchiveId,
        short_title: String,
    },
    /// A DSiWare title on the NAND (see `ui/dsiware.rs`).
    DsiWare(crate::store::dsiware_scan::DsiWareRecord),
}

impl Known {
    pub(crate) fn backup_title(&self) -> BackupTitle {
        match self {
            Known::NdsCard(card) => card.title(),
            Known::NdsIdentifying(title) | Known::BackupsOnly(title) => title.clone(),
            Known::Ctr {
                title_id,
                short_title,
                ..
            }
            | Known::GbaVc {
                title_id,
                short_title,
                ..
            } => BackupTitle::Ctr {
                title_id: *title_id,
                short_title: short_title.clone(),
            },
            Known::System {
                archive,
                short_title,
            } => BackupTitle::Ctr {
                title_id: archive.title_id,
                short_title: short_title.clone(),
            },
            Known::DsiWare(record) => record.backup_title(),
        }
    }

    /// Checkpoint's key of the title (favourites, the sort by id): a
    /// DSiWare title's own title id, as Checkpoint `probeTwl` keeps it,
    /// though its folder is named as an NDS cartridge's.
    pub(crate) fn checkpoint_id(&self) -> u64 {
        match self {
            Known::DsiWare(record) => record.title_id,
            other => crate::store::title_prefs::checkpoint_id(&other.backup_title()),
        }
    }

    /// The archive kind an entry always acts on, when it has only one (the
    /// console's own data); `None` when the list's switch decides.
    pub(crate) fn fixed_kind(&self) -> Option<ArchiveKind> {
        match self {
            Known::System { archive, .. } => Some(archive.kind),
            Known::DsiWare(_) => Some(ArchiveKind::DsiWareSave),
            _ => None,
        }
    }
}

/// How many backups of a title the store lists (0 when its folders
/// cannot be read: the count is only shown).
fn count_backups(sd: &mut dyn SdCard, config: &Config, known: &Known) -> usize {
    let kind = known.fixed_kind().unwrap_or(ArchiveKind::SaveData);
    list_backups(sd, config, &known.backup_title(), kind).map_or(0, |list| list.len())
}

/// The app model over a console `C`.
pub struct ConsoleModel<C: Console> {
    pub(crate) console: C,
    pub(crate) keyboard: Box<dyn Keyboard>,
    pub(crate) generation: u64,
    pub(super) last_inserted: Option<Option<CardKind>>,
    pub(crate) slot: Slot,
    pub(crate) sd_titles: Vec<(TitleInfo, Known)>,
    /// Title folders found in the backup roots, listed when no installed
    /// title or cartridge claims them.
    folder_titles: Vec<(TitleInfo, Known)>,
    pub(crate) known: BTreeMap<TitleKey, Known>,
    pub(crate) titles: Vec<TitleInfo>,
    pub(crate) entries: BTreeMap<BackupKey, BackupEntry>,
    pub(crate) config: Config,
    /// Favourites, the title list's filter and order (`app/title_view.rs`).
    pub(crate) finding: super::title_view::Finding,
    pub(super) ui_settings: UiSettings,
    pub(crate) made: BTreeSet<String>,
    pub(crate) job: Option<RunningJob>,
    /// The title the running (or last) job works on.
    pub(crate) job_title: Option<TitleKey>,
    /// The name of the title the running (or last) job works on.
    pub(crate) job_game: String,
    /// Why the settings could not be read at start, if they could not.
    pub startup_warning: Option<String>,
    /// The refresh of the installed titles, a few per frame, while the
    /// cached list is shown.
    title_scan: Option<TitleScan>,
    /// Why the installed titles could not be listed, if they could not.
    pub(super) titles_problem: Option<String>,
    /// A restore that did not finish, until it is resolved.
    pub(crate) unfinished: Option<Unfinished>,
    /// Why the restore journal could not be read, when it could not.
    pub(crate) journal_problem: Option<String>,
    /// The automatic backup the running job puts back, when it does.
    pub(crate) putting_back: Option<String>,
    /// Saves found where people keep them (see `app/found.rs`).
    pub(crate) found: super::found::FoundSaves,
    /// The automatic backup's folder name the last restore question gave,
    /// with the title and backup it was for: the restore that follows uses
    /// it, so the folder is the one the user was told of.
    pub(crate) planned_auto: Option<(TitleKey, BackupKey, String)>,
    /// Which archive of a 3DS title the backup list and its jobs act on
    /// (see `app/extdata.rs`).
    pub(crate) archive_kind: ArchiveKind,
    /// What the last look at each title's extdata found missing.
    pub(crate) missing_extdata: BTreeMap<TitleKey, Option<String>>,
    /// The console's own data, when the setting lists it (`app/system.rs`).
    pub(crate) system: super::system::SystemData,
    /// DSiWare titles, when the setting lists them (`ui/dsiware.rs`).
    pub(crate) dsiware: super::dsiware::DsiWareData,
}

/// How many installed titles a frame looks at while the cached list shows:
/// one title is an SMDH read and two archive opens, which may take the
/// console a good part of a frame (to be measured on hardware).
pub(super) const TITLES_PER_FRAME: usize = 1;

/// Bytes of an unfinished restore's automatic backup checked per frame:
/// 256 KiB, a few frames of SD card time, as a job's chunk.
pub(super) const CHECK_BYTES_PER_FRAME: u64 = 256 * 1024;

/// What a title without a save yet says in place of the save's kind.
pub const NO_SAVE_YET: &str = "no save data yet: start the game once";

impl<C: Console> ConsoleModel<C> {
    /// Clears what interrupted backups left in the staging folder, reads the
    /// settings, the installed titles and the card in the slot (all at once:
    /// the app is loading, no frame is shown yet); cards going in later are
    /// identified a step per frame by [`AppModel::poll`].
    pub fn new(mut console: C, keyboard: Box<dyn Keyboard>) -> Self {
        let mut warnings = Vec::new();
        let devices = console.devices();
        // A backup cut short by a power loss or a crash leaves its files in
        // staging; no job runs yet, so none of them can be in use.
        if let Err(e) = clean_staging(devices.sd) {
            warnings.push(format!("Unfinished backups could not be cleared ({e})"));
        }
        let mut config_problem = None;
        let config = Config::load(devices.sd).unwrap_or_else(|e| {
            warnings.push(format!(
                "Settings could not be read ({e}); the defaults are used"
            ));
            config_problem = Some(e.to_string());
            Config::default()
        });
        if let Err(e) = Theme::read(&config) {
            // Dark is used meanwhile; a saved setting replaces the value.
            warnings.push(format!(
                "the theme {} in {} is not known; dark is used",
                e.found,
                crate::store::naming::CONFIG_PATH
            ));
        }
        let finding =
            super::title_view::Finding::load(devices.sd, &config, config_problem, &mut warnings);
        let ui_settings =
            read_json::<UiSettings>(devices.sd, UI_SETTINGS_PATH).unwrap_or_else(|e| {
                warnings.push(e);
                UiSettings::default()
            });
        let made = read_json::<BTreeSet<String>>(devices.sd, MADE_PATH).unwrap_or_else(|e| {
            warnings.push(e);
            BTreeSet::new()
        });
        let found = super::found::FoundSaves::load(devices.sd);
        let mut model = Self {
            console,
            keyboard,
            generation: 0,
            last_inserted: None,
            slot: Slot::Empty,
            sd_titles: Vec::new(),
            folder_titles: Vec::new(),
            known: BTreeMap::new(),
            titles: Vec::new(),
            entries: BTreeMap::new(),
            config,
            finding,
            ui_settings,
            made,
            job: None,
            job_title: None,
            job_game: String::new(),
            startup_warning: (!warnings.is_empty()).then(|| sentence(&warnings.join("; "))),
            title_scan: None,
            titles_problem: None,
            unfinished: None,
            journal_problem: None,
            putting_back: None,
            found,
            planned_auto: None,
            archive_kind: ArchiveKind::SaveData,
            missing_extdata: BTreeMap::new(),
            system: super::system::SystemData::default(),
            dsiware: super::dsiware::DsiWareData::default(),
        };
        model.reload_unfinished();
        model.load_sd_titles();
        if model.sd_titles.is_empty() {
            // No cache to show: the first start reads every title now.
            model.step_title_scan(usize::MAX);
        }
        model.count_sd_titles_backups();
        // The console's own data, when listed, is read a title per frame
        // from the first frame on: no start waits for the NAND's titles.
        model.restart_system_scan();
        model.restart_dsiware_scan();
        let inserted = model.console.devices().card.inserted();
        model.last_inserted = Some(inserted);
        model.read_slot(inserted);
        while let Slot::Identifying(_) = model.slot {
            model.step_identification();
        }
        model.rebuild_titles();
        model
    }

    /// Whether the console's main loop may hand control to the system this
    /// frame (see [`SystemEvents`]): not while a job is writing a save.
    pub fn system_events(&self) -> SystemEvents {
        if self.job.as_ref().is_some_and(RunningJob::critical) {
            SystemEvents::Held
        } else {
            SystemEvents::Allowed
        }
    }

    /// Ends the app, handing the console back (for tests that switch it
    /// off and on).
    pub fn into_console(self) -> C {
        self.console
    }

    /// Reads the restore journal again (at start-up and after every job).
    pub(crate) fn reload_unfinished(&mut self) {
        let devices = self.console.devices();
        match Unfinished::find(devices.sd) {
            Ok(mut found) => {
                // A small automatic backup (an NDS chip, most saves) is
                // checked before the first frame; a large one goes on a
                // frame at a time (see `poll`).
                if let Some(unfinished) = &mut found {
                    unfinished.step_check(devices.sd, CHECK_BYTES_PER_FRAME);
                }
                self.unfinished = found;
                self.journal_problem = None;
            }
            Err(e) => {
                self.unfinished = None;
                self.journal_problem = Some(e.to_string());
            }
        }
        self.generation += 1;
    }

    /// Whether the inserted cartridge is still being identified.
    pub fn identifying(&self) -> bool {
        matches!(self.slot, Slot::Identifying(_))
    }

    /// The console, for the preview's events and for tests.
    pub fn console_mut(&mut self) -> &mut C {
        &mut self.console
    }

    pub fn console(&self) -> &C {
        &self.console
    }

    /// Reads the SD card's title list again (after an install).
    pub fn reload_sd_titles(&mut self) {
        self.load_sd_titles();
        self.step_title_scan(usize::MAX);
        self.count_sd_titles_backups();
        self.rebuild_titles();
    }

    /// Shows the installed titles as the SD card's cache last saw them
    /// (when nothing is shown yet) and starts reading them again; a list
    /// that cannot be read is reported, never shown as empty.
    fn load_sd_titles(&mut self) {
        self.load_folder_titles();
        let devices = self.console.devices();
        if self.sd_titles.is_empty() {
            // A damaged cache is only a slower start: the scan rewrites it.
            if let Ok(Some(records)) = title_cache::load(devices.sd) {
                self.sd_titles = records.iter().map(record_title).collect();
            }
        }
        match TitleScan::start(devices.titles, MediaType::Sd) {
            Ok(scan) => {
                self.title_scan = Some(scan);
                self.titles_problem = None;
            }
            Err(e) => {
                self.title_scan = None;
                let reason = match &e {
                    TitleError::Failed(reason) => reason.clone(),
                    other => other.to_string(),
                };
                let shown = if self.sd_titles.is_empty() {
                    "only the cartridge and the backups are shown."
                } else {
                    "showing the list from the last start."
                };
                self.titles_problem = Some(if reason.starts_with("Installed titles ") {
                    // A start-up notice already said why in full
                    // ("Installed titles need am, ..."): said as it is, and
                    // without the list's state when it is only what the
                    // list shows anyway, so the line fits its two lines.
                    if self.sd_titles.is_empty() {
                        format!("{reason}.")
                    } else {
                        format!("{reason}; {shown}")
                    }
                } else {
                    format!("The installed titles could not be listed ({reason}); {shown}")
                });
            }
        }
    }

    /// Looks at up to `budget` more installed titles; once all are seen,
    /// the list and its cache are replaced. Returns whether that happened.
    pub(super) fn step_title_scan(&mut self, budget: usize) -> bool {
        let Some(scan) = &mut self.title_scan else {
            return false;
        };
        let devices = self.console.devices();
        for _ in 0..budget {
            if scan.step(devices.titles, devices.archives, devices.gba_vc) {
                break;
            }
        }
        if !scan.is_done() {
            return false;
        }
        let records = self
            .title_scan
            .take()
            .map(TitleScan::into_records)
            .unwrap_or_default();
        // Only the next start's speed depends on it.
        let _ = title_cache::save(devices.sd, &records);
        let counted: BTreeMap<TitleKey, usize> = self
            .sd_titles
            .iter()
            .map(|(info, _)| (info.key.clone(), info.backup_count))
            .collect();
        self.sd_titles = records.iter().map(record_title).collect();
        for (info, known) in &mut self.sd_titles {
            info.backup_count = match counted.get(&info.key) {
                Some(&count) => count,
                None => count_backups(devices.sd, &self.config, known),
            };
        }
        true
    }

    /// Reads the title folders of the backup roots. Only folders named the
    /// way Checkpoint names a title (an NDS game code or a 3DS unique id
    /// first) are taken, and only those whose name the store would give
    /// that title again, so listing their backups finds this very folder.
    fn load_folder_titles(&mut self) {
        let devices = self.console.devices();
        let mut roots = vec![self.config.saves_root.clone()];
        if self.config.saves_root != CHECKPOINT_SAVES {
            roots.push(CHECKPOINT_SAVES.to_owned());
        }
        let mut seen = BTreeSet::new();
        let mut titles = Vec::new();
        for root in roots {
            let Ok(entries) = devices.sd.list(&root) else {
                continue;
            };
            for entry in entries.into_iter().filter(|e| e.is_dir) {
                let Some(title) = title_of_folder(&entry.name) else {
                    continue;
                };
                if seen.insert(entry.name.clone()) {
                    titles.push(folder_title(&entry.name, title));
                }
            }
        }
        self.folder_titles = titles;
    }

    /// Looks at the card in the slot: a 3DS card's title id; an NDS card's
    /// header, its chip being left to [`Self::step_identification`].
    pub(super) fn read_slot(&mut self, inserted: Option<CardKind>) {
        let devices = self.console.devices();
        self.slot = match inserted {
            None => Slot::Empty,
            Some(CardKind::Nds) => match Identifying::start(devices.card) {
                Ok(identifying) => Slot::Identifying(identifying),
                Err(e) => Slot::Unreadable(unreadable_nds(&e)),
            },
            Some(CardKind::Ctr) => match devices.card.ctr_title_id() {
                Ok(title_id) => Slot::Ctr {
                    title_id,
                    // Opened once here, while no job holds the archive.
                    archives: probe_archives(devices.archives, MediaType::Card, title_id),
                },
                Err(e) => Slot::Unreadable(format!("The 3DS cartridge could not be read: {e}")),
            },
        };
    }

    /// One bounded step of identifying the NDS card in the slot; when the
    /// chip is known, the card's entry gets its save kind in place (its
    /// backups were counted when it went in).
    pub(super) fn step_identification(&mut self) {
        let Slot::Identifying(identifying) = &mut self.slot else {
            return;
        };
        let devices = self.console.devices();
        match identifying.step(devices.card.spi()) {
            Ok(None) => {}
            Ok(Some(card)) => {
                let key = nds_key(&card.game_code);
                let kind = card.detection.chip.kind().to_string();
                for info in self.titles.iter_mut().filter(|t| t.key == key) {
                    info.save_kind = Some(kind.clone());
                }
                self.known.insert(key, Known::NdsCard(card.clone()));
                self.slot = Slot::Nds(card);
                self.generation += 1;
            }
            Err(e) => {
                self.slot = if devices.card.inserted().is_none() {
                    // Pulled out mid-identification: nothing to explain.
                    self.last_inserted = Some(None);
                    Slot::Empty
                } else {
                    Slot::Unreadable(unreadable_nds(&e))
                };
                self.rebuild_titles();
            }
        }
    }

    /// The whole title list: the card first, then the SD titles, each with
    /// its number of backups. Only the card's backups are counted here: the
    /// SD titles keep the counts [`Self::count_sd_titles_backups`] made, so
    /// a card going in or out does not list hundreds of folders on the SD
    /// card in one frame.
    pub(crate) fn rebuild_titles(&mut self) {
        let mut titles = Vec::new();
        let mut known = BTreeMap::new();
        let devices = self.console.devices();
        match &self.slot {
            Slot::Nds(card) => {
                let save_kind = card.detection.chip.kind().to_string();
                let info = nds_title(devices.card, &card.header_title, &card.game_code, save_kind);
                known.insert(info.key.clone(), Known::NdsCard(card.clone()));
                titles.push(info);
            }
            Slot::Identifying(identifying) => {
                let info = nds_title(
                    devices.card,
                    identifying.header_title(),
                    identifying.game_code(),
                    IDENTIFYING.to_string(),
                );
                known.insert(info.key.clone(), Known::NdsIdentifying(identifying.title()));
                titles.push(info);
            }
            Slot::Ctr { title_id, archives } => {
                if let Ok(smdh) = devices.titles.smdh(MediaType::Card, *title_id) {
                    let (mut info, k) = ctr_title(*title_id, MediaType::Card, &smdh);
                    info.source = TitleSource::CtrCartridge;
                    info.save_kind = save_text(&archives.save, archives.extdata);
                    known.insert(info.key.clone(), k);
                    titles.push(info);
                }
            }
            Slot::Empty | Slot::Unreadable(_) => {}
        }
        for title in &mut titles {
            title.backup_count = count_backups(devices.sd, &self.config, &known[&title.key]);
        }
        let installed = self.sd_titles.iter().chain(&self.dsiware.titles);
        for (info, k) in installed.chain(&self.system.titles) {
            known.insert(info.key.clone(), k.clone());
            titles.push(info.clone());
        }
        // A folder whose title is listed already (the cartridge of that game
        // went in, or the title is installed) is that title's, not a second
        // entry.
        // Naming every title costs an allocation each: only when there are
        // folders to match.
        let claimed: BTreeSet<String> = if self.folder_titles.is_empty() {
            BTreeSet::new()
        } else {
            known
                .values()
                .map(|k| k.backup_title().folder_name())
                .collect()
        };
        for (info, k) in &self.folder_titles {
            if !claimed.contains(&k.backup_title().folder_name()) {
                known.insert(info.key.clone(), k.clone());
                titles.push(info.clone());
            }
        }
        self.titles = titles;
        self.known = known;
        self.generation += 1;
    }

    /// Counts every SD title's backups (at start, after the title list or
    /// the backup root changed).
    fn count_sd_titles_backups(&mut self) {
        let devices = self.console.devices();
        let titles = self.sd_titles.iter_mut().chain(&mut self.folder_titles);
        let titles = titles.chain(&mut self.dsiware.titles);
        for (info, known) in titles.chain(&mut self.system.titles) {
            info.backup_count = count_backups(devices.sd, &self.config, known);
        }
    }

    pub(crate) fn bump(&mut self) {
        self.load_folder_titles();
        self.count_sd_titles_backups();
        self.rebuild_titles();
    }

    /// Counts one title's backups again after a job or a delete, without
    /// listing every other title's folder on the SD card.
    pub(crate) fn recount(&mut self, title: &TitleKey) {
        let Some(known) = self.known.get(title) else {
            return;
        };
        let count = count_backups(self.console.devices().sd, &self.config, known);
        let sd_titles = self
            .sd_titles
            .iter_mut()
            .chain(&mut self.folder_titles)
            .chain(&mut self.system.titles)
            .chain(&mut self.dsiware.titles)
            .map(|(info, _)| info);
        for info in self.titles.iter_mut().chain(sd_titles) {
            if &info.key == title {
                info.backup_count = count;
            }
        }
        self.generation += 1;
    }

    pub(crate) fn record_made(&mut self, folder: &str) {
        self.made.insert(folder.to_owned());
        let json = serde_json::to_vec_pretty(&self.made).expect("a set of strings serializes");
        let devices = self.console.devices();
        // Only the origin label depends on it: a failure here loses no save.
        let _ = devices.sd.create_dir_all(KEEPSAKE_DIR);
        let _ = write_atomic(devices.sd, MADE_PATH, &json);
    }

    pub(crate) fn now(&mut self) -> DateTime {
        self.console.devices().clock.now()
    }

    pub(crate) fn title_dir_of(&self, known: &Known) -> String {
        let kind = known.fixed_kind().unwrap_or(self.archive_kind);
        title_dir(&self.config, &known.backup_title(), kind)
    }

    /// How many backups an entry has, as the list counts them.
    pub(crate) fn count_backups_of(&mut self, known: &Known) -> usize {
        count_backups(self.console.devices().sd, &self.config, known)
    }

    /// Why the slot's card is missing from the list, when it is unreadable.
    pub fn slot_problem(&self) -> Option<&str> {
        match &self.slot {
            Slot::Unreadable(why) => Some(why),
            _ => None,
        }
    }
}

/// The key of the NDS cartridge with this game code.
fn nds_key(game_code: &str) -> TitleKey {
    TitleKey(format!("nds:{game_code}"))
}

/// The title a Checkpoint title folder stands for, when its name says
/// (`ASNE SONICDASH`, `0x0055D Pokémon X`) and the store would name that
/// title's folder the same way.
fn title_of_folder(folder: &str) -> Option<BackupTitle> {
    let rest = |prefix_len: usize| folder.get(prefix_len..).unwrap_or("").trim_start();
    let title = if let Some(unique_id) = unique_id_of_folder(folder) {
        let hex_len = folder.find(' ').unwrap_or(folder.len());
        // The unique id is all the folder keeps of the title id; the
        // application high word is what Checkpoint's 3DS titles carry.
        BackupTitle::Ctr {
            title_id: 0x0004_0000_0000_0000 | (u64::from(unique_id) << 8),
            short_title: rest(hex_len).to_owned(),
        }
    } else {
        let game_code = game_code_of_folder(folder)?;
        BackupTitle::Nds {
            game_code: game_code.to_owned(),
            header_title: rest(4).to_owned(),
        }
    };
    (title.folder_name() == folder).then_some(title)
}

/// The list entry of a backup-only title folder (its backups not counted
/// yet).
fn folder_title(folder: &str, title: BackupTitle) -> (TitleInfo, Known) {
    let (name, id_label, id_text) = match &title {
        BackupTitle::Nds {
            game_code,
            header_title,
        } => (header_title.clone(), NDS_ID_LABEL, game_code.clone()),
        BackupTitle::Ctr {
            title_id,
            short_title,
        } => (
            short_title.clone(),
            "Unique ID",
            format!("0x{:05X}", crate::platform::titles::unique_id(*title_id)),
        ),
    };
    let info = TitleInfo {
        key: TitleKey(format!("folder:{folder}")),
        name: if name.is_empty() {
            folder.to_owned()
        } else {
            name
        },
        publisher: String::new(),
        id_label,
        id_text,
        source: TitleSource::BackupsOnly,
        save_kind: None,
        icon: None,
        backup_count: 0,
    };
    (info, Known::BackupsOnly(title))
}

/// Why the NDS cartridge is not listed, for the warning line.
fn unreadable_nds(error: &impl std::fmt::Display) -> String {
    format!("The NDS cartridge could not be read: {error}")
}

/// The NDS cartridge's entry in the list (its backups not counted yet).
fn nds_title(
    card: &mut dyn crate::platform::CardSlot,
    header_title: &str,
    game_code: &str,
    save_kind: String,
) -> TitleInfo {
    let icon = card
        .nds_banner()
        .ok()
        .and_then(|b| icon::nds_banner_icon(&b).ok())
        .map(Arc::new);
    TitleInfo {
        key: nds_key(game_code),
        name: header_title.to_owned(),
        publisher: String::new(),
        id_label: NDS_ID_LABEL,
        id_text: game_code.to_owned(),
        source: TitleSource::NdsCartridge,
        save_kind: Some(save_kind),
        icon,
        backup_count: 0,
    }
}

fn read_json<T: serde::de::DeserializeOwned + Default>(
    sd: &mut dyn SdCard,
    path: &str,
) -> Result<T, String> {
    match read_recovering(sd, path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|e| format!("{path}: {e}; using the defaults"))
        }
        Err(crate::platform::SdError::NotFound { .. }) => Ok(T::default()),
        Err(e) => Err(format!("{path}: {e}")),
    }
}

/// The list entry of an installed title as the scan (or its cache) saw it.
fn record_title(record: &TitleRecord) -> (TitleInfo, Known) {
    let name = if record.name.is_empty() {
        format!("{:016X}", record.title_id)
    } else {
        record.name.clone()
    };
    let icon = record
        .icon
        .as_ref()
        .and_then(|tiled| icon::tiled_rgb565(tiled, 48).ok())
        .map(Arc::new);
    let (mut info, known) = ctr_info(
        record.title_id,
        record.media,
        name,
        record.publisher.clone(),
        icon,
    );
    info.save_kind = save_text(&record.save, record.extdata);
    if record.gba.listed() {
        return super::gba::as_gba_title(info, known, record);
    }
    (info, known)
}

/// What the title's details say about its save, when there is something
/// to say.
fn save_text(save: &SaveState, extdata: bool) -> Option<String> {
    match save {
        SaveState::Present => None,
        SaveState::NotStarted => Some(NO_SAVE_YET.to_owned()),
        SaveState::Absent if extdata => Some("no save data, only extra data".to_owned()),
        SaveState::Absent => Some("no save data".to_owned()),
        SaveState::Unreadable(reason) => Some(format!("save data unreadable: {reason}")),
    }
}

fn ctr_title(title_id: u64, media: MediaType, smdh: &[u8]) -> (TitleInfo, Known) {
    let parsed = Smdh::parse(smdh).ok();
    let (name, publisher) = parsed.as_ref().map_or_else(
        || (format!("{title_id:016X}"), String::new()),
        |s| {
            let titles = s.titles(Language::English);
            let name = s.short_title(Language::English);
            (
                if name.is_empty() {
                    format!("{title_id:016X}")
                } else {
                    name
                },
                titles.publisher,
            )
        },
    );
    let icon = parsed
        .as_ref()
        .and_then(|s| icon::tiled_rgb565(s.large_icon(), 48).ok())
        .map(Arc::new);
    ctr_info(title_id, media, name, publisher, icon)
}

fn ctr_info(
    title_id: u64,
    media: MediaType,
    name: String,
    publisher: String,
    icon: Option<Arc<icon::RgbaImage>>,
) -> (TitleInfo, Known) {
    let media_tag = match media {
        MediaType::Sd => "sd",
        MediaType::Card => "card",
        MediaType::Nand => "nand",
    };
    let info = TitleInfo {
        key: TitleKey(format!("ctr:{media_tag}:{title_id:016X}")),
        name: name.clone(),
        publisher,
        id_label: "Title ID",
        id_text: format!("{title_id:016X}"),
        source: TitleSource::SdCard,
        save_kind: None,
        icon,
        backup_count: 0,
    };
    (
        info,
        Known::Ctr {
            title_id,
            media,
            short_title: name,
        },
    )
}

/// The date in a backup folder's name (`YYYYMMDD-HHMMSS`, maybe followed by
/// `-auto` or more), if it has one.
pub fn date_of_folder_name(name: &str) -> Option<DateTime> {
    let bytes = name.as_bytes();
    if bytes.len() < 15 || bytes[8] != b'-' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u16> {
        let text = name.get(range)?;
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    };
    let date = DateTime {
        year: digits(0..4)?,
        month: digits(4..6)? as u8,
        day: digits(6..8)? as u8,
        hour: digits(9..11)? as u8,
        minute: digits(11..13)? as u8,
        second: digits(13..15)? as u8,
    };
    let valid = (1..=12).contains(&date.month)
        && (1..=31).contains(&date.day)
        && date.hour < 24
        && date.minute < 60
        && date.second < 60;
    valid.then_some(date)
}

/// The total size of the files under `path` (a file or a folder).
pub(super) fn size_of(sd: &mut dyn SdCard, path: &str, is_dir: bool) -> u64 {
    if !is_dir {
        return sd.read(path).map_or(0, |b| b.len() as u64);
    }
    let Ok(entries) = sd.list(path) else {
        return 0;
    };
    entries
        .iter()
        .map(|e| {
            if e.is_dir {
                size_of(sd, &crate::platform::sd::join(path, &e.name), true)
            } else {
                e.size
            }
        })
        .sum()
}

/// What a folder's files say about where it came from, when it was not
/// made by a save manager: an emulator's or cheat device's file, or a
/// flashcart's `.sav` whose size is not the chip's (`chip_size`, when the
/// chip is known).
pub(super) fn imported_kind(
    sd: &mut dyn SdCard,
    entry: &BackupEntry,
    chip_size: Option<u64>,
) -> Option<String> {
    let files = sd.list(&entry.path).ok()?;
    files.iter().filter(|e| !e.is_dir).find_map(|file| {
        let lower = file.name.to_ascii_lowercase();
        if lower.ends_with(".dsv") {
            Some("DeSmuME .dsv".to_string())
        } else if lower.ends_with(".duc") {
            Some("Action Replay .duc".to_string())
        } else if lower.ends_with(".sav") && chip_size.is_some_and(|size| size != file.size) {
            Some(format!(
                "flashcart .sav ({})",
                crate::ui::theme::format_size(file.size)
            ))
        } else {
            None
        }
    })
}

/// `text` as a sentence: a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_folders_name_their_title_only_when_the_store_names_it_so() {
        assert_eq!(
            title_of_folder("ASNE SONICDASH"),
            Some(BackupTitle::Nds {
                game_code: "ASNE".into(),
                header_title: "SONICDASH".into(),
            })
        );
        assert_eq!(
            title_of_folder("0x0055D Pokémon X"),
            Some(BackupTitle::Ctr {
                title_id: 0x0004_0000_0005_5D00,
                short_title: "Pokémon X".into(),
            })
        );
        // Not Checkpoint's naming, or a name the store would write
        // differently: listing its backups would look elsewhere.
        assert_eq!(title_of_folder("My saves"), None);
        assert_eq!(title_of_folder("0x1 Unpadded"), None);
        assert_eq!(title_of_folder("AB Short code"), None);
        assert_eq!(title_of_folder("ASNE SONIC.DASH"), None);
        assert_eq!(title_of_folder("ASNE SONICDASH "), None);
    }
}
