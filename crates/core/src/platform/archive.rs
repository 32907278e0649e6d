//! Save archives: a title's save data or extra data, as a small filesystem.
//!
//! The console opens an archive by (kind, media, title id) and hands out a
//! handle; paths inside it are absolute and `/`-separated (`/dir/file.bin`).
//! Changes to save data become durable only on [`SaveArchives::commit`];
//! after restoring a save the title's secure value must be the one kept
//! with the backup, or deleted when none was kept, or the game refuses the
//! save as a rollback.

use thiserror::Error;

/// Which of a title's archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArchiveKind {
    /// The title's save data.
    SaveData,
    /// The title's extra data (extdata), shared and not committed.
    ExtData,
    /// Shared extdata on the console's memory (NAND), by its fixed id
    /// (`0xF000000B`: Miis and Play Coins, ...; see
    /// [`crate::platform::system_data`]): the title id is the extdata id
    /// with the NAND extdata high word, `0x00048000`. Not committed.
    SharedExtData,
    /// A title's SpotPass (BOSS) extdata, kept on the SD card beside its
    /// extdata and opened by the same extdata id. Not committed.
    BossExtData,
    /// A DSiWare title's save: the files of its `data` folder on the DSi
    /// partition of the NAND (see [`crate::platform::dsiware`]); the
    /// archive's root is that folder. Not committed, no secure value.
    DsiWareSave,
}

impl ArchiveKind {
    /// Whether it has no commit step: every write lands at once, and it is
    /// cleared file by file (extdata of every kind, and a DSiWare save,
    /// whose files are on a plain FAT).
    pub fn is_extdata(self) -> bool {
        !matches!(self, ArchiveKind::SaveData)
    }
}

/// Where a title lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MediaType {
    /// Installed on the SD card.
    Sd,
    /// The game card in the slot.
    Card,
    /// The console's own memory (NAND): system titles and shared extdata.
    Nand,
}

impl std::fmt::Display for MediaType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MediaType::Sd => "the SD card",
            MediaType::Card => "the game card",
            MediaType::Nand => "the console's memory",
        })
    }
}

/// One archive of one title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArchiveId {
    /// Save data or extdata.
    pub kind: ArchiveKind,
    /// SD title or game card.
    pub media: MediaType,
    /// The title's 64-bit id.
    pub title_id: u64,
}

impl std::fmt::Display for ArchiveId {
    /// `save data of title 0004000000055D00 on the SD card`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            ArchiveKind::SaveData => "save data",
            ArchiveKind::ExtData => "extra data",
            ArchiveKind::SharedExtData => {
                return write!(
                    f,
                    "shared extra data {:08X} in {}",
                    self.title_id as u32, self.media
                );
            }
            ArchiveKind::BossExtData => "SpotPass extra data",
            ArchiveKind::DsiWareSave => {
                return write!(
                    f,
                    "DSiWare save of title {:016X} (folder {} in {})",
                    self.title_id,
                    super::dsiware::twl_data_folder(self.title_id),
                    self.media
                );
            }
        };
        write!(
            f,
            "{kind} of title {:016X} on {}",
            self.title_id, self.media
        )
    }
}

/// An open archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArchiveHandle(pub u32);

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    /// The entry's name (no `/`).
    pub name: String,
    /// A directory rather than a file.
    pub is_dir: bool,
    /// The file's size in bytes (0 for directories).
    pub size: u64,
}

/// Why an archive operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArchiveError {
    /// The title has no such archive (no save data, no extdata).
    #[error("there is no {0}")]
    NoArchive(ArchiveId),
    /// The archive exists but was never formatted: the game was never
    /// started, so it has no save data yet (FS result 0xC8A04554).
    #[error("the {0} was never formatted: start the game once")]
    NotFormatted(ArchiveId),
    /// The handle is not (or no longer) open.
    #[error("archive handle {} is not open", .0.0)]
    NotOpen(ArchiveHandle),
    /// No file or directory at that path.
    #[error("{path}: not found in the archive")]
    NotFound {
        /// The path asked for.
        path: String,
    },
    /// The archive has no room for the data.
    #[error("the archive is full while writing {path}")]
    Full {
        /// The file being written.
        path: String,
    },
    /// The console lost power.
    #[error("the console lost power")]
    PowerLost,
    /// The system refused or failed the request.
    #[error("archive operation failed: {0}")]
    Failed(String),
}

/// The console's save archives.
pub trait SaveArchives {
    /// Opens one archive of one title.
    fn open(&mut self, id: ArchiveId) -> Result<ArchiveHandle, ArchiveError>;
    /// Closes an archive; uncommitted save-data changes are dropped.
    fn close(&mut self, archive: ArchiveHandle);
    /// The entries of directory `dir` (`/` is the root).
    fn list(
        &mut self,
        archive: ArchiveHandle,
        dir: &str,
    ) -> Result<Vec<ArchiveEntry>, ArchiveError>;
    /// A whole file.
    fn read_file(&mut self, archive: ArchiveHandle, path: &str) -> Result<Vec<u8>, ArchiveError>;
    /// Creates or replaces a whole file; its directory must exist.
    fn write_file(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        bytes: &[u8],
    ) -> Result<(), ArchiveError>;
    /// Reads up to `buf.len()` bytes of a file from `offset`; returns how
    /// many were read, 0 at (or past) the end. Jobs stream files this way,
    /// so no file is ever held whole.
    fn read_at(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, ArchiveError>;
    /// Creates (or replaces) a file of `size` bytes, to be filled with
    /// [`SaveArchives::write_at`]: a save archive cannot grow a file, so it
    /// is made at its final size. Its directory must exist.
    fn create_file(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        size: u64,
    ) -> Result<(), ArchiveError>;
    /// Writes `bytes` at `offset` of a file made by
    /// [`SaveArchives::create_file`], within its size.
    fn write_at(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), ArchiveError>;
    /// Creates a directory; its parent must exist.
    fn create_dir(&mut self, archive: ArchiveHandle, path: &str) -> Result<(), ArchiveError>;
    /// Deletes a file.
    fn delete_file(&mut self, archive: ArchiveHandle, path: &str) -> Result<(), ArchiveError>;
    /// Deletes a directory and everything in it.
    fn delete_dir(&mut self, archive: ArchiveHandle, path: &str) -> Result<(), ArchiveError>;
    /// Makes the changes to save data durable.
    fn commit(&mut self, archive: ArchiveHandle) -> Result<(), ArchiveError>;
    /// Resets (deletes) the title's secure value, as Checkpoint does after
    /// every restore; for a backup that kept none.
    fn reset_secure_value(&mut self, title_id: u64, media: MediaType) -> Result<(), ArchiveError>;
    /// The title's secure value, when it has one. Only SD titles keep one
    /// with the system (a cartridge's is inside its own save): `None` for
    /// the card.
    fn secure_value(
        &mut self,
        title_id: u64,
        media: MediaType,
    ) -> Result<Option<u64>, ArchiveError>;
    /// Puts a secure value kept with a backup back, so that a game that
    /// checks it accepts the restored save.
    fn set_secure_value(
        &mut self,
        title_id: u64,
        media: MediaType,
        value: u64,
    ) -> Result<(), ArchiveError>;
}
