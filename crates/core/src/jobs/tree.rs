//! Walking a save archive or an SD folder into a flat list of relative
//! paths (`dir/sub/file`, no leading `/`), parents before children.

use crate::platform::sd::join;
use crate::platform::{ArchiveError, ArchiveHandle, SaveArchives, SdCard, SdError};

/// A folder tree, flattened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Listing {
    /// Directories, parents first.
    pub dirs: Vec<String>,
    /// Files with their sizes.
    pub files: Vec<(String, u64)>,
}

impl Listing {
    pub(crate) fn bytes(&self) -> u64 {
        self.files.iter().map(|(_, size)| size).sum()
    }
}

fn child(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

/// One directory entry, as both the archives and the SD card list them.
struct Entry {
    name: String,
    is_dir: bool,
    size: u64,
}

/// Walks a tree given how to list a directory (named relative to the root,
/// `""` for the root itself).
fn walk<E>(mut list: impl FnMut(&str) -> Result<Vec<Entry>, E>) -> Result<Listing, E> {
    let mut listing = Listing::default();
    let mut pending = vec![String::new()];
    while let Some(dir) = pending.pop() {
        for entry in list(&dir)? {
            let path = child(&dir, &entry.name);
            if entry.is_dir {
                listing.dirs.push(path.clone());
                pending.push(path);
            } else {
                listing.files.push((path, entry.size));
            }
        }
    }
    listing.dirs.sort();
    listing.files.sort();
    Ok(listing)
}

/// Every directory and file of an open archive.
pub(crate) fn walk_archive(
    archives: &mut dyn SaveArchives,
    handle: ArchiveHandle,
) -> Result<Listing, ArchiveError> {
    walk(|dir| {
        Ok(archives
            .list(handle, &format!("/{dir}"))?
            .into_iter()
            .map(|e| Entry {
                name: e.name,
                is_dir: e.is_dir,
                size: e.size,
            })
            .collect())
    })
}

/// Every directory and file under an SD folder.
pub(crate) fn walk_sd(sd: &mut dyn SdCard, root: &str) -> Result<Listing, SdError> {
    walk(|dir| {
        let at = if dir.is_empty() {
            root.to_owned()
        } else {
            join(root, dir)
        };
        Ok(sd
            .list(&at)?
            .into_iter()
            .map(|e| Entry {
                name: e.name,
                is_dir: e.is_dir,
                size: e.size,
            })
            .collect())
    })
}
