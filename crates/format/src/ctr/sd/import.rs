//! Making a save or an extdata archive hold exactly a given tree, as
//! save3ds's import does: what the tree lacks is removed, its directories
//! are created and its files written (replacing those of the same name).
//!
//! The tree is a list of entries, parents before children; a directory has
//! no contents. Removal comes first, deepest paths first, so that the space
//! and entries freed serve the new files.
//!
//! In an extdata archive a file's contents are its own device file: the
//! metadata is changed here, and the device files to write or delete are
//! returned for the caller. A file kept keeps its entry and unique id; a new
//! one gets the next unique id above those in use. An empty file gets no
//! device file, as save3ds makes it (the console reads a missing device
//! file as an empty file).

use std::collections::BTreeMap;

use crate::ctr::savefs::{Node, SaveFs, SaveFsError};
use crate::ctr::vsxe::edit::Found;
use crate::ctr::vsxe::{Vsxe, VsxeError};
use crate::storage::WriteAt;

/// One entry of the tree to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// Slash-separated path, without a leading slash.
    pub path: String,
    /// `None` for a directory, the contents for a file.
    pub data: Option<Vec<u8>>,
}

/// Changes `fs` (without committing) so that it holds exactly `tree`.
pub fn replace_tree<S: WriteAt>(fs: &mut SaveFs<S>, tree: &[TreeEntry]) -> Result<(), SaveFsError> {
    let wanted: std::collections::BTreeMap<&str, bool> = tree
        .iter()
        .map(|e| (e.path.as_str(), e.data.is_none()))
        .collect();
    let mut existing = fs.walk()?;
    // Children before their parents.
    existing.sort_by_key(|l| std::cmp::Reverse(l.path.matches('/').count()));
    for entry in existing {
        let is_dir = matches!(entry.node, Node::Dir(_));
        if wanted.get(entry.path.as_str()) != Some(&is_dir) {
            fs.remove(&entry.path)?;
        }
    }
    for entry in tree {
        match &entry.data {
            None => {
                if !matches!(fs.lookup(&entry.path), Ok(Node::Dir(_))) {
                    fs.create_dir(&entry.path)?;
                }
            }
            Some(data) => {
                fs.write_file(&entry.path, data)?;
            }
        }
    }
    Ok(())
}

/// What becomes of one device file of an extdata archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceChange {
    /// Write a DIFF holding `contents` with this unique id.
    Write { unique_id: u64, contents: Vec<u8> },
    /// Delete the device file if there is one.
    Delete,
}

/// Changes the extdata metadata (without committing) so that the archive
/// holds exactly `tree`; returns what to do with each device file, by index.
pub fn replace_extdata_tree<S: WriteAt>(
    vsxe: &mut Vsxe<S>,
    tree: &[TreeEntry],
) -> Result<BTreeMap<u32, DeviceChange>, VsxeError> {
    let wanted: BTreeMap<&str, bool> = tree
        .iter()
        .map(|e| (e.path.as_str(), e.data.is_none()))
        .collect();
    let mut existing = vsxe.walk()?;
    let mut next_id = existing
        .iter()
        .filter_map(|e| e.file.map(|f| f.unique_id))
        .max()
        .map_or(1, |id| id.wrapping_add(1));
    existing.sort_by_key(|e| std::cmp::Reverse(e.path.matches('/').count()));
    let mut changes = BTreeMap::new();
    for entry in existing {
        let is_dir = entry.file.is_none();
        if wanted.get(entry.path.as_str()) != Some(&is_dir)
            && let Some(file) = vsxe.remove(&entry.path)?
        {
            changes.insert(file.device_index, DeviceChange::Delete);
        }
    }
    for entry in tree {
        match &entry.data {
            None => {
                if vsxe.lookup(&entry.path)?.is_none() {
                    vsxe.create_dir(&entry.path)?;
                }
            }
            Some(contents) => {
                let file = match vsxe.lookup(&entry.path)? {
                    Some(Found::File(file)) => file,
                    _ => {
                        let file = vsxe.add_file(&entry.path, next_id)?;
                        next_id = next_id.wrapping_add(1);
                        file
                    }
                };
                // A later change to the same index (an entry freed and
                // taken again) replaces the earlier one.
                let change = if contents.is_empty() {
                    DeviceChange::Delete
                } else {
                    DeviceChange::Write {
                        unique_id: file.unique_id,
                        contents: contents.clone(),
                    }
                };
                changes.insert(file.device_index, change);
            }
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::savefs::format::SaveFormat;

    fn dir(path: &str) -> TreeEntry {
        TreeEntry {
            path: path.into(),
            data: None,
        }
    }

    fn file(path: &str, data: &[u8]) -> TreeEntry {
        TreeEntry {
            path: path.into(),
            data: Some(data.to_vec()),
        }
    }

    #[test]
    fn the_save_holds_exactly_the_tree_afterwards() {
        let mut fs = SaveFormat::new(512, 8, 8, true).format(64 * 1024).unwrap();
        fs.create_dir("old").unwrap();
        fs.write_file("old/gone.bin", &[1; 800]).unwrap();
        fs.write_file("keep.bin", &[2; 100]).unwrap();
        fs.write_file("becomes_dir", &[3; 10]).unwrap();
        fs.commit().unwrap();
        let tree = [
            file("keep.bin", b"new contents"),
            dir("becomes_dir"),
            file("becomes_dir/inner.txt", b"inside"),
            dir("empty"),
            file("zero.bin", b""),
        ];
        replace_tree(&mut fs, &tree).unwrap();
        fs.commit().unwrap();
        // Read back through a fresh reader.
        let image = fs.into_disa().into_storage();
        let mut fs = SaveFs::open(crate::ctr::disa::open(image).unwrap()).unwrap();
        let mut listing: Vec<(String, Option<u64>)> = fs
            .walk()
            .unwrap()
            .into_iter()
            .map(|l| (l.path, l.size))
            .collect();
        listing.sort();
        assert_eq!(
            listing,
            [
                ("becomes_dir".to_string(), None),
                ("becomes_dir/inner.txt".to_string(), Some(6)),
                ("empty".to_string(), None),
                ("keep.bin".to_string(), Some(12)),
                ("zero.bin".to_string(), Some(0)),
            ]
        );
        assert_eq!(fs.read_path("keep.bin").unwrap(), b"new contents");
        assert_eq!(fs.read_path("becomes_dir/inner.txt").unwrap(), b"inside");
    }
}
