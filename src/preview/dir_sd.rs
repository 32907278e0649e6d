//! An SD card that is a folder on the PC, for `keepsake preview --sd DIR`:
//! the console's `/3ds/Checkpoint/saves/...` is `DIR/3ds/Checkpoint/saves/...`.
//!
//! The app reads and writes real files there, so a user rehearses on a copy
//! of their card exactly what the console will do to it. Every file write
//! goes to a temporary name beside the target, is flushed, then renamed into
//! place: a crash of the PC tool leaves the old file or the new one. Paths
//! with `..`, `.` or empty components are refused, so nothing outside DIR is
//! ever touched.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use keepsake_core::platform::{SdCard, SdEntry, SdError};

/// What [`SdCard::free_space`] reports: the standard library cannot ask the
/// operating system, and a real shortage still fails the write itself.
const REPORTED_FREE_SPACE: u64 = 1 << 40;

/// The suffix of this module's own temporary files (distinct from the app's
/// `.keepsake-tmp`, which the app manages itself).
const WRITE_SUFFIX: &str = ".keepsake-preview-write";

/// A folder standing in for the SD card.
#[derive(Debug)]
pub struct DirSd {
    root: PathBuf,
}

impl DirSd {
    /// The SD card rooted at `root`, which must be an existing folder.
    pub fn new(root: &Path) -> std::io::Result<Self> {
        if !fs::metadata(root)?.is_dir() {
            return Err(std::io::Error::new(
                ErrorKind::NotADirectory,
                "not a folder",
            ));
        }
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// The PC path of a console path, or why it is refused.
    fn host(&self, path: &str) -> Result<PathBuf, SdError> {
        let bad = |reason: &str| SdError::Failed {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = path
            .strip_prefix('/')
            .ok_or_else(|| bad("not an absolute path"))?;
        let mut host = self.root.clone();
        if rest.is_empty() {
            return Ok(host);
        }
        for part in rest.trim_end_matches('/').split('/') {
            if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
                return Err(bad(
                    "a path component is empty, '.', '..' or has a backslash",
                ));
            }
            host.push(part);
        }
        Ok(host)
    }
}

/// The SD error for an I/O error on `path`.
fn sd_error(path: &str, error: &std::io::Error) -> SdError {
    match error.kind() {
        ErrorKind::NotFound => SdError::NotFound {
            path: path.to_owned(),
        },
        ErrorKind::AlreadyExists => SdError::Exists {
            path: path.to_owned(),
        },
        _ => SdError::Failed {
            path: path.to_owned(),
            reason: error.to_string(),
        },
    }
}

impl SdCard for DirSd {
    fn read(&mut self, path: &str) -> Result<Vec<u8>, SdError> {
        let host = self.host(path)?;
        fs::read(host).map_err(|e| sd_error(path, &e))
    }

    fn read_prefix(&mut self, path: &str, len: usize) -> Result<Vec<u8>, SdError> {
        use std::io::Read;
        let host = self.host(path)?;
        let file = fs::File::open(host).map_err(|e| sd_error(path, &e))?;
        let mut bytes = Vec::with_capacity(len.min(1 << 16));
        file.take(len as u64)
            .read_to_end(&mut bytes)
            .map_err(|e| sd_error(path, &e))?;
        Ok(bytes)
    }

    fn read_at(&mut self, path: &str, offset: u64, buf: &mut [u8]) -> Result<usize, SdError> {
        use std::io::{Read, Seek, SeekFrom};
        let host = self.host(path)?;
        let result = (|| {
            let mut file = fs::File::open(&host)?;
            file.seek(SeekFrom::Start(offset))?;
            let mut filled = 0;
            while filled < buf.len() {
                match file.read(&mut buf[filled..])? {
                    0 => break,
                    n => filled += n,
                }
            }
            Ok(filled)
        })();
        result.map_err(|e| sd_error(path, &e))
    }

