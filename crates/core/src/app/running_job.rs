//! The job the model runs, with what its report needs: which of the core's
//! jobs it is, and the names its progress and its ending are said with.
//!
//! This is the model's state of a job only; starting, stepping and
//! reporting it are `app/jobs.rs` (and `app/batch_run.rs` for several
//! titles), which use the model, while the model only holds this.

use crate::jobs::{
    BatchBackupJob, CtrBackupJob, CtrRestoreJob, GbaBackupJob, GbaRestoreJob, NdsBackupJob,
    NdsExportJob, NdsRestoreJob,
};
use crate::platform::{ArchiveId, ArchiveKind, MediaType};
use crate::ui::model::TitleKey;

/// The job the model runs, with what its report needs.
pub(crate) enum RunningJob {
    NdsBackup {
        job: NdsBackupJob,
        cancelled: bool,
    },
    NdsRestore {
        job: NdsRestoreJob,
    },
    CtrBackup {
        job: CtrBackupJob,
        cancelled: bool,
    },
    CtrRestore {
        job: CtrRestoreJob,
    },
    /// The cartridge's save exported for a flashcart or an emulator (see
    /// `app/export.rs`).
    NdsExport {
        job: NdsExportJob,
        cancelled: bool,
    },
    /// Several titles backed up one after another (see `app/batch_run.rs`).
    Batch(Box<RunningBatch>),
    /// A GBA Virtual Console title's save (see `app/gba.rs`).
    GbaBackup {
        job: GbaBackupJob,
        cancelled: bool,
    },
    GbaRestore {
        job: GbaRestoreJob,
    },
}

impl RunningJob {
    /// Whether the job is between its first write to a save and the end of
    /// its read-back, when no system event may end the app.
    pub(crate) fn critical(&self) -> bool {
        match self {
            RunningJob::NdsRestore { job } => job.critical(),
            RunningJob::CtrRestore { job } => job.critical(),
            RunningJob::GbaRestore { job } => job.critical(),
            RunningJob::NdsBackup { .. }
            | RunningJob::CtrBackup { .. }
            | RunningJob::GbaBackup { .. }
            | RunningJob::NdsExport { .. }
            | RunningJob::Batch(_) => false,
        }
    }
}

/// A running batch and the names its words need.
pub(crate) struct RunningBatch {
    pub(super) job: BatchBackupJob,
    /// Each target's key, listed name and what its save is on; `nds` when
    /// it is an NDS chip (progress is then in the chip's size).
    pub(super) titles: Vec<BatchTitle>,
}

pub(super) struct BatchTitle {
    pub(super) key: TitleKey,
    pub(super) name: String,
    pub(super) subject: Subject,
    pub(super) nds: bool,
}

/// What a job reads and writes, as its screens name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Subject {
    /// An NDS or 3DS cartridge in the slot.
    Cartridge,
    /// The save data of a title installed on the SD card.
    SdSave,
    /// A title's extdata (on the SD card whatever the title's medium),
    /// or shared or SpotPass extdata.
    Extdata,
    /// The GBA save of a GBA Virtual Console title.
    GbaSave,
}

impl Subject {
    pub(super) fn of(archive: ArchiveId) -> Self {
        match (archive.kind, archive.media) {
            (ArchiveKind::ExtData, _) => Subject::Extdata,
            (ArchiveKind::SaveData, MediaType::Card) => Subject::Cartridge,
            // A system save is save data as a game's: committed, no card.
            (ArchiveKind::SaveData, MediaType::Sd | MediaType::Nand) => Subject::SdSave,
            (ArchiveKind::SharedExtData | ArchiveKind::BossExtData, _) => Subject::Extdata,
            // Files of a save, as an SD title's (no commit: see the report).
            (ArchiveKind::DsiWareSave, _) => Subject::SdSave,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Subject::Cartridge => "the cartridge",
            Subject::SdSave => "the save data",
            Subject::Extdata => "the extdata",
            Subject::GbaSave => "the GBA save",
        }
    }
}
