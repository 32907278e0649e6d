//! What the UI needs from the rest of the app, as one trait.
//!
//! The screens never open a card, a file or an archive themselves: they ask
//! an [`AppModel`] for titles and backups, ask it to start, step and cancel
//! jobs, and show what it reports. The console backs it with the real
//! platform, the PC preview and the tests with the simulated console.

use std::fmt;
use std::sync::Arc;

use keepsake_format::icon::RgbaImage;

pub use crate::platform::ArchiveKind;
pub use crate::platform::DateTime;
pub use crate::store::Theme;

/// Identifies a title across frames (a title id, a game code): opaque to the UI.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TitleKey(pub String);

/// Identifies a backup of a title (its folder or file): opaque to the UI.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BackupKey(pub String);

impl BackupKey {
    /// The save on the inserted cartridge itself, for an export straight
    /// from the chip. Backups are keyed by their paths, never empty, so the
    /// empty key names no backup.
    pub fn cartridge() -> Self {
        BackupKey(String::new())
    }

    /// Whether this is [`Self::cartridge`].
    pub fn is_cartridge(&self) -> bool {
        self.0.is_empty()
    }
}

/// Where a title lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TitleSource {
    /// The NDS cartridge in the slot.
    NdsCartridge,
    /// The 3DS cartridge in the slot.
    CtrCartridge,
    /// A title installed on the SD card.
    SdCard,
    /// A GBA Virtual Console title installed on the SD card: its save is
    /// the GBA save in the system's AGBSAVE container (see `app/gba.rs`).
    GbaVc,
    /// A title on the SD card without save data that may be a GBA Virtual
    /// Console title: this console cannot reach GBA saves to tell.
    MaybeGbaVc,
    /// A DSiWare title on the console's memory, listed when the setting
    /// asks for it (see `ui/dsiware.rs`).
    DsiWare,
    /// The console's own data (a system title's save, shared or SpotPass
    /// extdata), listed in a section of its own when the setting asks for
    /// it (see `app/system.rs`).
    System,
    /// A title folder in a backup root whose title is neither installed
    /// nor in the slot: its backups can be browsed and deleted, not
    /// restored.
    BackupsOnly,
}

impl TitleSource {
    pub fn is_cartridge(self) -> bool {
        matches!(self, TitleSource::NdsCartridge | TitleSource::CtrCartridge)
    }

    /// Where the list puts it: the cartridge, installed titles, the
    /// console's own data, then folders that only hold backups.
    pub fn list_rank(self) -> u8 {
        match self {
            TitleSource::NdsCartridge | TitleSource::CtrCartridge => 0,
            TitleSource::SdCard
            | TitleSource::GbaVc
            | TitleSource::MaybeGbaVc
            | TitleSource::DsiWare => 1,
            TitleSource::System => 2,
            TitleSource::BackupsOnly => 3,
        }
    }

    /// The short badge shown beside a cartridge (or a GBA game) in the list.
    pub fn badge(self) -> Option<&'static str> {
        match self {
            TitleSource::NdsCartridge => Some("NDS CARD"),
            TitleSource::CtrCartridge => Some("3DS CARD"),
            TitleSource::SdCard => None,
            TitleSource::GbaVc => Some("GBA VC"),
            TitleSource::MaybeGbaVc => Some("GBA VC?"),
            TitleSource::DsiWare => Some("DSiWare"),
            TitleSource::System => Some("SYSTEM"),
            TitleSource::BackupsOnly => Some("BACKUPS"),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            TitleSource::NdsCartridge => "NDS cartridge in the slot",
            TitleSource::CtrCartridge => "3DS cartridge in the slot",
            TitleSource::SdCard => "installed on the SD card",
            TitleSource::GbaVc => "GBA Virtual Console, on the SD card",
            TitleSource::MaybeGbaVc => "on the SD card; GBA game or not: unknown",
            TitleSource::DsiWare => "DSiWare, in the console's memory",
            TitleSource::System => "the console's own data",
            TitleSource::BackupsOnly => "backups only: not installed, no cartridge",
        }
    }
}

/// One title as the UI shows it.
#[derive(Clone, Debug)]
pub struct TitleInfo {
    pub key: TitleKey,
    pub name: String,
    pub publisher: String,
    /// "Title ID" or "Game code", for the label beside [`Self::id_text`].
    pub id_label: &'static str,
    /// The title id (`0004000000055D00`) or the game code (`ASCE`).
    pub id_text: String,
    pub source: TitleSource,
    /// The save's kind and size when known (`EEPROM 64 KiB`).
    pub save_kind: Option<String>,
    pub icon: Option<Arc<RgbaImage>>,
    pub backup_count: usize,
}

