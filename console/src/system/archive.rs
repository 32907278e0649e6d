//! Other titles' save data and extdata through fs:USER.
//!
//! Archive paths (binary, three words):
//! - save data: `ARCHIVE_USER_SAVEDATA` with (media type, title id low word,
//!   title id high word);
//! - extdata: `ARCHIVE_EXTDATA` with (`MEDIATYPE_SD`, extdata id, 0), the
//!   extdata id being the title's unique id (low word >> 8) except for the
//!   games whose versions share one (the core's `titles::extdata_id`, from
//!   Checkpoint's `titlequirks.cpp`); Checkpoint `archive.cpp`
//!   `Archive::extdata` opens it the same way;
//! - system save data (a NAND title's): `ARCHIVE_SYSTEM_SAVEDATA` with
//!   (`MEDIATYPE_NAND`, 0x00020000 | unique id), two words (Checkpoint
//!   `archive.cpp` `Archive::save` for `MEDIATYPE_NAND`);
//! - shared extdata: `ARCHIVE_SHARED_EXTDATA` with (`MEDIATYPE_NAND`,
//!   extdata id, 0x00048000) (Checkpoint `script/scripthost.cpp`, which
//!   opens 0xF000000B so);
//! - SpotPass extdata: `ARCHIVE_BOSS_EXTDATA` with (`MEDIATYPE_SD`,
//!   extdata id, 0) (J-D-K/FsLib `openBossExtData`);
//! - a DSiWare save: the whole DSi partition, `ARCHIVE_NAND_TWL_FS` with an
//!   empty path, every path inside it under the title's `data` folder (the
//!   core's `dsiware::twl_data_folder`; Checkpoint `archive.cpp`
//!   `SaveDataSource::open` and `Archive::twlSaveDataPath`); the open fails
//!   as "no archive" when that folder does not exist, as Checkpoint's
//!   `accessible()` tests it with `FSUSER_OpenDirectory`.
//!
//! Save data changes become durable with `FSUSER_ControlArchive(commit)`;
//! after a restore the title's secure value in the SD slot is put back from
//! the backup (`FSUSER_SetSaveDataSecureValue`, as JKSM does) or, when the
//! backup kept none, deleted with `FSUSER_ControlSecureSave(delete,
//! (SECUREVALUE_SLOT_SD << 32) | (unique id << 8))` as Checkpoint does, so
//! the game does not take the restored save for a rollback.

use std::collections::BTreeMap;

use keepsake_core::platform::dsiware::twl_data_folder;
use keepsake_core::platform::result_code::{FsMeaning, ResultCode};
use keepsake_core::platform::system_data::system_save_id;
use keepsake_core::platform::titles::{extdata_id, unique_id};
use keepsake_core::platform::{
    ArchiveEntry, ArchiveError, ArchiveHandle, ArchiveId, ArchiveKind, MediaType, SaveArchives,
};

use super::am::raw_media;
use super::fs_path::OwnedPath;
use super::{SysError, check};

/// How many directory entries one `FSDIR_Read` fetches.
const DIR_BATCH: usize = 16;

struct Open {
    raw: ctru_sys::FS_Archive,
    id: ArchiveId,
    /// Prefixed to every path: empty, or a DSiWare title's `data` folder.
    root: String,
}

/// The save archives; `Err` in `usable` says why none can be opened.
pub struct Archives {
    usable: Result<(), String>,
    open: BTreeMap<u32, Open>,
    next: u32,
}

impl Archives {
    pub fn new(usable: Result<(), String>) -> Self {
        Self {
            usable,
            open: BTreeMap::new(),
            next: 1,
        }
    }

    fn raw(&self, archive: ArchiveHandle) -> Result<&Open, ArchiveError> {
        self.open
            .get(&archive.0)
            .ok_or(ArchiveError::NotOpen(archive))
    }

    /// The open archive and `path` under its root.
    fn at(
        &self,
        archive: ArchiveHandle,
        path: &str,
    ) -> Result<(ctru_sys::FS_Archive, String), ArchiveError> {
        let open = self.raw(archive)?;
        Ok((open.raw, format!("{}{path}", open.root)))
    }
}

fn failed(path: &str, error: SysError) -> ArchiveError {
    if error.is_not_found() {
        ArchiveError::NotFound {
            path: path.to_owned(),
        }
    } else if error.is_out_of_resource() {
        ArchiveError::Full {
            path: path.to_owned(),
        }
    } else {
        ArchiveError::Failed(format!("{path}: {error}"))
    }
}

