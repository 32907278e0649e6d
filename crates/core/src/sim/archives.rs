//! Simulated save archives: per (kind, media, title) a committed tree; an
//! open handle works on a copy that [`SaveArchives::commit`] makes durable
//! (extdata has no commit step: its writes land at once). Losing power or
//! closing drops uncommitted save-data changes, as on the console. Secure
//! value resets are recorded for tests to check.
//!
//! Faults, as a failing card or a damaged save filesystem shows them: a file
//! write that reports success but does not keep the bytes
//! ([`SimArchives::garble_next_write`]), and a commit that lands without a
//! file ([`SimArchives::lose_at_next_commit`]).
//!
//! Where the console differs from a plain tree, so does the simulation: a
//! title never started has a save archive that exists but is not formatted
//! ([`SimArchives::insert_unformatted`]; FS 0xC8A04554); the versions of a
//! game that share extdata open one archive (keyed by
//! [`extdata_id`]); extdata refuses the recursive directory delete, which
//! Checkpoint never uses on it (`3ds/source/io.cpp`, restore: file by file
//! since 08fef96 "Fix #171"), so no code path comes to rely on it; and a
//! delete can be made to fail ([`SimArchives::fail_deleting`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::platform::titles::extdata_id;
use crate::platform::{
    ArchiveEntry, ArchiveError, ArchiveHandle, ArchiveId, ArchiveKind, MediaType, SaveArchives,
};
use crate::sim::power::PowerSupply;
use crate::sim::tree::{MemTree, TreeError};

#[derive(Debug)]
struct Open {
    id: ArchiveId,
    /// Save data's uncommitted copy; extdata (`None`) works on the
    /// committed tree itself, as it has no commit.
    working: Option<MemTree>,
}

/// The archives.
#[derive(Debug)]
pub struct SimArchives {
    committed: BTreeMap<ArchiveId, MemTree>,
    open: BTreeMap<u32, Open>,
    next_handle: u32,
    secure_value_resets: Vec<(u64, MediaType)>,
    /// The system's secure values of SD titles.
    secure_values: BTreeMap<u64, u64>,
    commits: u64,
    power: PowerSupply,
    garble_next_write: bool,
    lose_at_commit: Option<String>,
    unformatted: BTreeSet<ArchiveId>,
    failing_deletes: BTreeSet<String>,
    refused_opens: BTreeMap<ArchiveId, String>,
}

/// The key an archive is stored under: extdata by its extdata id, so the
/// versions of a game that share one find the same archive.
fn key(id: ArchiveId) -> ArchiveId {
    match id.kind {
        ArchiveKind::SaveData | ArchiveKind::SharedExtData | ArchiveKind::DsiWareSave => id,
        // Kept on the SD card by the extdata id, as extdata is.
        ArchiveKind::BossExtData => ArchiveId {
            kind: ArchiveKind::BossExtData,
            media: MediaType::Sd,
            title_id: 0x0004_0000_0000_0000 | (u64::from(extdata_id(id.title_id)) << 8),
        },
        ArchiveKind::ExtData => ArchiveId {
            kind: ArchiveKind::ExtData,
            media: MediaType::Sd,
            title_id: 0x0004_0000_0000_0000 | (u64::from(extdata_id(id.title_id)) << 8),
        },
    }
}

fn archive_error(e: TreeError) -> ArchiveError {
    match e {
        TreeError::NotFound(path) => ArchiveError::NotFound { path },
        TreeError::Exists(path) => ArchiveError::Failed(format!("{path} already exists")),
        TreeError::BadPath(path) => ArchiveError::Failed(format!("{path} is not an absolute path")),
        TreeError::OutOfRange(path) => {
            ArchiveError::Failed(format!("{path}: a write past the file's size"))
        }
    }
}

