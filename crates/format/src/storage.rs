//! Random-access storage under the container formats.
//!
//! A 3DS save image can be a hundred megabytes; the DISA and DIFF readers
//! never need it whole in memory, only the blocks they verify or return. They
//! read and write through these two small traits, which a byte slice, a
//! vector, or (in the PC tool) a file implements.

use thiserror::Error;

/// Why a storage access failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum StorageError {
    /// The access reaches past the end of the storage.
    #[error("{len} bytes at offset {offset:#x} reach past the end of the {size:#x}-byte image")]
    OutOfRange { offset: u64, len: u64, size: u64 },
    /// The device or file underneath failed.
    #[error("I/O error at offset {offset:#x}: {message}")]
    Io { offset: u64, message: String },
}

/// Storage that can be read at any offset.
pub trait ReadAt {
    /// The size of the storage in bytes.
    fn size(&self) -> u64;
    /// Fills `buf` with the bytes at `offset`; fails when they are not all there.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), StorageError>;
    /// The `len` bytes at `offset` where the storage already holds them in
    /// memory (a slice, a vector, a file mapped by the PC tool), so that a
    /// reader can check them and pass them on without copying them first;
    /// `None` when they must be read with [`ReadAt::read_at`] (the default)
    /// or do not all fit.
    fn borrow_at(&self, offset: u64, len: usize) -> Option<&[u8]> {
        let _ = (offset, len);
        None
    }
}

/// Storage that can also be written at any offset (within its size).
pub trait WriteAt: ReadAt {
    /// Writes `buf` at `offset`; fails when it does not fit.
    fn write_at(&mut self, offset: u64, buf: &[u8]) -> Result<(), StorageError>;
}

/// The byte range `offset..offset + len` of a storage of `size` bytes, or the
/// error saying why it does not fit.
pub fn checked_range(
    offset: u64,
    len: usize,
    size: u64,
) -> Result<std::ops::Range<usize>, StorageError> {
    let out_of_range = || StorageError::OutOfRange {
        offset,
        len: len as u64,
        size,
    };
    let end = offset.checked_add(len as u64).ok_or_else(out_of_range)?;
    if end > size {
        return Err(out_of_range());
    }
    // Both fit in `size`, which came from an in-memory length here.
    Ok(offset as usize..end as usize)
}

impl ReadAt for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), StorageError> {
        let range = checked_range(offset, buf.len(), self.size())?;
        buf.copy_from_slice(&self[range]);
        Ok(())
    }
    fn borrow_at(&self, offset: u64, len: usize) -> Option<&[u8]> {
        let range = checked_range(offset, len, self.size()).ok()?;
        Some(&self[range])
    }
}

impl WriteAt for [u8] {
    fn write_at(&mut self, offset: u64, buf: &[u8]) -> Result<(), StorageError> {
        let range = checked_range(offset, buf.len(), self.size())?;
        self[range].copy_from_slice(buf);
        Ok(())
    }
}

impl ReadAt for Vec<u8> {
    fn size(&self) -> u64 {
        self.as_slice().size()
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), StorageError> {
        self.as_slice().read_at(offset, buf)
    }
    fn borrow_at(&self, offset: u64, len: usize) -> Option<&[u8]> {
        self.as_slice().borrow_at(offset, len)
    }
}

impl WriteAt for Vec<u8> {
    fn write_at(&mut self, offset: u64, buf: &[u8]) -> Result<(), StorageError> {
        self.as_mut_slice().write_at(offset, buf)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    fn size(&self) -> u64 {
        (**self).size()
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), StorageError> {
        (**self).read_at(offset, buf)
    }
    fn borrow_at(&self, offset: u64, len: usize) -> Option<&[u8]> {
        (**self).borrow_at(offset, len)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &mut T {
    fn size(&self) -> u64 {
        (**self).size()
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), StorageError> {
        (**self).read_at(offset, buf)
    }
    fn borrow_at(&self, offset: u64, len: usize) -> Option<&[u8]> {
        (**self).borrow_at(offset, len)
    }
}

impl<T: WriteAt + ?Sized> WriteAt for &mut T {
    fn write_at(&mut self, offset: u64, buf: &[u8]) -> Result<(), StorageError> {
        (**self).write_at(offset, buf)
    }
}

/// Little-endian field readers for the fixed-layout headers, over slices the
/// caller has already checked to be long enough.
pub(crate) fn le_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

pub(crate) fn le_u64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

pub(crate) fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

pub(crate) fn put_u64(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_inside_a_vector() {
        let mut image = vec![0u8; 16];
        image.write_at(4, b"abcd").unwrap();
        let mut out = [0u8; 6];
        image.read_at(3, &mut out).unwrap();
        assert_eq!(&out, b"\0abcd\0");
        assert_eq!(image.borrow_at(4, 4), Some(&b"abcd"[..]));
        // Through a reference, as the readers hold their storage.
        fn lent<S: ReadAt>(storage: S, offset: u64, len: usize) -> Option<Vec<u8>> {
            storage.borrow_at(offset, len).map(<[u8]>::to_vec)
        }
        assert_eq!(lent(&image, 5, 2), Some(b"bc".to_vec()));
        assert_eq!(lent(&image, 16, 0), Some(Vec::new()));
        assert_eq!(image.borrow_at(13, 4), None);
        assert_eq!(image.borrow_at(u64::MAX, 1), None);
    }

    #[test]
    fn refuses_accesses_past_the_end_and_offsets_that_overflow() {
        let mut image = vec![0u8; 16];
        let mut out = [0u8; 4];
        assert_eq!(
            image.read_at(13, &mut out),
            Err(StorageError::OutOfRange {
                offset: 13,
                len: 4,
                size: 16
            })
        );
        assert!(image.read_at(u64::MAX - 1, &mut out).is_err());
        assert!(image.write_at(16, b"x").is_err());
        // A failed write leaves the storage untouched.
        assert_eq!(image, vec![0u8; 16]);
    }
}