fn open_raw(id: ArchiveId) -> Result<ctru_sys::FS_Archive, SysError> {
    let low = id.title_id as u32;
    let high = (id.title_id >> 32) as u32;
    let (archive_id, path) = match id.kind {
        // A NAND title's save is a system save (Checkpoint archive.cpp).
        ArchiveKind::SaveData if id.media == MediaType::Nand => (
            ctru_sys::ARCHIVE_SYSTEM_SAVEDATA,
            OwnedPath::binary(&[ctru_sys::MEDIATYPE_NAND as u32, system_save_id(id.title_id)]),
        ),
        // Checkpoint archive.cpp `Archive::save`: (media, low, high).
        ArchiveKind::SaveData => (
            ctru_sys::ARCHIVE_USER_SAVEDATA,
            OwnedPath::binary(&[raw_media(id.media) as u32, low, high]),
        ),
        ArchiveKind::ExtData => (
            ctru_sys::ARCHIVE_EXTDATA,
            OwnedPath::binary(&[ctru_sys::MEDIATYPE_SD as u32, extdata_id(id.title_id), 0]),
        ),
        // libctru fs.h ARCHIVE_SHARED_EXTDATA; path as Checkpoint
        // script/scripthost.cpp: (MEDIATYPE_NAND, low, high = 0x00048000).
        ArchiveKind::SharedExtData => (
            ctru_sys::ARCHIVE_SHARED_EXTDATA,
            OwnedPath::binary(&[ctru_sys::MEDIATYPE_NAND as u32, low, high]),
        ),
        // libctru fs.h ARCHIVE_BOSS_EXTDATA; path as J-D-K/FsLib
        // openBossExtData: (MEDIATYPE_SD, extdata id, 0).
        ArchiveKind::BossExtData => (
            ctru_sys::ARCHIVE_BOSS_EXTDATA,
            OwnedPath::binary(&[ctru_sys::MEDIATYPE_SD as u32, extdata_id(id.title_id), 0]),
        ),
        // libctru fs.h ARCHIVE_NAND_TWL_FS, opened whole with an empty path
        // (Checkpoint archive.cpp `SaveDataSource::open`, Kind::TwlSave).
        ArchiveKind::DsiWareSave => (ctru_sys::ARCHIVE_NAND_TWL_FS, OwnedPath::empty()),
    };
    let mut raw: ctru_sys::FS_Archive = 0;
    // SAFETY: `raw` is a valid out-pointer and `path` outlives the call.
    check("FSUSER_OpenArchive", unsafe {
        ctru_sys::FSUSER_OpenArchive(&mut raw, archive_id, path.as_fs_path())
    })?;
    Ok(raw)
}

/// An open file or directory handle, closed on drop.
struct Handle {
    raw: ctru_sys::Handle,
    close: unsafe extern "C" fn(ctru_sys::Handle) -> ctru_sys::Result,
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle was opened by the matching FSUSER_Open* call
        // and is closed exactly once, here.
        let _ = unsafe { (self.close)(self.raw) };
    }
}

fn open_file(archive: ctru_sys::FS_Archive, path: &str, flags: u32) -> Result<Handle, SysError> {
    let fs_path = OwnedPath::text(path);
    let mut raw: ctru_sys::Handle = 0;
    // SAFETY: valid out-pointer; the path buffer outlives the call.
    check("FSUSER_OpenFile", unsafe {
        ctru_sys::FSUSER_OpenFile(&mut raw, archive, fs_path.as_fs_path(), flags, 0)
    })?;
    Ok(Handle {
        raw,
        close: ctru_sys::FSFILE_Close,
    })
}

fn read_whole(file: &Handle) -> Result<Vec<u8>, SysError> {
    let mut size = 0u64;
    // SAFETY: valid out-pointer, open handle.
    check("FSFILE_GetSize", unsafe {
        ctru_sys::FSFILE_GetSize(file.raw, &mut size)
    })?;
    let mut bytes = vec![0u8; size as usize];
    let mut done = 0usize;
    while done < bytes.len() {
        let chunk = (bytes.len() - done).min(u32::MAX as usize) as u32;
        let mut read = 0u32;
        // SAFETY: `bytes[done..]` has at least `chunk` writable bytes.
        check("FSFILE_Read", unsafe {
            ctru_sys::FSFILE_Read(
                file.raw,
                &mut read,
                done as u64,
                bytes[done..].as_mut_ptr().cast(),
                chunk,
            )
        })?;
        if read == 0 {
            bytes.truncate(done);
            break;
        }
        done += read as usize;
    }
    Ok(bytes)
}

