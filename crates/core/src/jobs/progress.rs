//! What a job reports after each step.

/// The stage a job is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Checking the backup against the card or title.
    Validating,
    /// Reading the save.
    Reading,
    /// Writing the automatic backup of the current save.
    SavingAutoBackup,
    /// Writing the backup (or an export's file) to the SD card.
    WritingBackup,
    /// Writing the save (no cancelling from here on).
    Writing,
    /// Making the written save durable.
    Committing,
    /// Reading back and comparing.
    Verifying,
    /// Finished.
    Done,
}

/// Progress within the current phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The current phase.
    pub phase: Phase,
    /// Bytes done in this phase.
    pub bytes_done: u64,
    /// Bytes this phase handles.
    pub bytes_total: u64,
    /// Items (chunks, pages, files) done in this phase.
    pub items_done: u64,
    /// Items this phase handles.
    pub items_total: u64,
}

impl Progress {
    /// The start of `phase`, with its totals.
    pub fn start(phase: Phase, bytes_total: u64, items_total: u64) -> Self {
        Self {
            phase,
            bytes_done: 0,
            bytes_total,
            items_done: 0,
            items_total,
        }
    }

    /// Accounts for one item of `bytes`.
    pub fn advance(&mut self, bytes: u64) {
        self.bytes_done += bytes;
        self.items_done += 1;
    }

    /// Accounts for `bytes` of an item still under way (one chunk of a
    /// file, so a large file shows progress before it is through).
    pub fn add_bytes(&mut self, bytes: u64) {
        self.bytes_done += bytes;
    }

    /// Accounts for an item whose bytes were counted as they went.
    pub fn finish_item(&mut self) {
        self.items_done += 1;
    }
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<R> {
    /// More to do.
    Working(Progress),
    /// Finished, with the job's report.
    Finished(R),
}
