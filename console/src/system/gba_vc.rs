//! GBA Virtual Console save files through FSPXI, as Checkpoint reaches them
//! (`3ds/source/gbasave.cpp`, `archive.cpp`, `fsstream.cpp`).
//!
//! FSPXI is the interface the Process9 side of FS offers; only its
//! `ARCHIVE_SAVEDATA_AND_CONTENT` archive exposes the AGBSAVE container
//! AGB_FIRM writes. An app gets no session to `PxiFS0` from srv: Checkpoint
//! takes one from the system with `svcControlService(STEAL_CLIENT_SESSION)`,
//! a custom svc (0xB0) that only the Luma3DS kernel extension implements
//! (Checkpoint `csvc.s` / `csvc.hpp`, from Luma3DS). On a stock kernel that
//! svc does not exist, so Keepsake first checks for Rosalina's `hb:ldr`
//! port as Checkpoint's `util.cpp` does; without it no svc is attempted and
//! every GBA VC save says why it cannot be reached.

use std::collections::BTreeMap;

use keepsake_core::platform::gba_vc::{GBA_CMAC_LEN, GbaVcError, GbaVcHandle, GbaVcId, GbaVcSaves};

use super::am::raw_media;
use super::fs_path::OwnedPath;
use super::{SysError, check};

/// Luma3DS's `ServiceOp::SERVICEOP_STEAL_CLIENT_SESSION` (Checkpoint
/// `3ds/include/csvc.hpp`).
const SERVICEOP_STEAL_CLIENT_SESSION: i32 = 0;

/// The save file inside the archive: a fixed binary path (Checkpoint
/// `fsstream.cpp`, `pxi_path`).
const SAVE_FILE_PATH: [u32; 5] = [1, 1, 3, 0, 0];

/// How many times the CMAC is asked for at most: the first answer after
/// opening the file can be stale, so it is asked until two agree
/// (Checkpoint `gbasave.cpp` `calcSlotCmac`, same as PKSM).
const CMAC_TRIES: usize = 10;

/// Bytes moved per FSPXI read or write: Keepsake's choice, not a limit of
/// the service (Checkpoint `gbasave.cpp` reads a whole save, up to
/// 128 KiB, in one FSPXI_ReadFile); smaller calls keep each one short.
const PXI_CHUNK: usize = 64 * 1024;

struct Open {
    archive: ctru_sys::FSPXI_Archive,
    file: ctru_sys::FSPXI_File,
    id: GbaVcId,
}

/// GBA VC saves; `session` is the PxiFS0 session or why there is none.
pub struct GbaVcFiles {
    session: Result<ctru_sys::Handle, String>,
    open: BTreeMap<u32, Open>,
    next: u32,
}

impl GbaVcFiles {
    /// Takes a PxiFS0 session when Luma3DS is there to give one, and only
    /// when installed titles can be listed at all (`titles`: why not).
    pub fn new(titles: Result<(), String>) -> Self {
        Self {
            session: titles.and_then(|()| take_pxi_session()),
            open: BTreeMap::new(),
            next: 1,
        }
    }

    fn session(&self) -> Result<ctru_sys::Handle, GbaVcError> {
        self.session.clone().map_err(GbaVcError::Unavailable)
    }

    fn raw(&self, file: GbaVcHandle) -> Result<&Open, GbaVcError> {
        self.open.get(&file.0).ok_or(GbaVcError::NotOpen(file))
    }
}

impl Drop for GbaVcFiles {
    fn drop(&mut self) {
        for (_, open) in std::mem::take(&mut self.open) {
            close(self.session.clone().ok(), &open);
        }
        if let Ok(session) = self.session {
            // SAFETY: the session handle was given to this process by
            // svcControlService and is closed once, here.
            let _ = unsafe { ctru_sys::svcCloseHandle(session) };
        }
    }
}

