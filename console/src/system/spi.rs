//! The NDS card's SPI bus through `pxi:dev`.
//!
//! One `PXIDEV_SPIMultiWriteRead` is one chip-select cycle of six buffers:
//! header, write 1, read 1, write 2, read 2, footer. Keepsake sends the
//! command in write 1 and reads the answer in read 1. Infrared cartridges
//! get the one-byte prefix in the header buffer at 1 MHz (their
//! microcontroller only passes on what follows a slow byte); everything else
//! goes at 4 MHz on the 1-bit bus, but for the 8 MiB flash's unlock frames,
//! sent alone at 512 kHz.

use keepsake_core::platform::{SpiBus, SpiError};

use super::{SysError, check};

/// An open `pxi:dev` session; closed on drop.
pub struct PxiDev {
    _private: (),
}

impl PxiDev {
    /// Opens `pxi:dev`: fails when the app lacks the right to it (a `.3dsx`
    /// under most launchers), which start-up probing reports.
    pub fn open() -> Result<PxiDev, SysError> {
        // SAFETY: pxiDevInit takes no arguments and only gets a service
        // handle, reference counted inside libctru; Drop balances it.
        check("pxiDevInit", unsafe { ctru_sys::pxiDevInit() })?;
        Ok(PxiDev { _private: () })
    }
}

impl Drop for PxiDev {
    fn drop(&mut self) {
        // SAFETY: balances the successful pxiDevInit of `open`.
        unsafe { ctru_sys::pxiDevExit() }
    }
}

/// The card's SPI bus over an open `pxi:dev` session.
pub struct NdsSpi {
    _session: PxiDev,
}

impl NdsSpi {
    pub fn new(session: PxiDev) -> Self {
        Self { _session: session }
    }
}

fn transfer_option(baud_rate: ctru_sys::FS_CardSpiBaudRate) -> u8 {
    // SAFETY: a pure bit-packing helper (static inline in libctru, exported
    // by ctru-sys's wrapper); it touches no memory.
    unsafe { ctru_sys::pxiDevMakeTransferOption(baud_rate, ctru_sys::BUSMODE_1BIT) }
}

fn no_wait() -> u64 {
    // SAFETY: as above, pure bit packing.
    unsafe { ctru_sys::pxiDevMakeWaitOperation(ctru_sys::WAIT_NONE, ctru_sys::DEASSERT_NONE, 0) }
}

fn buffer(
    ptr: *mut u8,
    len: usize,
    option: u8,
    wait: u64,
) -> Result<ctru_sys::PXIDEV_SPIBuffer, SpiError> {
    let size = u32::try_from(len)
        .map_err(|_| SpiError::Failed(format!("a {len}-byte SPI buffer is too large")))?;
    Ok(ctru_sys::PXIDEV_SPIBuffer {
        ptr: if len == 0 {
            std::ptr::null_mut()
        } else {
            ptr.cast()
        },
        size,
        transferOption: option,
        waitOperation: wait,
    })
}

impl SpiBus for NdsSpi {
    fn transfer(
        &mut self,
        prefix: Option<u8>,
        command: &[u8],
        response: &mut [u8],
    ) -> Result<(), SpiError> {
        // 4 MHz for commands and data, 1 MHz for the infrared prefix
        // (BernardoGiordano/Checkpoint 3ds/source/spi.cpp, SPIWriteRead).
        let fast = transfer_option(ctru_sys::BAUDRATE_4MHZ);
        let slow = transfer_option(ctru_sys::BAUDRATE_1MHZ);
        let wait = no_wait();
        // pxi:dev takes mutable pointers even for what it only sends, so the
        // command and prefix are copied into buffers of our own.
        let mut prefix_byte = [prefix.unwrap_or(0)];
        let mut command = command.to_vec();
        let mut header = match prefix {
            Some(_) => buffer(prefix_byte.as_mut_ptr(), 1, slow, wait)?,
            None => buffer(prefix_byte.as_mut_ptr(), 0, fast, wait)?,
        };
        let mut write1 = buffer(command.as_mut_ptr(), command.len(), fast, wait)?;
        let mut read1 = buffer(response.as_mut_ptr(), response.len(), fast, wait)?;
        let mut write2 = buffer(std::ptr::null_mut(), 0, fast, wait)?;
        let mut read2 = buffer(std::ptr::null_mut(), 0, fast, wait)?;
        let mut footer = buffer(std::ptr::null_mut(), 0, fast, wait)?;
        // SAFETY: the six descriptors point at buffers that live until the
        // call returns (`prefix_byte`, `command`, `response`) or are empty
        // with null pointers; sizes match the buffers; the call is
        // synchronous and keeps no pointer afterwards.
        let code = unsafe {
            ctru_sys::PXIDEV_SPIMultiWriteRead(
                &mut header,
                &mut write1,
                &mut read1,
                &mut write2,
                &mut read2,
                &mut footer,
            )
        };
        check("PXIDEV_SPIMultiWriteRead", code).map_err(|error| SpiError::Failed(error.to_string()))
    }

    /// The 8 MiB flash's vendor unlock frames go alone at 512 kHz
    /// (BernardoGiordano/Checkpoint 3ds/source/spi.cpp, SPISendCommand8MB;
    /// BAUDRATE_512KHZ from libctru's fs.h FS_CardSpiBaudRate).
    fn send_slow(&mut self, command: &[u8]) -> Result<(), SpiError> {
        let slow = transfer_option(ctru_sys::BAUDRATE_512KHZ);
        let wait = no_wait();
        let mut command = command.to_vec();
        let mut header = buffer(std::ptr::null_mut(), 0, slow, wait)?;
        let mut write1 = buffer(command.as_mut_ptr(), command.len(), slow, wait)?;
        let mut read1 = buffer(std::ptr::null_mut(), 0, slow, wait)?;
        let mut write2 = buffer(std::ptr::null_mut(), 0, slow, wait)?;
        let mut read2 = buffer(std::ptr::null_mut(), 0, slow, wait)?;
        let mut footer = buffer(std::ptr::null_mut(), 0, slow, wait)?;
        // SAFETY: as in `transfer`: `command` lives until the synchronous call
        // returns, every other descriptor is empty with a null pointer.
        let code = unsafe {
            ctru_sys::PXIDEV_SPIMultiWriteRead(
                &mut header,
                &mut write1,
                &mut read1,
                &mut write2,
                &mut read2,
                &mut footer,
            )
        };
        check("PXIDEV_SPIMultiWriteRead", code).map_err(|error| SpiError::Failed(error.to_string()))
    }
}

/// The bus when `pxi:dev` is unavailable: every transfer says why.
pub struct UnavailableSpi {
    pub reason: String,
}

impl SpiBus for UnavailableSpi {
    fn transfer(&mut self, _: Option<u8>, _: &[u8], _: &mut [u8]) -> Result<(), SpiError> {
        Err(SpiError::Failed(self.reason.clone()))
    }
}