impl TitleInfo {
    /// Whether it is an NDS game (its id is a game code): only NDS saves
    /// are exported for flashcarts and emulators.
    pub fn is_nds(&self) -> bool {
        self.id_label == NDS_ID_LABEL
    }
}

/// The [`TitleInfo::id_label`] of every NDS game.
pub const NDS_ID_LABEL: &str = "Game code";

/// Which program made a backup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackupOrigin {
    Keepsake,
    /// Made by Keepsake before a restore overwrote the save.
    AutomaticBeforeRestore,
    Checkpoint,
    /// In one of JKSM's folders (shared or SpotPass extdata, see
    /// `store::system_folders`), not made by Keepsake.
    Jksm,
    TwlSaveTool,
    /// A flashcart or emulator file placed in a backup folder; the text names
    /// its kind (`DeSmuME .dsv`, `padded 512 KiB .sav`).
    Imported(String),
    /// A save found where people keep them, outside the backup folders.
    Found {
        /// Where (`TWiLight Menu++ save`, `import folder`).
        place: String,
        /// What a restore does (`512 KiB flashcart save -> EEPROM 8 KiB,
        /// nothing lost`) or why it cannot.
        restore: String,
        /// The file on the SD card.
        path: String,
    },
}

impl fmt::Display for BackupOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackupOrigin::Keepsake => f.write_str("Keepsake"),
            BackupOrigin::AutomaticBeforeRestore => f.write_str("automatic, before a restore"),
            BackupOrigin::Checkpoint => f.write_str("Checkpoint"),
            BackupOrigin::Jksm => f.write_str("JKSM"),
            BackupOrigin::TwlSaveTool => f.write_str("TWLSaveTool"),
            BackupOrigin::Imported(kind) => write!(f, "imported {kind}"),
            BackupOrigin::Found { place, restore, .. } => write!(f, "{place}: {restore}"),
        }
    }
}

impl BackupOrigin {
    /// One word for a list row; the details give the whole of it.
    pub fn short(&self) -> &'static str {
        match self {
            BackupOrigin::Keepsake => "Keepsake",
            BackupOrigin::AutomaticBeforeRestore => "automatic",
            BackupOrigin::Checkpoint => "Checkpoint",
            BackupOrigin::Jksm => "JKSM",
            BackupOrigin::TwlSaveTool => "TWLSaveTool",
            BackupOrigin::Imported(_) => "imported",
            BackupOrigin::Found { .. } => "found",
        }
    }
}

/// One backup as the UI shows it.
#[derive(Clone, Debug)]
pub struct BackupInfo {
    pub key: BackupKey,
    /// The folder or file name (`20261121-180455`, or a typed name): the
    /// one name the list, the details, every question and every refusal
    /// give it, as the SD card shows it.
    pub name: String,
    pub created: Option<DateTime>,
    pub size: u64,
    pub origin: BackupOrigin,
}

/// Why an action was not started, in plain words, with what to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub reason: String,
    pub advice: String,
}

/// What a restore is about to do, for the confirmation screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestorePlan {
    /// What gets overwritten (`the save on the cartridge SONIC RUSH (EEPROM 8 KiB)`).
    pub overwrites: String,
    /// How the backup is fitted to it, when it is (`a 512 KiB flashcart file,
    /// trimmed to 8 KiB: the rest is padding`).
    pub conversion: Option<String>,
    /// Where the automatic backup of the current save will go.
    pub automatic_backup: String,
}

/// The kind of a long job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Backup,
    Restore,
    /// "Find saves on the SD card".
    FindSaves,
    /// The NDS cartridge's save exported for a flashcart or an emulator.
    Export,
}

impl JobKind {
    /// Whether holding B (or the Cancel button) stops it: jobs that only
    /// read the save and write nothing until their end.
    pub fn cancellable(self) -> bool {
        matches!(self, JobKind::Backup | JobKind::Export)
    }
}

/// A question asked after the restore's confirmation, before anything is
/// written (a save that cannot be checked, a save of a patched ROM).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub headline: String,
    pub lines: Vec<String>,
    pub yes_label: &'static str,
}

/// How far a job is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// What the job does right now (`Reading the cartridge`).
    pub stage: String,
    /// How far, in the save's terms (`3 of 32 differing pages written (96
    /// B of the 8 KiB save)`).
    pub detail: String,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// How a job ended, in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub succeeded: bool,
    pub headline: String,
    /// Facts: what was verified, how many bytes were written, where the
    /// automatic backup is.
    pub details: Vec<String>,
    /// What to do next, when something went wrong.
    pub advice: Option<String>,
}