/// Rosalina present (its `hb:ldr` port answers, Checkpoint `util.cpp`),
/// then a session taken from `PxiFS0`.
fn take_pxi_session() -> Result<ctru_sys::Handle, String> {
    let mut port: ctru_sys::Handle = 0;
    // SAFETY: valid out-pointer and a NUL-terminated port name (libctru
    // `3ds/svc.h` svcConnectToPort).
    let connected = unsafe { ctru_sys::svcConnectToPort(&mut port, c"hb:ldr".as_ptr()) };
    if ctru_sys::R_FAILED(connected) {
        return Err("they need Luma3DS (its Rosalina menu was not found)".into());
    }
    // SAFETY: the port handle was just opened; closed once.
    let _ = unsafe { ctru_sys::svcCloseHandle(port) };

    let mut session: ctru_sys::Handle = 0;
    let result: i32;
    // SAFETY: svc 0xB0 is Luma3DS's svcControlService, present since
    // Rosalina answered (Checkpoint `csvc.s`: r0 = operation, r1 = where
    // the handle goes, r2 = the service name; result in r0). `session` is a
    // valid out-pointer and the name is NUL-terminated; the kernel may
    // change r1-r3 and r12, declared clobbered.
    unsafe {
        core::arch::asm!(
            "svc 0xB0",
            inlateout("r0") SERVICEOP_STEAL_CLIENT_SESSION => result,
            inlateout("r1") &raw mut session => _,
            inlateout("r2") c"PxiFS0".as_ptr() => _,
            lateout("r3") _,
            lateout("r12") _,
        );
    }
    check("svcControlService(PxiFS0)", result)
        .map(|()| session)
        .map_err(|e| format!("the PxiFS0 service could not be reached ({e})"))
}

fn failed(id: GbaVcId, error: SysError) -> GbaVcError {
    if error.is_not_found() {
        GbaVcError::NoSave(id)
    } else {
        GbaVcError::Failed(format!("{id}: {error}"))
    }
}

fn close(session: Option<ctru_sys::Handle>, open: &Open) {
    let Some(session) = session else { return };
    // SAFETY: both were opened by FSPXI_OpenFile / FSPXI_OpenArchive on this
    // session and are closed once, here (libctru `3ds/services/fspxi.h`,
    // as Checkpoint `fsstream.cpp` `close` and `archive.cpp`).
    unsafe {
        let _ = ctru_sys::FSPXI_CloseFile(session, open.file);
        let _ = ctru_sys::FSPXI_CloseArchive(session, open.archive);
    }
}

impl GbaVcSaves for GbaVcFiles {
    fn unavailable(&self) -> Option<String> {
        self.session.as_ref().err().cloned()
    }

    fn open(&mut self, id: GbaVcId) -> Result<GbaVcHandle, GbaVcError> {
        let session = self.session()?;
        // Archive path (low id, high id, media, 1): Checkpoint `archive.cpp`
        // `Archive::rawSave`.
        let archive_path = OwnedPath::binary(&[
            id.title_id as u32,
            (id.title_id >> 32) as u32,
            raw_media(id.media) as u32,
            1,
        ]);
        let mut archive: ctru_sys::FSPXI_Archive = 0;
        // SAFETY: valid out-pointer; the path buffer outlives the call
        // (libctru `3ds/services/fspxi.h` FSPXI_OpenArchive, Checkpoint
        // `archive.cpp` `Archive::rawSave`).
        check("FSPXI_OpenArchive", unsafe {
            ctru_sys::FSPXI_OpenArchive(
                session,
                &mut archive,
                ctru_sys::ARCHIVE_SAVEDATA_AND_CONTENT,
                archive_path.as_fs_path(),
            )
        })
        .map_err(|e| failed(id, e))?;
        let file_path = OwnedPath::binary(&SAVE_FILE_PATH);
        let mut file: ctru_sys::FSPXI_File = 0;
        // SAFETY: valid out-pointer, open archive, the path outlives the call
        // (libctru `3ds/services/fspxi.h` FSPXI_OpenFile; read and write, as
        // Checkpoint `gbasave.cpp` `GbaSave::restore` opens it).
        let opened = check("FSPXI_OpenFile", unsafe {
            ctru_sys::FSPXI_OpenFile(
                session,
                &mut file,
                archive,
                file_path.as_fs_path(),
                u32::from(ctru_sys::FS_OPEN_READ | ctru_sys::FS_OPEN_WRITE),
                0,
            )
        });
        if let Err(e) = opened {
            // SAFETY: opened above, closed once (libctru `fspxi.h`).
            let _ = unsafe { ctru_sys::FSPXI_CloseArchive(session, archive) };
            return Err(failed(id, e));
        }
        let handle = self.next;
        self.next += 1;
        self.open.insert(handle, Open { archive, file, id });
        Ok(GbaVcHandle(handle))
    }

