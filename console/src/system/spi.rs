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

/// One chip-select cycle: the header (the infrared prefix, or empty), the
/// command, and the answer read into `response`; the other three buffers
/// empty. `option` is the clock of command and answer, `header_option` the
/// header's.
fn multi_write_read(
    header_bytes: &mut [u8],
    header_option: u8,
    command: &mut [u8],
    response: &mut [u8],
    option: u8,
) -> Result<(), SpiError> {
    let wait = no_wait();
    let mut header = buffer(
        header_bytes.as_mut_ptr(),
        header_bytes.len(),
        header_option,
        wait,
    )?;
    let mut write1 = buffer(command.as_mut_ptr(), command.len(), option, wait)?;
    let mut read1 = buffer(response.as_mut_ptr(), response.len(), option, wait)?;
    let mut write2 = buffer(std::ptr::null_mut(), 0, option, wait)?;
    let mut read2 = buffer(std::ptr::null_mut(), 0, option, wait)?;
    let mut footer = buffer(std::ptr::null_mut(), 0, option, wait)?;
    // SAFETY: the six descriptors point at buffers that live until the call
    // returns (`header_bytes`, `command`, `response`; `buffer` gives an empty
    // one a null pointer) or are empty with null pointers; sizes match the
    // buffers; the call is synchronous and keeps no pointer afterwards.
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
        // pxi:dev takes mutable pointers even for what it only sends, so the
        // command and prefix are copied into buffers of our own.
        let mut prefix_byte = [prefix.unwrap_or(0)];
        let (header, header_option) = match prefix {
            Some(_) => (&mut prefix_byte[..], slow),
            None => (&mut prefix_byte[..0], fast),
        };
        let mut command = command.to_vec();
        multi_write_read(header, header_option, &mut command, response, fast)
    }

    /// The 8 MiB flash's vendor unlock frames go alone at 512 kHz
    /// (BernardoGiordano/Checkpoint 3ds/source/spi.cpp, SPISendCommand8MB;
    /// BAUDRATE_512KHZ from libctru's fs.h FS_CardSpiBaudRate).
    fn send_slow(&mut self, command: &[u8]) -> Result<(), SpiError> {
        let slow = transfer_option(ctru_sys::BAUDRATE_512KHZ);
        let mut command = command.to_vec();
        multi_write_read(&mut [], slow, &mut command, &mut [], slow)
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