impl Outcome {
    pub fn from_refusal(headline: impl Into<String>, refusal: Refusal) -> Self {
        Self {
            succeeded: false,
            headline: headline.into(),
            details: vec![refusal.reason],
            advice: Some(refusal.advice),
        }
    }
}

/// How a backup of several titles ended (see `ui/batch.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Whether the user stopped it.
    pub cancelled: bool,
    /// Each title's name and how its backup ended, in the order backed up.
    pub titles: Vec<(String, Outcome)>,
}

/// A job after one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobStatus {
    Running(Progress),
    Finished(Outcome),
    /// A backup of several titles ended.
    BatchFinished(BatchOutcome),
}

/// The user's settings, as the settings screen edits them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The folders new backups can go to; `backup_root` indexes it.
    pub backup_roots: Vec<String>,
    pub backup_root: usize,
    /// Ask before every restore. Off only skips the question, never the
    /// validation or the automatic backup.
    pub confirm_restores: bool,
    /// The screens' colours.
    pub theme: Theme,
    /// List the console's own data (system saves, shared and SpotPass
    /// extdata); Checkpoint's `nand_saves`, off unless asked for.
    pub system_data: bool,
    /// List DSiWare titles; Checkpoint's `dsiware_saves`, off unless asked
    /// for.
    pub dsiware: bool,
}

/// A restore (or erase) that did not finish, as its screen shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnfinishedInfo {
    /// The title it concerns, when the list holds it.
    pub title: Option<TitleKey>,
    /// The game's name.
    pub title_name: String,
    /// What happened, in one line.
    pub headline: String,
    /// What the save may be now, and where the save as it was is.
    pub lines: Vec<String>,
    /// What putting back writes, as the screen names it ("its extra
    /// data", "the cartridge's save").
    pub destination: String,
    /// Whether the automatic backup can be put back now; when not, why and
    /// what to do.
    pub put_back: Result<(), Refusal>,
}

pub use crate::store::export::ExportKind;
pub use crate::store::title_prefs::{TitleFilter, TitleSort, is_system_title};

/// How the title list is narrowed and ordered, and which titles are
/// favourites (see `app/title_view.rs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TitleView {
    pub filter: TitleFilter,
    pub sort: TitleSort,
    /// Each listed title's id as Checkpoint keys it (an NDS cartridge's is
    /// made from its game code).
    pub ids: std::collections::BTreeMap<TitleKey, u64>,
    /// The favourites' ids.
    pub favourites: std::collections::BTreeSet<u64>,
    /// Whether the console's own data is listed (Settings > System data),
    /// so that an empty "system" filter can say how to list it.
    pub system_data_listed: bool,
}

/// Why a model without a title view refuses a change of it.
fn no_title_view() -> Refusal {
    Refusal {
        reason: "This console cannot remember favourites or the list's order.".into(),
        advice: "The list stays as it is.".into(),
    }
}

/// Why a model without exports refuses one.
fn no_export() -> Refusal {
    Refusal {
        reason: "This console cannot export saves.".into(),
        advice: "Copy the backup's file on a PC instead.".into(),
    }
}

/// The app as the screens see it.
pub trait AppModel {
    /// Looks at the card slot and anything else that changes on its own;
    /// called once a frame, so it must be cheap when nothing changed.
    fn poll(&mut self);

    /// Changes whenever the title list or any backup list changed.
    fn generation(&self) -> u64;

    /// Every title, in no particular order.
    fn titles(&self) -> Vec<TitleInfo>;

    /// The backups of a title, in no particular order.
    fn backups(&mut self, title: &TitleKey) -> Vec<BackupInfo>;

    /// Starts backing up a title into a new backup named `name`, or by the
    /// date when `None`.
    fn start_backup(&mut self, title: &TitleKey, name: Option<String>) -> Result<(), Refusal>;

    /// Starts backing up `titles` one after another, each into a new
    /// backup named by the date (see `ui/batch.rs`).
    fn start_batch_backup(&mut self, _titles: &[TitleKey]) -> Result<(), Refusal> {
        Err(Refusal {
            reason: "This console cannot back up several titles at once.".into(),
            advice: "Back up one title at a time with L+A.".into(),
        })
    }

    /// Checks that a backup can be restored onto a title, without touching it.
    fn plan_restore(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
    ) -> Result<RestorePlan, Refusal>;

    /// Starts restoring a backup onto a title (it validates again).
    fn start_restore(&mut self, title: &TitleKey, backup: &BackupKey) -> Result<(), Refusal>;