impl SimArchives {
    /// No archives.
    pub fn new(power: PowerSupply) -> Self {
        Self {
            committed: BTreeMap::new(),
            open: BTreeMap::new(),
            next_handle: 1,
            secure_value_resets: Vec::new(),
            secure_values: BTreeMap::new(),
            commits: 0,
            power,
            unformatted: BTreeSet::new(),
            failing_deletes: BTreeSet::new(),
            refused_opens: BTreeMap::new(),
            garble_next_write: false,
            lose_at_commit: None,
        }
    }

    /// Creates (or replaces) an archive with these contents.
    pub fn insert(&mut self, id: ArchiveId, tree: MemTree) {
        self.unformatted.remove(&key(id));
        self.committed.insert(key(id), tree);
    }

    /// Creates the save archive of a title that was never started: it
    /// exists, but opening it fails as not formatted.
    pub fn insert_unformatted(&mut self, id: ArchiveId) {
        self.committed.remove(&key(id));
        self.unformatted.insert(key(id));
    }

    /// Makes every later open of `id` fail with `reason`, as FS refuses an
    /// archive the app has no access to or whose container is damaged
    /// (`None`: open it again).
    pub fn refuse_opening(&mut self, id: ArchiveId, reason: Option<&str>) {
        match reason {
            Some(reason) => self.refused_opens.insert(key(id), reason.to_owned()),
            None => self.refused_opens.remove(&key(id)),
        };
    }

    /// Makes every later delete of `path` (in any archive) fail, as a
    /// console's FS can half-way through clearing an archive.
    pub fn fail_deleting(&mut self, path: &str) {
        self.failing_deletes.insert(path.to_owned());
    }

    /// An archive's committed contents.
    pub fn committed(&self, id: ArchiveId) -> Option<&MemTree> {
        self.committed.get(&key(id))
    }

    /// Gives an SD title a secure value, as the system does when its game
    /// first saves.
    pub fn set_title_secure_value(&mut self, title_id: u64, value: u64) {
        self.secure_values.insert(title_id, value);
    }

    /// An SD title's secure value as the system holds it now.
    pub fn title_secure_value(&self, title_id: u64) -> Option<u64> {
        self.secure_values.get(&title_id).copied()
    }

    /// Secure value resets so far.
    pub fn secure_value_resets(&self) -> &[(u64, MediaType)] {
        &self.secure_value_resets
    }

    /// Commits so far.
    pub fn commits(&self) -> u64 {
        self.commits
    }

    /// Makes the next file write keep its bytes with the last one's lowest
    /// bit flipped (one byte where it was empty) while reporting success.
    pub fn garble_next_write(&mut self) {
        self.garble_next_write = true;
    }

    /// Makes the next commit land without the file at `path` (gone from
    /// the archive as committed and as open).
    pub fn lose_at_next_commit(&mut self, path: &str) {
        self.lose_at_commit = Some(path.to_owned());
    }

    /// Drops every open handle and its uncommitted changes (a reboot).
    pub fn close_all(&mut self) {
        self.open.clear();
    }

    fn on(&self) -> Result<(), ArchiveError> {
        self.power.check().map_err(|_| ArchiveError::PowerLost)
    }

    fn begin_write(&self) -> Result<(), ArchiveError> {
        self.power
            .begin_write()
            .map_err(|_| ArchiveError::PowerLost)
    }

    /// The tree an open handle works on.
    fn tree(&mut self, archive: ArchiveHandle) -> Result<&mut MemTree, ArchiveError> {
        self.on()?;
        let open = self
            .open
            .get_mut(&archive.0)
            .ok_or(ArchiveError::NotOpen(archive))?;
        match &mut open.working {
            Some(working) => Ok(working),
            None => self
                .committed
                .get_mut(&open.id)
                .ok_or(ArchiveError::NoArchive(open.id)),
        }
    }

    fn refuse_failing_delete(&self, path: &str) -> Result<(), ArchiveError> {
        if self.failing_deletes.contains(path) {
            return Err(ArchiveError::Failed(format!(
                "{path}: the system refused the delete"
            )));
        }
        Ok(())
    }

