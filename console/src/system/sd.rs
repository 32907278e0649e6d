//! The SD card through `std::fs`: libctru mounts it as `sdmc:`, so the
//! core's `/3ds/...` paths become `sdmc:/3ds/...`. Free space comes from
//! `FSUSER_GetSdmcArchiveResource` (free clusters times cluster size).

use std::fs;
use std::io::{self, ErrorKind, Read, Seek, SeekFrom, Write};

use keepsake_core::platform::{SdCard, SdEntry, SdError};

use super::{SysError, check};

/// The SD card as libctru mounted it.
pub struct Sdmc;

fn host(path: &str) -> String {
    format!(
        "sdmc:{}",
        if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        }
    )
}

/// The FS result code that libctru's `sdmc:` device passed through as the
/// errno: it translates only the results it knows (the SD card's "not
/// found" 0xC8804478 becomes ENOENT) and hands any other failure on as the
/// raw result, which `std` cannot classify. Other environments answer with
/// other codes for the same thing (Panda3DS says "not found" with
/// 0xC8804470), so the result's summary decides.
fn fs_result(error: &io::Error) -> Option<SysError> {
    let code = error.raw_os_error()?;
    ctru_sys::R_FAILED(code).then_some(SysError {
        call: "sdmc:",
        code,
    })
}

fn is_not_found(error: &io::Error) -> bool {
    error.kind() == ErrorKind::NotFound || fs_result(error).is_some_and(|e| e.is_not_found())
}

fn error(path: &str, error: io::Error) -> SdError {
    if is_not_found(&error) {
        return SdError::NotFound {
            path: path.to_owned(),
        };
    }
    match error.kind() {
        ErrorKind::AlreadyExists => SdError::Exists {
            path: path.to_owned(),
        },
        _ => SdError::Failed {
            path: path.to_owned(),
            // A passed-through result reads better decoded than as a
            // meaningless errno.
            reason: fs_result(&error).map_or_else(|| error.to_string(), |e| e.to_string()),
        },
    }
}

impl SdCard for Sdmc {
    fn read(&mut self, path: &str) -> Result<Vec<u8>, SdError> {
        fs::read(host(path)).map_err(|e| error(path, e))
    }

    fn read_prefix(&mut self, path: &str, len: usize) -> Result<Vec<u8>, SdError> {
        use std::io::Read;
        // A ROM's header without its hundreds of MiB: the app has about
        // 30 MiB of heap on an old 3DS.
        let file = fs::File::open(host(path)).map_err(|e| error(path, e))?;
        let mut bytes = Vec::with_capacity(len.min(1 << 16));
        file.take(len as u64)
            .read_to_end(&mut bytes)
            .map_err(|e| error(path, e))?;
        Ok(bytes)
    }

    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), SdError> {
        let free = self.free_space()?;
        let needed = bytes.len() as u64;
        if needed > free {
            return Err(SdError::Full {
                path: path.to_owned(),
                needed,
                free,
            });
        }
        fs::write(host(path), bytes).map_err(|e| error(path, e))
    }

    fn read_at(&mut self, path: &str, offset: u64, buf: &mut [u8]) -> Result<usize, SdError> {
        let mut file = fs::File::open(host(path)).map_err(|e| error(path, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| error(path, e))?;
        file.read(buf).map_err(|e| error(path, e))
    }

    fn write_at(&mut self, path: &str, offset: u64, bytes: &[u8]) -> Result<(), SdError> {
        let free = self.free_space()?;
        let needed = bytes.len() as u64;
        if needed > free {
            return Err(SdError::Full {
                path: path.to_owned(),
                needed,
                free,
            });
        }
        let mut file = fs::OpenOptions::new()
            .write(true)
            .open(host(path))
            .map_err(|e| error(path, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| error(path, e))?;
        file.write_all(bytes).map_err(|e| error(path, e))
    }

    fn rename(&mut self, from: &str, to: &str) -> Result<(), SdError> {
        if fs::symlink_metadata(host(to)).is_ok() {
            return Err(SdError::Exists {
                path: to.to_owned(),
            });
        }
        fs::rename(host(from), host(to)).map_err(|e| error(from, e))
    }

    fn remove_file(&mut self, path: &str) -> Result<(), SdError> {
        fs::remove_file(host(path)).map_err(|e| error(path, e))
    }

    fn remove_dir_all(&mut self, path: &str) -> Result<(), SdError> {
        fs::remove_dir_all(host(path)).map_err(|e| error(path, e))
    }

    fn create_dir_all(&mut self, path: &str) -> Result<(), SdError> {
        fs::create_dir_all(host(path)).map_err(|e| error(path, e))
    }

    fn list(&mut self, dir: &str) -> Result<Vec<SdEntry>, SdError> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(host(dir)).map_err(|e| error(dir, e))? {
            let entry = entry.map_err(|e| error(dir, e))?;
            let metadata = entry.metadata().map_err(|e| error(dir, e))?;
            entries.push(SdEntry {
                name: entry.file_name().to_string_lossy().into_owned(),
                is_dir: metadata.is_dir(),
                size: if metadata.is_dir() { 0 } else { metadata.len() },
            });
        }
        Ok(entries)
    }

    fn kind_of(&mut self, path: &str) -> Result<Option<bool>, SdError> {
        match fs::metadata(host(path)) {
            Ok(metadata) => Ok(Some(metadata.is_dir())),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(error(path, e)),
        }
    }

    fn free_space(&mut self) -> Result<u64, SdError> {
        free_bytes().map_err(|e| SdError::Failed {
            path: "/".into(),
            reason: e.to_string(),
        })
    }
}

/// Free bytes on the SD card; also how start-up probing asks for the card.
pub fn free_bytes() -> Result<u64, SysError> {
    let mut resource = ctru_sys::FS_ArchiveResource::default();
    // SAFETY: `resource` is a valid out-pointer for the synchronous call.
    check("FSUSER_GetSdmcArchiveResource", unsafe {
        ctru_sys::FSUSER_GetSdmcArchiveResource(&mut resource)
    })?;
    Ok(u64::from(resource.freeClusters) * u64::from(resource.clusterSize))
}