    fn write_at(&mut self, path: &str, offset: u64, bytes: &[u8]) -> Result<(), SdError> {
        use std::io::{Seek, SeekFrom};
        let host = self.host(path)?;
        let result = (|| {
            let mut file = fs::OpenOptions::new().write(true).open(&host)?;
            let len = file.metadata()?.len();
            if offset > len {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("writing at {offset} past the end of a {len}-byte file"),
                ));
            }
            file.seek(SeekFrom::Start(offset))?;
            file.write_all(bytes)
        })();
        result.map_err(|e| sd_error(path, &e))
    }

    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), SdError> {
        let host = self.host(path)?;
        let mut temp = host.clone().into_os_string();
        temp.push(WRITE_SUFFIX);
        let temp = PathBuf::from(temp);
        let result = (|| {
            let mut file = fs::File::create(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            drop(file);
            fs::rename(&temp, &host)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result.map_err(|e| sd_error(path, &e))
    }

    fn rename(&mut self, from: &str, to: &str) -> Result<(), SdError> {
        let (host_from, host_to) = (self.host(from)?, self.host(to)?);
        // The trait promises a refusal when the target exists; the
        // operating system would replace a file silently.
        if fs::symlink_metadata(&host_to).is_ok() {
            return Err(SdError::Exists {
                path: to.to_owned(),
            });
        }
        fs::rename(host_from, host_to).map_err(|e| sd_error(from, &e))
    }

    fn remove_file(&mut self, path: &str) -> Result<(), SdError> {
        let host = self.host(path)?;
        fs::remove_file(host).map_err(|e| sd_error(path, &e))
    }

    fn remove_dir_all(&mut self, path: &str) -> Result<(), SdError> {
        let host = self.host(path)?;
        if host == self.root {
            return Err(SdError::Failed {
                path: path.to_owned(),
                reason: "the whole SD card cannot be removed".into(),
            });
        }
        fs::remove_dir_all(host).map_err(|e| sd_error(path, &e))
    }

    fn create_dir_all(&mut self, path: &str) -> Result<(), SdError> {
        let host = self.host(path)?;
        fs::create_dir_all(host).map_err(|e| sd_error(path, &e))
    }

    fn list(&mut self, dir: &str) -> Result<Vec<SdEntry>, SdError> {
        let host = self.host(dir)?;
        let mut entries = Vec::new();
        for entry in fs::read_dir(host).map_err(|e| sd_error(dir, &e))? {
            let entry = entry.map_err(|e| sd_error(dir, &e))?;
            let Ok(name) = entry.file_name().into_string() else {
                // The console's paths are UTF-8; a name that is not could
                // not be opened there either.
                continue;
            };
            if name.ends_with(WRITE_SUFFIX) {
                continue;
            }
            let meta = entry.metadata().map_err(|e| sd_error(dir, &e))?;
            entries.push(SdEntry {
                name,
                is_dir: meta.is_dir(),
                size: if meta.is_dir() { 0 } else { meta.len() },
            });
        }
        // Listings in a stable order, as the FAT directory order is on the
        // console: the same run gives the same screens.
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    fn kind_of(&mut self, path: &str) -> Result<Option<bool>, SdError> {
        let host = self.host(path)?;
        match fs::metadata(host) {
            Ok(meta) => Ok(Some(meta.is_dir())),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(sd_error(path, &e)),
        }
    }

    fn free_space(&mut self) -> Result<u64, SdError> {
        Ok(REPORTED_FREE_SPACE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_core::platform::sd::write_atomic;

    #[test]
    fn files_land_in_the_folder_and_atomic_writes_leave_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let mut sd = DirSd::new(dir.path()).unwrap();
        sd.create_dir_all("/3ds/Keepsake").unwrap();
        write_atomic(&mut sd, "/3ds/Keepsake/a.json", b"one").unwrap();
        write_atomic(&mut sd, "/3ds/Keepsake/a.json", b"two").unwrap();
        assert_eq!(
            fs::read(dir.path().join("3ds/Keepsake/a.json")).unwrap(),
            b"two"
        );
        let names: Vec<String> = fs::read_dir(dir.path().join("3ds/Keepsake"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["a.json"]);
        assert_eq!(sd.kind_of("/3ds").unwrap(), Some(true));
        assert_eq!(sd.kind_of("/3ds/Keepsake/a.json").unwrap(), Some(false));
        assert_eq!(sd.kind_of("/nothing").unwrap(), None);
    }

    #[test]
    fn paths_cannot_leave_the_folder_and_renames_do_not_replace() {
        let dir = tempfile::tempdir().unwrap();
        let mut sd = DirSd::new(dir.path()).unwrap();
        assert!(matches!(
            sd.read("/../etc/passwd"),
            Err(SdError::Failed { .. })
        ));
        assert!(matches!(sd.read("relative"), Err(SdError::Failed { .. })));
        sd.write("/a", b"a").unwrap();
        sd.write("/b", b"b").unwrap();
        assert_eq!(
            sd.rename("/a", "/b"),
            Err(SdError::Exists { path: "/b".into() })
        );
        assert_eq!(fs::read(dir.path().join("b")).unwrap(), b"b");
        assert_eq!(
            sd.read("/missing"),
            Err(SdError::NotFound {
                path: "/missing".into()
            })
        );
        let listed: Vec<(String, u64)> = sd
            .list("/")
            .unwrap()
            .into_iter()
            .map(|e| (e.name, e.size))
            .collect();
        assert_eq!(listed, [("a".to_string(), 1), ("b".to_string(), 1)]);
    }
}