    /// Deletes a backup.
    fn delete_backup(&mut self, title: &TitleKey, backup: &BackupKey) -> Result<(), Refusal>;

    /// Does one bounded piece of the running job; `None` when none runs.
    fn step_job(&mut self) -> Option<JobStatus>;

    /// Asks the running job to stop; false when it cannot be cancelled (a
    /// restore that started writing).
    fn cancel_job(&mut self) -> bool;

    /// Shows the system keyboard and returns what the user typed, or `None`
    /// when they cancelled.
    fn keyboard(&mut self, hint: &str, initial: &str) -> Option<String>;

    /// A standing problem the user should know about while browsing (a
    /// cartridge that cannot be read, settings that could not be loaded, a
    /// service the console does not grant), in plain words.
    fn warning(&self) -> Option<String> {
        None
    }

    fn settings(&self) -> Settings;

    /// The theme the screens are drawn in, asked every frame.
    fn theme(&self) -> Theme {
        self.settings().theme
    }

    /// The questions to ask, after the confirmation, before restoring
    /// `backup` onto `title`; asked even when confirmations are off.
    fn restore_questions(&mut self, _title: &TitleKey, _backup: &BackupKey) -> Vec<Question> {
        Vec::new()
    }

    /// Where exporting `backup` of `title` as `kind` would write, or why it
    /// cannot be exported so.
    fn plan_export(
        &mut self,
        _title: &TitleKey,
        _backup: &BackupKey,
        _kind: ExportKind,
    ) -> Result<String, Refusal> {
        Err(no_export())
    }

    /// Exports `backup` of `title` as `kind` to `destination`, the path
    /// [`Self::plan_export`] named (the question showed it; the clock may
    /// have moved on since).
    fn export_save(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
        _destination: &str,
    ) -> Result<Outcome, Refusal> {
        self.plan_export(title, backup, kind)?;
        Err(no_export())
    }

    /// Starts exporting the inserted cartridge's save ([`BackupKey::cartridge`])
    /// as `kind` to `destination`, the path [`Self::plan_export`] named,
    /// run through [`Self::step_job`] (a large chip takes seconds to read).
    fn start_export(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
        _destination: &str,
    ) -> Result<(), Refusal> {
        self.plan_export(title, backup, kind)?;
        Err(no_export())
    }

    /// Starts "Find saves on the SD card", run through [`Self::step_job`].
    fn start_find_saves(&mut self) -> Result<(), Refusal> {
        Err(Refusal {
            reason: "This console cannot look for saves on the SD card.".into(),
            advice: "Put saves in /3ds/Keepsake/import instead.".into(),
        })
    }

    fn save_settings(&mut self, settings: &Settings) -> Result<(), Refusal>;

    /// The filter, the order and the favourites of the title list.
    fn title_view(&self) -> TitleView {
        TitleView::default()
    }

    /// Shows `filter`'s titles in `sort`'s order from now on. An `Err`
    /// says why it will not be remembered at the next start; it applies
    /// until then either way.
    fn set_title_view(&mut self, _filter: TitleFilter, _sort: TitleSort) -> Result<(), Refusal> {
        Err(no_title_view())
    }

    /// Marks `title` as a favourite, or no longer; an `Err` as for
    /// [`Self::set_title_view`].
    fn set_favourite(&mut self, _title: &TitleKey, _favourite: bool) -> Result<(), Refusal> {
        Err(no_title_view())
    }

    /// Which of a 3DS title's archives the backup list shows and its
    /// backups, restores and deletes act on from now on: save data (what
    /// a model starts with) or extdata (see `ui/archive_switch.rs`).
    fn set_archive_kind(&mut self, _kind: ArchiveKind) {}

    /// Why `title` has no archive of the kind chosen, when it has none (a
    /// game that keeps no extdata), in plain words; `None` when it has one
    /// or the model cannot tell.
    fn missing_archive(&mut self, _title: &TitleKey) -> Option<String> {
        None
    }

    /// A restore that did not finish (found at start-up, or left by a
    /// restore that failed after writing), until it is resolved.
    fn unfinished(&self) -> Option<UnfinishedInfo> {
        None
    }

    /// Starts putting the automatic backup of the unfinished restore back.
    fn put_back(&mut self) -> Result<(), Refusal> {
        Err(Refusal {
            reason: "No restore was left unfinished.".into(),
            advice: "Nothing needs putting back.".into(),
        })
    }

    /// Keeps the save as the unfinished restore left it: the record goes,
    /// the automatic backup stays among the title's backups.
    fn keep_as_is(&mut self) -> Result<(), Refusal> {
        Ok(())
    }
}
