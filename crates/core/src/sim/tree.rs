//! An in-memory directory tree: the storage behind the simulated SD card
//! and save archives.
//!
//! Paths are absolute and `/`-separated; the root `/` always exists. Files
//! and directories live in two ordered maps keyed by the normalised path,
//! so listing a directory is a range scan.

use std::collections::{BTreeMap, BTreeSet};

/// Why a tree operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeError {
    /// Nothing at that path (or its parent directory is missing).
    NotFound(String),
    /// Something is already at that path.
    Exists(String),
    /// The path is not absolute or has empty components.
    BadPath(String),
    /// A write would leave a gap in the file (or go past its fixed size).
    OutOfRange(String),
}

/// One listed entry: name, is-directory, size.
pub type TreeEntry = (String, bool, u64);

/// The tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemTree {
    files: BTreeMap<String, Vec<u8>>,
    dirs: BTreeSet<String>,
}

/// `/a/b/` → `/a/b`; `/` stays; relative or `//` paths are refused.
pub fn normalise(path: &str) -> Result<String, TreeError> {
    let trimmed = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    if !trimmed.starts_with('/')
        || (trimmed.len() > 1 && trimmed[1..].split('/').any(str::is_empty))
    {
        return Err(TreeError::BadPath(path.to_owned()));
    }
    Ok(trimmed.to_owned())
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

fn child_prefix(dir: &str) -> String {
    if dir == "/" {
        "/".into()
    } else {
        format!("{dir}/")
    }
}

impl MemTree {
    /// An empty tree (just the root).
    pub fn new() -> Self {
        Self::default()
    }

    fn is_dir(&self, path: &str) -> bool {
        path == "/" || self.dirs.contains(path)
    }

    /// `Some(true)` for a directory, `Some(false)` for a file.
    pub fn kind_of(&self, path: &str) -> Result<Option<bool>, TreeError> {
        let path = normalise(path)?;
        Ok(if self.is_dir(&path) {
            Some(true)
        } else if self.files.contains_key(&path) {
            Some(false)
        } else {
            None
        })
    }

    /// A file's bytes.
    pub fn read(&self, path: &str) -> Result<&[u8], TreeError> {
        let path = normalise(path)?;
        self.files
            .get(&path)
            .map(Vec::as_slice)
            .ok_or(TreeError::NotFound(path))
    }

    /// The size a write of `len` bytes at `path` adds (negative when it
    /// shrinks a file).
    pub fn growth(&self, path: &str, len: usize) -> i64 {
        let old = normalise(path)
            .ok()
            .and_then(|p| self.files.get(&p).map(Vec::len))
            .unwrap_or(0);
        len as i64 - old as i64
    }

    /// Creates or replaces a file; the parent directory must exist.
    pub fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), TreeError> {
        let path = normalise(path)?;
        if path == "/" || self.dirs.contains(&path) {
            return Err(TreeError::Exists(path));
        }
        if !self.is_dir(parent(&path)) {
            return Err(TreeError::NotFound(parent(&path).to_owned()));
        }
        self.files.insert(path, bytes.to_vec());
        Ok(())
    }

    /// Copies up to `buf.len()` bytes of a file from `offset` into `buf`;
    /// returns how many (0 at or past the end).
    pub fn read_at(&self, path: &str, offset: u64, buf: &mut [u8]) -> Result<usize, TreeError> {
        let bytes = self.read(path)?;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let n = buf.len().min(bytes.len() - start);
        buf[..n].copy_from_slice(&bytes[start..start + n]);
        Ok(n)
    }

    /// Writes `bytes` at `offset` of an existing file, growing it; `offset`
    /// past its end is refused ([`TreeError::OutOfRange`]).
    pub fn write_at(&mut self, path: &str, offset: u64, bytes: &[u8]) -> Result<(), TreeError> {
        let path = normalise(path)?;
        let Some(file) = self.files.get_mut(&path) else {
            return Err(TreeError::NotFound(path));
        };
        let start = match usize::try_from(offset) {
            Ok(start) if start <= file.len() => start,
            _ => return Err(TreeError::OutOfRange(path)),
        };
        let end = start + bytes.len();
        if end > file.len() {
            file.resize(end, 0);
        }
        file[start..end].copy_from_slice(bytes);
        Ok(())
    }

    /// Creates one directory; the parent must exist.
    pub fn create_dir(&mut self, path: &str) -> Result<(), TreeError> {
        let path = normalise(path)?;
        if self.is_dir(&path) || self.files.contains_key(&path) {
            return Err(TreeError::Exists(path));
        }
        if !self.is_dir(parent(&path)) {
            return Err(TreeError::NotFound(parent(&path).to_owned()));
        }
        self.dirs.insert(path);
        Ok(())
    }

    /// Creates a directory and its missing parents.
    pub fn create_dir_all(&mut self, path: &str) -> Result<(), TreeError> {
        let path = normalise(path)?;
        if self.files.contains_key(&path) {
            return Err(TreeError::Exists(path));
        }
        let mut at = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            at.push('/');
            at.push_str(part);
            if self.files.contains_key(&at) {
                return Err(TreeError::Exists(at));
            }
            self.dirs.insert(at.clone());
        }
        Ok(())
    }

    /// Deletes a file.
    pub fn remove_file(&mut self, path: &str) -> Result<(), TreeError> {
        let path = normalise(path)?;
        self.files
            .remove(&path)
            .map(drop)
            .ok_or(TreeError::NotFound(path))
    }

    /// Deletes a directory and everything under it (not the root itself,
    /// which is emptied instead).
    pub fn remove_dir_all(&mut self, path: &str) -> Result<(), TreeError> {
        let path = normalise(path)?;
        if !self.is_dir(&path) {
            return Err(TreeError::NotFound(path));
        }
        let prefix = child_prefix(&path);
        self.files.retain(|p, _| !p.starts_with(&prefix));
        self.dirs.retain(|p| !p.starts_with(&prefix) && *p != path);
        Ok(())
    }

    /// Renames a file or directory; the target must not exist and its
    /// parent must.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), TreeError> {
        let from = normalise(from)?;
        let to = normalise(to)?;
        if self.kind_of(&to)?.is_some() {
            return Err(TreeError::Exists(to));
        }
        if !self.is_dir(parent(&to)) {
            return Err(TreeError::NotFound(parent(&to).to_owned()));
        }
        if let Some(bytes) = self.files.remove(&from) {
            self.files.insert(to, bytes);
            return Ok(());
        }
        if from == "/" || !self.dirs.contains(&from) || to.starts_with(&child_prefix(&from)) {
            return Err(TreeError::NotFound(from));
        }
        let prefix = child_prefix(&from);
        let moved_files: Vec<String> = self
            .files
            .keys()
            .filter(|p| p.starts_with(&prefix))
            .cloned()
            .collect();
        for old in moved_files {
            let bytes = self.files.remove(&old).expect("listed above");
            self.files
                .insert(format!("{to}/{}", &old[prefix.len()..]), bytes);
        }
        let moved_dirs: Vec<String> = self
            .dirs
            .iter()
            .filter(|p| p.starts_with(&prefix))
            .cloned()
            .collect();
        for old in moved_dirs {
            self.dirs.remove(&old);
            self.dirs.insert(format!("{to}/{}", &old[prefix.len()..]));
        }
        self.dirs.remove(&from);
        self.dirs.insert(to);
        Ok(())
    }

    /// The entries directly inside `dir`, sorted by name.
    pub fn list(&self, dir: &str) -> Result<Vec<TreeEntry>, TreeError> {
        let dir = normalise(dir)?;
        if !self.is_dir(&dir) {
            return Err(TreeError::NotFound(dir));
        }
        let prefix = child_prefix(&dir);
        let direct = |p: &String| p.starts_with(&prefix) && !p[prefix.len()..].contains('/');
        let mut entries: Vec<TreeEntry> = self
            .dirs
            .iter()
            .filter(|p| direct(p))
            .map(|p| (p[prefix.len()..].to_owned(), true, 0))
            .chain(
                self.files
                    .iter()
                    .filter(|(p, _)| direct(p))
                    .map(|(p, b)| (p[prefix.len()..].to_owned(), false, b.len() as u64)),
            )
            .collect();
        entries.sort();
        Ok(entries)
    }

    /// Total bytes of all files.
    pub fn used(&self) -> u64 {
        self.files.values().map(|f| f.len() as u64).sum()
    }

    /// Every file, by path.
    pub fn files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_rename_with_their_contents() {
        let mut t = MemTree::new();
        t.create_dir_all("/a/b").unwrap();
        t.write("/a/b/f", b"xy").unwrap();
        t.write("/a/g", b"z").unwrap();
        assert_eq!(
            t.write("/nope/f", b""),
            Err(TreeError::NotFound("/nope".into()))
        );
        t.rename("/a", "/c").unwrap();
        assert_eq!(t.read("/c/b/f").unwrap(), b"xy");
        assert_eq!(
            t.list("/c").unwrap(),
            vec![("b".into(), true, 0), ("g".into(), false, 1)]
        );
        assert_eq!(t.kind_of("/a").unwrap(), None);
        assert_eq!(
            t.rename("/c/g", "/c/b"),
            Err(TreeError::Exists("/c/b".into()))
        );
        t.remove_dir_all("/c/b").unwrap();
        assert_eq!(t.list("/c").unwrap(), vec![("g".into(), false, 1)]);
        assert_eq!(t.used(), 1);
        assert!(matches!(normalise("a/b"), Err(TreeError::BadPath(_))));
        assert!(matches!(normalise("/a//b"), Err(TreeError::BadPath(_))));
    }
}
