//! Changing an extdata archive's tree: directories and file entries are
//! added and removed through the metadata (each change written straight to
//! the metadata DIFF), and [`Vsxe::commit`] rehashes the DIFF. The entry
//! tables have a fixed size (their FAT chains never grow), so the FAT is
//! never touched. File contents are not here: each file is its own device
//! file ([`super::device`]), which the caller writes.
//!
//! A new file entry is made as save3ds makes one (libsave3ds/src/ext_data.rs
//! `new_sub_file`): first block 0x8000_0000, the unique id at 0x20, linked
//! at the head of its parent's file list.

use super::{
    DIR_FIRST_DIR, DIR_FIRST_FILE, DIR_NEXT, ExtFile, FILE_NEXT, FILE_UNIQUE_ID, Vsxe, VsxeError,
};
use crate::ctr::savefs::entries::{EntryTable, NO_BLOCK};
use crate::ctr::savefs::meta::MetaWrite;
use crate::ctr::savefs::{ROOT, encode_name};
use crate::storage::{ReadAt, WriteAt};

/// A file entry's first-block field.
const FILE_BLOCK: usize = 0x1C;

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Dir(u32),
    File(ExtFile),
}

fn parts(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

fn not_found(path: &str) -> VsxeError {
    VsxeError::NotFound {
        path: path.to_string(),
    }
}

impl<S: ReadAt> Vsxe<S> {
    fn ext_file(&mut self, entry: u32) -> Result<ExtFile, VsxeError> {
        Ok(ExtFile {
            entry,
            device_index: entry + 1,
            unique_id: self.files().get_u64(entry, FILE_UNIQUE_ID)?,
        })
    }

    /// What `path` names, or `None` when nothing does.
    pub fn lookup(&mut self, path: &str) -> Result<Option<Found>, VsxeError> {
        let parts = parts(path);
        let mut node = Found::Dir(ROOT);
        for (i, part) in parts.iter().enumerate() {
            let Found::Dir(dir) = node else {
                return Err(VsxeError::NotADirectory {
                    path: parts[..i].join("/"),
                });
            };
            let name = encode_name(part).map_err(VsxeError::Name)?;
            node = if let Some(d) = self.dirs().find(dir, &name)? {
                Found::Dir(d)
            } else if let Some(f) = self.files().find(dir, &name)? {
                Found::File(self.ext_file(f)?)
            } else {
                return Ok(None);
            };
        }
        Ok(Some(node))
    }

    /// The parent directory and encoded name of a new entry at `path`,
    /// refusing a path that is taken.
    fn place_new(&mut self, path: &str) -> Result<(u32, [u8; 16]), VsxeError> {
        let parts = parts(path);
        let Some((last, parents)) = parts.split_last() else {
            return Err(not_found(path));
        };
        let parent_path = parents.join("/");
        let parent = match self.lookup(&parent_path)? {
            Some(Found::Dir(d)) => d,
            Some(Found::File(_)) => return Err(VsxeError::NotADirectory { path: parent_path }),
            None => return Err(not_found(&parent_path)),
        };
        let name = encode_name(last).map_err(VsxeError::Name)?;
        if self.dirs().find(parent, &name)?.is_some() || self.files().find(parent, &name)?.is_some()
        {
            return Err(VsxeError::AlreadyExists {
                path: path.to_string(),
            });
        }
        Ok((parent, name))
    }
}

/// Takes `index` out of the list starting at `first` linked through field
/// `next`; returns the list's new head.
fn unlink<M: MetaWrite + ?Sized>(
    table: &mut EntryTable<'_, M>,
    first: u32,
    index: u32,
    next: usize,
    list: &'static str,
) -> Result<u32, VsxeError> {
    let members = table.list(first, next, list)?;
    let after = table.get(index, next)?;
    match members.iter().position(|&m| m == index) {
        Some(0) => Ok(after),
        Some(p) => {
            table.set(members[p - 1], next, after)?;
            Ok(first)
        }
        None => Err(VsxeError::NotLinked { list, index }),
    }
}

impl<S: WriteAt> Vsxe<S> {
    /// Creates directory `path` (its parent must exist).
    pub fn create_dir(&mut self, path: &str) -> Result<u32, VsxeError> {
        let (parent, name) = self.place_new(path)?;
        let first = self.dirs().get(parent, DIR_FIRST_DIR)?;
        let dir = self.dirs().add(parent, &name)?;
        self.dirs().set(dir, DIR_NEXT, first)?;
        self.dirs().set(parent, DIR_FIRST_DIR, dir)?;
        Ok(dir)
    }

    /// Adds a file entry at `path` with `unique_id`; its contents are the
    /// device file the returned entry names.
    pub fn add_file(&mut self, path: &str, unique_id: u64) -> Result<ExtFile, VsxeError> {
        let (parent, name) = self.place_new(path)?;
        let first = self.dirs().get(parent, DIR_FIRST_FILE)?;
        let file = self.files().add(parent, &name)?;
        self.files().set(file, FILE_NEXT, first)?;
        self.files().set(file, FILE_BLOCK, NO_BLOCK)?;
        self.files().set_u64(file, FILE_UNIQUE_ID, unique_id)?;
        self.dirs().set(parent, DIR_FIRST_FILE, file)?;
        self.ext_file(file)
    }

    /// Removes a file entry, or an empty directory; returns the removed
    /// file's entry (whose device file the caller deletes).
    pub fn remove(&mut self, path: &str) -> Result<Option<ExtFile>, VsxeError> {
        let found = self.lookup(path)?.ok_or_else(|| not_found(path))?;
        match found {
            Found::Dir(ROOT) => Err(not_found(path)),
            Found::Dir(d) => {
                if self.dirs().get(d, DIR_FIRST_DIR)? != 0
                    || self.dirs().get(d, DIR_FIRST_FILE)? != 0
                {
                    return Err(VsxeError::NotEmpty {
                        path: path.to_string(),
                    });
                }
                let parent = self.dirs().key(d)?.0;
                let first = self.dirs().get(parent, DIR_FIRST_DIR)?;
                let head = unlink(&mut self.dirs(), first, d, DIR_NEXT, "sibling directory")?;
                self.dirs().set(parent, DIR_FIRST_DIR, head)?;
                self.dirs().remove(d)?;
                Ok(None)
            }
            Found::File(file) => {
                let parent = self.files().key(file.entry)?.0;
                let first = self.dirs().get(parent, DIR_FIRST_FILE)?;
                let head = unlink(
                    &mut self.files(),
                    first,
                    file.entry,
                    FILE_NEXT,
                    "sibling file",
                )?;
                self.dirs().set(parent, DIR_FIRST_FILE, head)?;
                self.files().remove(file.entry)?;
                Ok(Some(file))
            }
        }
    }

    /// Rehashes the metadata DIFF over everything written.
    pub fn commit(&mut self) -> Result<(), VsxeError> {
        self.meta.disa_mut().commit().map_err(VsxeError::Commit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::diff;
    use crate::ctr::keys::ConsoleKeys;
    use crate::ctr::sd::extdata::crypt;
    use crate::ctr::sd::paths::extdata_device_file;
    use keepsake_testkit::fixtures;

    /// The fixture archive's metadata, decrypted (see the fixtures README:
    /// `icon`, `user/save.bin` and an empty `boss/`).
    fn fixture_meta() -> Option<Vec<u8>> {
        let keys = ConsoleKeys::derive(
            &fixtures::read("ctr/save3ds/fake-boot9.bin")?,
            &fixtures::read("ctr/save3ds/fake-movable.sed")?,
        )
        .unwrap();
        let mut meta = fixtures::read(&format!(
            "ctr/save3ds/sd-card/Nintendo 3DS/f3e70c5ec14b4d169df44e1c449c9dc2/\
             0123456789abcdef0123456789abcdef/{}",
            extdata_device_file(0xabc, 1).join("/")
        ))?;
        crypt(&keys, 0xabc, 1, &mut meta);
        Some(meta)
    }

    #[test]
    fn entries_added_and_removed_survive_a_commit_and_a_fresh_read() {
        let Some(meta) = fixture_meta() else { return };
        let mut vsxe = Vsxe::open(diff::open(meta).unwrap()).unwrap();
        let removed = vsxe.remove("icon").unwrap().expect("icon is a file");
        vsxe.create_dir("boss/sub").unwrap();
        let added = vsxe.add_file("boss/sub/new.bin", 0x1234).unwrap();
        vsxe.commit().unwrap();
        let image = vsxe.into_meta().into_storage();
        let mut fresh = Vsxe::open(diff::open(image).unwrap()).unwrap();
        let mut paths: Vec<String> = fresh.walk().unwrap().into_iter().map(|e| e.path).collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                "boss",
                "boss/sub",
                "boss/sub/new.bin",
                "user",
                "user/save.bin"
            ]
        );
        let Some(Found::File(file)) = fresh.lookup("boss/sub/new.bin").unwrap() else {
            panic!("new.bin is a file");
        };
        assert_eq!(file, added);
        assert_eq!(file.unique_id, 0x1234);
        // The freed entry of `icon` is the one a new file takes.
        assert_eq!(file.device_index, removed.device_index);
    }

    #[test]
    fn taken_names_missing_parents_and_full_directories_are_refused() {
        let Some(meta) = fixture_meta() else { return };
        let mut vsxe = Vsxe::open(diff::open(meta).unwrap()).unwrap();
        assert!(matches!(
            vsxe.create_dir("user"),
            Err(VsxeError::AlreadyExists { .. })
        ));
        assert!(matches!(
            vsxe.add_file("icon", 1),
            Err(VsxeError::AlreadyExists { .. })
        ));
        assert!(matches!(
            vsxe.add_file("nowhere/x", 1),
            Err(VsxeError::NotFound { .. })
        ));
        assert!(matches!(
            vsxe.add_file("icon/x", 1),
            Err(VsxeError::NotADirectory { .. })
        ));
        let err = vsxe.remove("user").unwrap_err();
        assert_eq!(err.to_string(), "user: directory not empty");
        assert!(matches!(
            vsxe.add_file("a_name_that_is_too_long", 1),
            Err(VsxeError::Name(_))
        ));
    }
}
