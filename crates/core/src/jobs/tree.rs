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

/// Every directory and file of an open archive.
pub(crate) fn walk_archive(
    archives: &mut dyn SaveArchives,
    handle: ArchiveHandle,
) -> Result<Listing, ArchiveError> {
    let mut listing = Listing::default();
    let mut pending = vec![String::new()];
    while let Some(dir) = pending.pop() {
        for entry in archives.list(handle, &format!("/{dir}"))? {
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

/// Every directory and file under an SD folder.
pub(crate) fn walk_sd(sd: &mut dyn SdCard, root: &str) -> Result<Listing, SdError> {
    let mut listing = Listing::default();
    let mut pending = vec![String::new()];
    while let Some(dir) = pending.pop() {
        let at = if dir.is_empty() {
            root.to_owned()
        } else {
            join(root, &dir)
        };
        for entry in sd.list(&at)? {
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