    fn mutate(
        &mut self,
        archive: ArchiveHandle,
        change: impl FnOnce(&mut MemTree) -> Result<(), TreeError>,
    ) -> Result<(), ArchiveError> {
        self.tree(archive)?;
        // The write that cuts the power still happens, so only a refusal here
        // stops it.
        self.begin_write()?;
        change(self.tree(archive)?).map_err(archive_error)
    }
}

impl SaveArchives for SimArchives {
    fn open(&mut self, id: ArchiveId) -> Result<ArchiveHandle, ArchiveError> {
        self.on()?;
        if self.unformatted.contains(&key(id)) {
            return Err(ArchiveError::NotFormatted(id));
        }
        if let Some(reason) = self.refused_opens.get(&key(id)) {
            return Err(ArchiveError::Failed(reason.clone()));
        }
        let committed = self
            .committed
            .get(&key(id))
            .ok_or(ArchiveError::NoArchive(id))?;
        let working = (id.kind == ArchiveKind::SaveData).then(|| committed.clone());
        let id = key(id);
        let handle = self.next_handle;
        self.next_handle += 1;
        self.open.insert(handle, Open { id, working });
        Ok(ArchiveHandle(handle))
    }

    fn close(&mut self, archive: ArchiveHandle) {
        self.open.remove(&archive.0);
    }

    fn list(
        &mut self,
        archive: ArchiveHandle,
        dir: &str,
    ) -> Result<Vec<ArchiveEntry>, ArchiveError> {
        Ok(self
            .tree(archive)?
            .list(dir)
            .map_err(archive_error)?
            .into_iter()
            .map(|(name, is_dir, size)| ArchiveEntry { name, is_dir, size })
            .collect())
    }

    fn read_file(&mut self, archive: ArchiveHandle, path: &str) -> Result<Vec<u8>, ArchiveError> {
        self.tree(archive)?
            .read(path)
            .map(<[u8]>::to_vec)
            .map_err(archive_error)
    }

