//! Emptying an archive before a restore writes the backup into it.
//!
//! Save data is only durable at the commit, so its root entries go with one
//! recursive delete each: a failure changes nothing the console keeps.
//! Extdata has no commit, every delete lands at once, and Checkpoint clears
//! it file by file: BernardoGiordano/Checkpoint `3ds/source/io.cpp`,
//! `io::deleteFolderRecursively` (`FSUSER_DeleteFile` per file, then
//! `FSUSER_DeleteDirectory` per emptied folder), used for extdata since
//! 08fef96 "Fix #171", before which restored extdata kept stale files. So
//! does this, deepest entries first; a failure half-way stops, and the
//! error names the files still in the archive. A DSiWare save is cleared
//! the same way, its `data` folder kept (Checkpoint `io::restore`,
//! `deleteFolderContentsRecursively` for a TWL title).
//!
//! One delete per step, so an archive of many files does not hold the
//! screen still while it empties.

use crate::jobs::tree::walk_archive;
use crate::platform::{ArchiveError, ArchiveHandle, ArchiveKind, SaveArchives};

/// How many names of what is left an error lists before "and N more".
const LEFT_SHOWN: usize = 5;

/// A clear that stopped half-way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClearStopped {
    /// The entry whose delete failed.
    pub path: String,
    /// Why.
    pub reason: ArchiveError,
    /// The files still in the archive (`/dir/file`), or `None` when the
    /// archive could not be listed after the failure.
    pub left: Option<Vec<String>>,
}

impl ClearStopped {
    /// `/a.bin, /b/c.bin and 3 more`, or why it is not known.
    pub(crate) fn left_text(&self) -> String {
        match &self.left {
            None => "unknown (the archive could not be listed)".to_owned(),
            Some(left) if left.is_empty() => "no files".to_owned(),
            Some(left) => {
                let shown = left[..left.len().min(LEFT_SHOWN)].join(", ");
                match left.len().saturating_sub(LEFT_SHOWN) {
                    0 => shown,
                    more => format!("{shown} and {more} more"),
                }
            }
        }
    }
}

/// One entry to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Doomed {
    path: String,
    is_dir: bool,
}

/// Emptying an open archive, one delete per step (a folder of save data
/// goes with one recursive delete; extdata's files go one by one and each
/// folder once it is empty).
#[derive(Debug)]
pub(crate) struct Clearing {
    doomed: Vec<Doomed>,
    next: usize,
}

/// What is left after a failure, named.
fn stopped(
    archives: &mut dyn SaveArchives,
    handle: ArchiveHandle,
    path: &str,
    reason: ArchiveError,
) -> ClearStopped {
    ClearStopped {
        path: path.to_owned(),
        reason,
        left: walk_archive(archives, handle).ok().map(|listing| {
            listing
                .files
                .into_iter()
                .map(|(f, _)| format!("/{f}"))
                .collect()
        }),
    }
}

impl Clearing {
    /// Lists what is to go, deleting nothing yet.
    pub(crate) fn begin(
        archives: &mut dyn SaveArchives,
        handle: ArchiveHandle,
        kind: ArchiveKind,
    ) -> Result<Self, ClearStopped> {
        let doomed = match kind {
            ArchiveKind::SaveData => archives
                .list(handle, "/")
                .map_err(|e| stopped(archives, handle, "/", e))?
                .into_iter()
                .map(|entry| Doomed {
                    path: format!("/{}", entry.name),
                    is_dir: entry.is_dir,
                })
                .collect(),
            ArchiveKind::ExtData
            | ArchiveKind::SharedExtData
            | ArchiveKind::BossExtData
            | ArchiveKind::DsiWareSave => {
                let listing = walk_archive(archives, handle)
                    .map_err(|e| stopped(archives, handle, "/", e))?;
                let files = listing.files.into_iter().map(|(file, _)| Doomed {
                    path: format!("/{file}"),
                    is_dir: false,
                });
                // Parents are listed before children: deepest first is the
                // reverse, so each folder is empty when it goes.
                let dirs = listing.dirs.into_iter().rev().map(|dir| Doomed {
                    path: format!("/{dir}"),
                    is_dir: true,
                });
                files.chain(dirs).collect()
            }
        };
        Ok(Self { doomed, next: 0 })
    }