    fn close(&mut self, file: GbaVcHandle) {
        if let Some(open) = self.open.remove(&file.0) {
            close(self.session.clone().ok(), &open);
        }
    }

    fn file_size(&mut self, file: GbaVcHandle) -> Result<u64, GbaVcError> {
        let session = self.session()?;
        let open = self.raw(file)?;
        let mut size = 0u64;
        // SAFETY: valid out-pointer, open file (libctru `3ds/services/fspxi.h`
        // FSPXI_GetFileSize, as Checkpoint `fsstream.cpp`).
        check("FSPXI_GetFileSize", unsafe {
            ctru_sys::FSPXI_GetFileSize(session, open.file, &mut size)
        })
        .map_err(|e| failed(open.id, e))?;
        Ok(size)
    }

    fn read_at(
        &mut self,
        file: GbaVcHandle,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<(), GbaVcError> {
        let session = self.session()?;
        let open = self.raw(file)?;
        let mut done = 0usize;
        while done < buf.len() {
            let chunk = (buf.len() - done).min(PXI_CHUNK);
            let mut read = 0u32;
            // SAFETY: `buf[done..]` has at least `chunk` writable bytes
            // (libctru `3ds/services/fspxi.h` FSPXI_ReadFile, as Checkpoint
            // `fsstream.cpp` `read`).
            check("FSPXI_ReadFile", unsafe {
                ctru_sys::FSPXI_ReadFile(
                    session,
                    open.file,
                    &mut read,
                    offset + done as u64,
                    buf[done..].as_mut_ptr().cast(),
                    chunk as u32,
                )
            })
            .map_err(|e| failed(open.id, e))?;
            if read == 0 {
                return Err(GbaVcError::OutOfRange {
                    offset,
                    len: buf.len(),
                    size: offset + done as u64,
                });
            }
            done += read as usize;
        }
        Ok(())
    }

    fn write_at(&mut self, file: GbaVcHandle, offset: u64, bytes: &[u8]) -> Result<(), GbaVcError> {
        let session = self.session()?;
        let open = self.raw(file)?;
        let mut done = 0usize;
        while done < bytes.len() {
            let chunk = (bytes.len() - done).min(PXI_CHUNK);
            let mut written = 0u32;
            // SAFETY: `bytes[done..]` has at least `chunk` readable bytes
            // (libctru `3ds/services/fspxi.h` FSPXI_WriteFile; flushed on
            // every write, as Checkpoint `fsstream.cpp` `write` does for
            // PXI files, which have no flush on close).
            check("FSPXI_WriteFile", unsafe {
                ctru_sys::FSPXI_WriteFile(
                    session,
                    open.file,
                    &mut written,
                    offset + done as u64,
                    bytes[done..].as_ptr().cast(),
                    chunk as u32,
                    u32::from(ctru_sys::FS_WRITE_FLUSH),
                )
            })
            .map_err(|e| failed(open.id, e))?;
            if written == 0 {
                return Err(GbaVcError::Failed(format!(
                    "{}: nothing written at offset {:#x}",
                    open.id,
                    offset + done as u64
                )));
            }
            done += written as usize;
        }
        Ok(())
    }

    fn calc_cmac(
        &mut self,
        file: GbaVcHandle,
        digest: &[u8; 32],
    ) -> Result<[u8; GBA_CMAC_LEN], GbaVcError> {
        let session = self.session()?;
        let open = self.raw(file)?;
        let mut cmac = [0u8; GBA_CMAC_LEN];
        for tries in 0..CMAC_TRIES {
            let previous = cmac;
            // SAFETY: 32 readable bytes in, 16 writable bytes out, open file
            // (libctru `3ds/services/fspxi.h` FSPXI_CalcSavegameMAC, as
            // Checkpoint `gbasave.cpp` `calcSlotCmac`).
            check("FSPXI_CalcSavegameMAC", unsafe {
                ctru_sys::FSPXI_CalcSavegameMAC(
                    session,
                    open.file,
                    digest.as_ptr().cast(),
                    digest.len() as u32,
                    cmac.as_mut_ptr().cast(),
                    cmac.len() as u32,
                )
            })
            .map_err(|e| failed(open.id, e))?;
            if tries > 0 && previous == cmac {
                break;
            }
        }
        Ok(cmac)
    }
}