/// Whether `dir` opens as a directory (Checkpoint archive.cpp
/// `SaveDataSource::accessible` for a TWL save: FSUSER_OpenDirectory, then
/// FSDIR_Close).
fn directory_exists(archive: ctru_sys::FS_Archive, dir: &str) -> Result<(), SysError> {
    let fs_path = OwnedPath::text(dir);
    let mut handle: ctru_sys::Handle = 0;
    // SAFETY: valid out-pointer; the path outlives the call.
    check("FSUSER_OpenDirectory", unsafe {
        ctru_sys::FSUSER_OpenDirectory(&mut handle, archive, fs_path.as_fs_path())
    })?;
    // SAFETY: closes the directory just opened, once.
    let _ = unsafe { ctru_sys::FSDIR_Close(handle) };
    Ok(())
}

fn entry_name(entry: &ctru_sys::FS_DirectoryEntry) -> String {
    let len = entry
        .name
        .iter()
        .position(|&c| c == 0)
        .unwrap_or(entry.name.len());
    String::from_utf16_lossy(&entry.name[..len])
}

impl SaveArchives for Archives {
    fn open(&mut self, id: ArchiveId) -> Result<ArchiveHandle, ArchiveError> {
        self.usable.clone().map_err(ArchiveError::Failed)?;
        let raw = open_raw(id).map_err(|error| match error.meaning() {
            // A game never started: its save exists but is not formatted
            // (0xC8A04554); it is not an error of the app.
            FsMeaning::NotFormatted => ArchiveError::NotFormatted(id),
            FsMeaning::NotFound => ArchiveError::NoArchive(id),
            _ => ArchiveError::Failed(error.to_string()),
        })?;
        let root = match id.kind {
            ArchiveKind::DsiWareSave => {
                let root = twl_data_folder(id.title_id);
                if let Err(error) = directory_exists(raw, &root) {
                    // SAFETY: closes the archive just opened, once.
                    let _ = unsafe { ctru_sys::FSUSER_CloseArchive(raw) };
                    return Err(if error.is_not_found() {
                        ArchiveError::NoArchive(id)
                    } else {
                        ArchiveError::Failed(format!("{root}: {error}"))
                    });
                }
                root
            }
            _ => String::new(),
        };
        let handle = self.next;
        self.next = self.next.wrapping_add(1).max(1);
        self.open.insert(handle, Open { raw, id, root });
        Ok(ArchiveHandle(handle))
    }

    fn close(&mut self, archive: ArchiveHandle) {
        if let Some(open) = self.open.remove(&archive.0) {
            // SAFETY: closes an archive opened by `open`, once: it was just
            // removed from the table.
            let _ = unsafe { ctru_sys::FSUSER_CloseArchive(open.raw) };
        }
    }

    fn list(
        &mut self,
        archive: ArchiveHandle,
        dir: &str,
    ) -> Result<Vec<ArchiveEntry>, ArchiveError> {
        let (raw, full) = self.at(archive, dir)?;
        let fs_path = OwnedPath::text(&full);
        let mut handle: ctru_sys::Handle = 0;
        // SAFETY: valid out-pointer; the path outlives the call.
        check("FSUSER_OpenDirectory", unsafe {
            ctru_sys::FSUSER_OpenDirectory(&mut handle, raw, fs_path.as_fs_path())
        })
        .map_err(|error| failed(dir, error))?;
        let directory = Handle {
            raw: handle,
            close: ctru_sys::FSDIR_Close,
        };
        let mut entries = Vec::new();
        loop {
            let mut batch: [ctru_sys::FS_DirectoryEntry; DIR_BATCH] = Default::default();
            let mut read = 0u32;
            // SAFETY: `batch` holds DIR_BATCH entries, the count passed.
            check("FSDIR_Read", unsafe {
                ctru_sys::FSDIR_Read(
                    directory.raw,
                    &mut read,
                    DIR_BATCH as u32,
                    batch.as_mut_ptr(),
                )
            })
            .map_err(|error| failed(dir, error))?;
            for entry in &batch[..read as usize] {
                let is_dir = entry.attributes & ctru_sys::FS_ATTRIBUTE_DIRECTORY != 0;
                entries.push(ArchiveEntry {
                    name: entry_name(entry),
                    is_dir,
                    size: if is_dir { 0 } else { entry.fileSize },
                });
            }
            if (read as usize) < DIR_BATCH {
                return Ok(entries);
            }
        }
    }

    fn read_file(&mut self, archive: ArchiveHandle, path: &str) -> Result<Vec<u8>, ArchiveError> {
        let (raw, full) = self.at(archive, path)?;
        let file =
            open_file(raw, &full, ctru_sys::FS_OPEN_READ as u32).map_err(|e| failed(path, e))?;
        read_whole(&file).map_err(|error| failed(path, error))
    }