    fn read_at(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, ArchiveError> {
        self.tree(archive)?
            .read_at(path, offset, buf)
            .map_err(archive_error)
    }

    fn create_file(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        size: u64,
    ) -> Result<(), ArchiveError> {
        let size = usize::try_from(size).map_err(|_| ArchiveError::Full {
            path: path.to_owned(),
        })?;
        self.mutate(archive, |t| t.write(path, &vec![0; size]))
    }

    fn write_at(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), ArchiveError> {
        // A save archive's file keeps the size it was created with.
        let len = self.tree(archive)?.read(path).map_err(archive_error)?.len() as u64;
        if offset + bytes.len() as u64 > len {
            return Err(ArchiveError::Failed(format!(
                "{path}: a write of {} bytes at offset {offset} goes past the file's {len} bytes",
                bytes.len()
            )));
        }
        if std::mem::take(&mut self.garble_next_write) {
            let mut kept = bytes.to_vec();
            match kept.last_mut() {
                Some(last) => *last ^= 1,
                // Nothing to garble in an empty write: the file's first
                // byte then.
                None => return self.mutate(archive, |t| t.write_at(path, 0, &[1])),
            }
            return self.mutate(archive, |t| t.write_at(path, offset, &kept));
        }
        self.mutate(archive, |t| t.write_at(path, offset, bytes))
    }

    fn write_file(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        bytes: &[u8],
    ) -> Result<(), ArchiveError> {
        if std::mem::take(&mut self.garble_next_write) {
            let mut kept = bytes.to_vec();
            match kept.last_mut() {
                Some(last) => *last ^= 1,
                None => kept.push(0),
            }
            return self.mutate(archive, |t| t.write(path, &kept));
        }
        self.mutate(archive, |t| t.write(path, bytes))
    }

    fn create_dir(&mut self, archive: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        self.mutate(archive, |t| t.create_dir(path))
    }

    fn delete_file(&mut self, archive: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        self.refuse_failing_delete(path)?;
        self.mutate(archive, |t| t.remove_file(path))
    }

    fn delete_dir(&mut self, archive: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        self.refuse_failing_delete(path)?;
        // A DSiWare save is cleared file by file too (Checkpoint
        // `io::deleteFolderContentsRecursively`): held to it as extdata is.
        let extdata = self
            .open
            .get(&archive.0)
            .is_some_and(|open| open.id.kind.is_extdata());
        if extdata
            && !self
                .tree(archive)?
                .list(path)
                .map_err(archive_error)?
                .is_empty()
        {
            return Err(ArchiveError::Failed(format!(
                "{path}: extra data is not cleared with a recursive delete"
            )));
        }
        self.mutate(archive, |t| t.remove_dir_all(path))
    }

    fn commit(&mut self, archive: ArchiveHandle) -> Result<(), ArchiveError> {
        self.tree(archive)?;
        self.begin_write()?;
        if let Some(path) = self.lose_at_commit.take() {
            // Best effort: a path that is not there is simply not lost.
            let _ = self.tree(archive)?.remove_file(&path);
        }
        let open = self.open.get(&archive.0).expect("checked above");
        if let Some(working) = &open.working {
            self.committed.insert(open.id, working.clone());
        }
        self.commits += 1;
        Ok(())
    }

    fn reset_secure_value(&mut self, title_id: u64, media: MediaType) -> Result<(), ArchiveError> {
        self.on()?;
        self.secure_value_resets.push((title_id, media));
        if media == MediaType::Sd {
            self.secure_values.remove(&title_id);
        }
        Ok(())
    }

    fn secure_value(
        &mut self,
        title_id: u64,
        media: MediaType,
    ) -> Result<Option<u64>, ArchiveError> {
        self.on()?;
        Ok(match media {
            MediaType::Sd => self.secure_values.get(&title_id).copied(),
            MediaType::Card | MediaType::Nand => None,
        })
    }

    fn set_secure_value(
        &mut self,
        title_id: u64,
        media: MediaType,
        value: u64,
    ) -> Result<(), ArchiveError> {
        self.on()?;
        if media == MediaType::Sd {
            self.secure_values.insert(title_id, value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(kind: ArchiveKind) -> ArchiveId {
        ArchiveId {
            kind,
            media: MediaType::Sd,
            title_id: 0x0004_0000_0012_3400,
        }
    }

    #[test]
    fn a_file_is_made_at_its_size_written_within_it_and_read_in_pieces() {
        let mut archives = SimArchives::new(PowerSupply::new());
        archives.insert(id(ArchiveKind::SaveData), MemTree::new());
        let h = archives.open(id(ArchiveKind::SaveData)).unwrap();
        archives.create_file(h, "/f", 4).unwrap();
        archives.write_at(h, "/f", 2, &[7, 8]).unwrap();
        // A save archive's file does not grow.
        assert!(archives.write_at(h, "/f", 3, &[9, 9]).is_err());
        let mut buf = [0xAA; 3];
        assert_eq!(archives.read_at(h, "/f", 1, &mut buf).unwrap(), 3);
        assert_eq!(buf, [0, 7, 8]);
        assert_eq!(archives.read_at(h, "/f", 4, &mut buf).unwrap(), 0);
        // Save data lands only at the commit.
        assert!(
            archives
                .committed(id(ArchiveKind::SaveData))
                .unwrap()
                .files()
                .is_empty()
        );
        archives.commit(h).unwrap();
        assert_eq!(
            archives
                .committed(id(ArchiveKind::SaveData))
                .unwrap()
                .read("/f")
                .unwrap(),
            &[0, 0, 7, 8]
        );
    }

    #[test]
    fn extdata_writes_land_at_once() {
        let mut archives = SimArchives::new(PowerSupply::new());
        archives.insert(id(ArchiveKind::ExtData), MemTree::new());
        let h = archives.open(id(ArchiveKind::ExtData)).unwrap();
        archives.create_file(h, "/f", 2).unwrap();
        archives.write_at(h, "/f", 0, &[1, 2]).unwrap();
        assert_eq!(
            archives
                .committed(id(ArchiveKind::ExtData))
                .unwrap()
                .read("/f")
                .unwrap(),
            &[1, 2]
        );
    }
}