    /// Deletes the next entry.
    pub(crate) fn step(
        &mut self,
        archives: &mut dyn SaveArchives,
        handle: ArchiveHandle,
    ) -> Result<(), ClearStopped> {
        let Some(entry) = self.doomed.get(self.next) else {
            return Ok(());
        };
        let result = if entry.is_dir {
            archives.delete_dir(handle, &entry.path)
        } else {
            archives.delete_file(handle, &entry.path)
        };
        result.map_err(|e| stopped(archives, handle, &entry.path, e))?;
        self.next += 1;
        Ok(())
    }

    /// Whether every entry is gone.
    pub(crate) fn finished(&self) -> bool {
        self.next == self.doomed.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{ArchiveId, MediaType};
    use crate::sim::{MemTree, PowerSupply, SimArchives};

    /// Clears the whole archive; returns how many entries went.
    fn clear_archive(
        archives: &mut dyn SaveArchives,
        handle: ArchiveHandle,
        kind: ArchiveKind,
    ) -> Result<u64, ClearStopped> {
        let mut clearing = Clearing::begin(archives, handle, kind)?;
        let mut deleted = 0;
        while !clearing.finished() {
            clearing.step(archives, handle)?;
            deleted += 1;
        }
        Ok(deleted)
    }

    fn extdata_with(files: &[&str]) -> (SimArchives, ArchiveHandle, ArchiveId) {
        let mut archives = SimArchives::new(PowerSupply::new());
        let mut tree = MemTree::new();
        for file in files {
            if let Some(cut) = file.rfind('/').filter(|&cut| cut > 0) {
                tree.create_dir_all(&file[..cut]).unwrap();
            }
            tree.write(file, file.as_bytes()).unwrap();
        }
        let id = ArchiveId {
            kind: ArchiveKind::ExtData,
            media: MediaType::Sd,
            title_id: 0x0004_0000_0003_0800,
        };
        archives.insert(id, tree);
        let handle = archives.open(id).unwrap();
        (archives, handle, id)
    }

    #[test]
    fn extdata_is_emptied_file_by_file_deepest_first() {
        let (mut archives, handle, id) =
            extdata_with(&["/a", "/town/b", "/town/houses/c", "/town/houses/d"]);
        let deleted = clear_archive(&mut archives, handle, ArchiveKind::ExtData).unwrap();
        // 4 files, then /town/houses, then /town.
        assert_eq!(deleted, 6);
        assert_eq!(archives.committed(id).unwrap(), &MemTree::new());
    }

    #[test]
    fn a_failure_half_way_names_what_is_left() {
        let files = ["/a", "/b", "/c", "/town/d", "/town/e", "/town/f", "/z"];
        let (mut archives, handle, id) = extdata_with(&files);
        archives.fail_deleting("/c");
        let stopped = clear_archive(&mut archives, handle, ArchiveKind::ExtData).unwrap_err();
        assert_eq!(stopped.path, "/c");
        // /a and /b went; the walk lists files in sorted order.
        let left = ["/c", "/town/d", "/town/e", "/town/f", "/z"].map(String::from);
        assert_eq!(stopped.left.as_deref(), Some(&left[..]));
        assert_eq!(stopped.left_text(), "/c, /town/d, /town/e, /town/f, /z");
        // Extdata has no commit: the deletes before the failure are kept.
        let kept: Vec<&String> = archives.committed(id).unwrap().files().keys().collect();
        assert_eq!(kept, left.iter().collect::<Vec<_>>());

        let many: Vec<String> = (0..8).map(|i| format!("/f{i}")).collect();
        let more = ClearStopped {
            left: Some(many),
            ..stopped
        };
        assert_eq!(more.left_text(), "/f0, /f1, /f2, /f3, /f4 and 3 more");
    }
}