    fn read_at(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, ArchiveError> {
        let (raw, full) = self.at(archive, path)?;
        let file =
            open_file(raw, &full, ctru_sys::FS_OPEN_READ as u32).map_err(|e| failed(path, e))?;
        let size = buf.len().min(u32::MAX as usize) as u32;
        let mut read = 0u32;
        // libctru fs.h: FSFILE_Read(handle, u32* bytesRead, u64 offset,
        // void* buffer, u32 size); at the end it reports 0 bytes read, as
        // `read_whole` relies on too.
        // SAFETY: `buf` has at least `size` writable bytes; open handle.
        check("FSFILE_Read", unsafe {
            ctru_sys::FSFILE_Read(file.raw, &mut read, offset, buf.as_mut_ptr().cast(), size)
        })
        .map_err(|error| failed(path, error))?;
        Ok(read as usize)
    }

    fn create_file(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        size: u64,
    ) -> Result<(), ArchiveError> {
        let (raw, full) = self.at(archive, path)?;
        let fs_path = OwnedPath::text(&full);
        // Save archives cannot grow a file in place: it is created at its
        // final size, so an old one goes first.
        // SAFETY: the path outlives the call.
        let deleted = check("FSUSER_DeleteFile", unsafe {
            ctru_sys::FSUSER_DeleteFile(raw, fs_path.as_fs_path())
        });
        match deleted {
            Err(error) if !error.is_not_found() => return Err(failed(path, error)),
            _ => {}
        }
        // libctru fs.h: FSUSER_CreateFile(archive, path, u32 attributes,
        // u64 fileSize).
        // SAFETY: as above.
        check("FSUSER_CreateFile", unsafe {
            ctru_sys::FSUSER_CreateFile(raw, fs_path.as_fs_path(), 0, size)
        })
        .map_err(|error| failed(path, error))
    }

    fn write_at(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), ArchiveError> {
        let (raw, full) = self.at(archive, path)?;
        let file =
            open_file(raw, &full, ctru_sys::FS_OPEN_WRITE as u32).map_err(|e| failed(path, e))?;
        let mut done = 0usize;
        while done < bytes.len() {
            let chunk = (bytes.len() - done).min(u32::MAX as usize) as u32;
            let mut written = 0u32;
            // libctru fs.h: FSFILE_Write(handle, u32* bytesWritten, u64
            // offset, const void* buffer, u32 size, u32 flags).
            // SAFETY: `bytes[done..]` has at least `chunk` readable bytes.
            check("FSFILE_Write", unsafe {
                ctru_sys::FSFILE_Write(
                    file.raw,
                    &mut written,
                    offset + done as u64,
                    bytes[done..].as_ptr().cast(),
                    chunk,
                    ctru_sys::FS_WRITE_FLUSH as u32,
                )
            })
            .map_err(|error| failed(path, error))?;
            if written == 0 {
                return Err(ArchiveError::Full {
                    path: path.to_owned(),
                });
            }
            done += written as usize;
        }
        Ok(())
    }

    fn write_file(
        &mut self,
        archive: ArchiveHandle,
        path: &str,
        bytes: &[u8],
    ) -> Result<(), ArchiveError> {
        self.create_file(archive, path, bytes.len() as u64)?;
        self.write_at(archive, path, 0, bytes)
    }

    fn create_dir(&mut self, archive: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        let (raw, full) = self.at(archive, path)?;
        let fs_path = OwnedPath::text(&full);
        // SAFETY: the path outlives the call.
        check("FSUSER_CreateDirectory", unsafe {
            ctru_sys::FSUSER_CreateDirectory(raw, fs_path.as_fs_path(), 0)
        })
        .map_err(|error| failed(path, error))
    }

    fn delete_file(&mut self, archive: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        let (raw, full) = self.at(archive, path)?;
        let fs_path = OwnedPath::text(&full);
        // SAFETY: the path outlives the call.
        check("FSUSER_DeleteFile", unsafe {
            ctru_sys::FSUSER_DeleteFile(raw, fs_path.as_fs_path())
        })
        .map_err(|error| failed(path, error))
    }

    fn delete_dir(&mut self, archive: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        let (raw, full) = self.at(archive, path)?;
        let fs_path = OwnedPath::text(&full);
        // SAFETY: the path outlives the call.
        check("FSUSER_DeleteDirectoryRecursively", unsafe {
            ctru_sys::FSUSER_DeleteDirectoryRecursively(raw, fs_path.as_fs_path())
        })
        .map_err(|error| failed(path, error))
    }

    fn commit(&mut self, archive: ArchiveHandle) -> Result<(), ArchiveError> {
        let open = self.raw(archive)?;
        if open.id.kind.is_extdata() {
            // Extdata is written through; it has nothing to commit.
            return Ok(());
        }
        // SAFETY: no input or output buffers (null, size 0); open archive.
        check("FSUSER_ControlArchive (commit)", unsafe {
            ctru_sys::FSUSER_ControlArchive(
                open.raw,
                ctru_sys::ARCHIVE_ACTION_COMMIT_SAVE_DATA,
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
                0,
            )
        })
        .map_err(|error| ArchiveError::Failed(error.to_string()))
    }

    fn reset_secure_value(&mut self, title_id: u64, media: MediaType) -> Result<(), ArchiveError> {
        self.usable.clone().map_err(ArchiveError::Failed)?;
        if media != MediaType::Sd {
            // A cartridge keeps its secure value in its own save, not in
            // the console's SD slot, and a system save has none: there is
            // nothing to reset.
            return Ok(());
        }
        let mut input: u64 = (u64::from(ctru_sys::SECUREVALUE_SLOT_SD) << 32)
            | (u64::from(unique_id(title_id)) << 8);
        let mut output = 0u8;
        // SAFETY: 8 input bytes and 1 output byte, as the sizes say; both
        // buffers live until the synchronous call returns.
        check("FSUSER_ControlSecureSave (delete)", unsafe {
            ctru_sys::FSUSER_ControlSecureSave(
                ctru_sys::SECURESAVE_ACTION_DELETE,
                (&mut input as *mut u64).cast(),
                8,
                (&mut output as *mut u8).cast(),
                1,
            )
        })
        .map_err(|error| ArchiveError::Failed(error.to_string()))
    }

    fn secure_value(
        &mut self,
        title_id: u64,
        media: MediaType,
    ) -> Result<Option<u64>, ArchiveError> {
        self.usable.clone().map_err(ArchiveError::Failed)?;
        if media != MediaType::Sd {
            // A cartridge keeps its secure value inside its own save; a
            // system save has none.
            return Ok(None);
        }
        let mut exists = false;
        let mut value = 0u64;
        // libctru fs.h `FSUSER_GetSaveDataSecureValue(exists, value, slot,
        // titleUniqueId, titleVariation)`; slot SD and variation 0 as
        // J-D-K/JKSM's fslib `getSecureValueForTitle` asks for it.
        // SAFETY: both outputs are locals that outlive the synchronous call.
        check("FSUSER_GetSaveDataSecureValue", unsafe {
            ctru_sys::FSUSER_GetSaveDataSecureValue(
                &mut exists,
                &mut value,
                ctru_sys::SECUREVALUE_SLOT_SD,
                unique_id(title_id),
                0,
            )
        })
        .map_err(|error| ArchiveError::Failed(error.to_string()))?;
        Ok(exists.then_some(value))
    }

    fn set_secure_value(
        &mut self,
        title_id: u64,
        media: MediaType,
        value: u64,
    ) -> Result<(), ArchiveError> {
        self.usable.clone().map_err(ArchiveError::Failed)?;
        if media != MediaType::Sd {
            return Ok(());
        }
        // libctru fs.h `FSUSER_SetSaveDataSecureValue(value, slot,
        // titleUniqueId, titleVariation)`, as J-D-K/JKSM's fslib
        // `setSecureValueForTitle` calls it (slot SD, variation 0).
        // SAFETY: plain values in, no buffers.
        check("FSUSER_SetSaveDataSecureValue", unsafe {
            ctru_sys::FSUSER_SetSaveDataSecureValue(
                value,
                ctru_sys::SECUREVALUE_SLOT_SD,
                unique_id(title_id),
                0,
            )
        })
        .map_err(|error| ArchiveError::Failed(error.to_string()))
    }
}

impl Drop for Archives {
    fn drop(&mut self) {
        let handles: Vec<u32> = self.open.keys().copied().collect();
        for handle in handles {
            self.close(ArchiveHandle(handle));
        }
    }
}

/// Opens and closes one SD title's save data, for the start-up probe (the
/// core's `capabilities::title_saves_access` decides from the answers).
pub fn try_open_save(title_id: u64) -> Result<(), ResultCode> {
    let id = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id,
    };
    let raw = open_raw(id).map_err(|error| ResultCode(error.code as u32))?;
    // SAFETY: closes the archive just opened, once.
    let _ = unsafe { ctru_sys::FSUSER_CloseArchive(raw) };
    Ok(())
}
