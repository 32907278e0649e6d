//! A save image on disk, read and changed in place through the format
//! crate's `ReadAt` / `WriteAt` traits, so that no command holds a whole
//! image (up to a hundred megabytes) in memory.
//!
//! Reads and writes are positioned (`pread` / `pwrite` on Unix,
//! `seek_read` / `seek_write` on Windows), so a shared `&FileStorage` can be
//! read from the two verify threads at once without a lock. An input opened
//! for extraction is mapped instead where that is safe (see `mapped.rs`),
//! and lends its bytes in place to the readers that can use them.

use std::fs;
use std::io::Read;
use std::path::Path;

use keepsake_format::storage::{ReadAt, StorageError, WriteAt, checked_range};

use crate::failure::{FailWith, Failure};
use crate::mapped::Mapped;

/// An image file and its size, fixed when it was opened: a save image never
/// grows, so a write past the end is an error, not an extension.
pub struct FileStorage {
    file: fs::File,
    size: u64,
    mapped: Option<Mapped>,
}

impl FileStorage {
    /// An input, opened read-only.
    pub fn open(path: &Path) -> Result<Self, Failure> {
        let file = fs::File::open(path).bad_input(format!("cannot read {}", path.display()))?;
        Self::over(file).bad_input(format!("cannot read {}", path.display()))
    }

    /// An input to be read through once (an extraction), mapped into
    /// memory when nobody can change it meanwhile, else read as
    /// [`FileStorage::open`] reads. The caller asks [`FileStorage::unchanged`]
    /// before it trusts what it read.
    pub fn open_mapped(path: &Path) -> Result<Self, Failure> {
        let mut storage = Self::open(path)?;
        storage.mapped = Mapped::new(&storage.file, storage.size);
        Ok(storage)
    }

    /// Storage over a file the caller opened (read-write for a change).
    pub fn over(file: fs::File) -> std::io::Result<Self> {
        let size = file.metadata()?.len();
        Ok(FileStorage {
            file,
            size,
            mapped: None,
        })
    }

    /// False when the file is mapped and someone has asked to write to it
    /// since: bytes read from it after that may not be the ones checked.
    /// Always true for a file read with `pread` (each block read is checked
    /// as read, so a change shows up as a failed check, never unchecked).
    pub fn unchanged(&self) -> bool {
        self.mapped.as_ref().is_none_or(Mapped::still_held)
    }

    /// The file underneath.
    pub fn file(&self) -> &fs::File {
        &self.file
    }

    /// Gives the file back, to be flushed and renamed into place.
    pub fn into_file(self) -> fs::File {
        self.file
    }
}

impl ReadAt for FileStorage {
    fn size(&self) -> u64 {
        self.size
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), StorageError> {
        let range = checked_range(offset, buf.len(), self.size)?;
        if let Some(mapped) = &self.mapped {
            buf.copy_from_slice(&mapped.bytes()[range]);
            return Ok(());
        }
        read_exact_at(&self.file, buf, offset).map_err(|e| StorageError::Io {
            offset,
            message: e.to_string(),
        })
    }
    fn borrow_at(&self, offset: u64, len: usize) -> Option<&[u8]> {
        let mapped = self.mapped.as_ref()?;
        mapped.bytes().borrow_at(offset, len)
    }
}

impl WriteAt for FileStorage {
    fn write_at(&mut self, offset: u64, buf: &[u8]) -> Result<(), StorageError> {
        checked_range(offset, buf.len(), self.size)?;
        write_all_at(&self.file, buf, offset).map_err(|e| StorageError::Io {
            offset,
            message: e.to_string(),
        })
    }
}

/// Copies `source` into `target` (a new, empty file), leaving the runs of
/// zero bytes unwritten: the target is sized first, so they read back as
/// zeros all the same, but a save made by the console or by save3ds is
/// mostly never-written space, and skipping it turns a 64 MiB copy into a
/// few hundred kilobytes of writes.
pub fn copy_sparse(source: &mut fs::File, target: &fs::File, len: u64) -> std::io::Result<()> {
    const PIECE: usize = 256 << 10;
    // Compared as slices, which is a vectorised memcmp; a byte loop with an
    // early exit took as long as reading the file.
    const ZEROS: [u8; 4096] = [0; 4096];
    let is_zero = |bytes: &[u8]| bytes == &ZEROS[..bytes.len()];
    target.set_len(len)?;
    let mut buf = vec![0u8; PIECE];
    let mut at = 0u64;
    while at < len {
        let n = PIECE.min((len - at) as usize);
        source.read_exact(&mut buf[..n])?;
        // Whole 4 KiB pages, the file system's unit: a page with any
        // nonzero byte is written whole.
        let mut page = 0;
        while page < n {
            let end = (page + 4096).min(n);
            if !is_zero(&buf[page..end]) {
                // Extend to the following nonzero pages, one write per run.
                let mut run_end = end;
                while run_end < n {
                    let next = (run_end + 4096).min(n);
                    if is_zero(&buf[run_end..next]) {
                        break;
                    }
                    run_end = next;
                }
                write_all_at(target, &buf[page..run_end], at + page as u64)?;
                page = run_end;
            } else {
                page = end;
            }
        }
        at += n as u64;
    }
    Ok(())
}

#[cfg(unix)]
fn read_exact_at(file: &fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(unix)]
fn write_all_at(file: &fs::File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &fs::File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(windows)]
fn write_all_at(file: &fs::File, mut buf: &[u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, buf, offset)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparse_copy_gives_the_same_bytes_and_writes_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let source_path = dir.path().join("in.bin");
        // Zero runs shorter and longer than a page, data at both ends and
        // across a piece boundary, and a length that is not a page multiple.
        let mut bytes = vec![0u8; (256 << 10) * 2 + 1234];
        bytes[0] = 1;
        bytes[5000] = 2;
        bytes[(256 << 10) - 1] = 3;
        bytes[256 << 10] = 4;
        *bytes.last_mut().unwrap() = 5;
        fs::write(&source_path, &bytes).unwrap();
        let target_path = dir.path().join("out.bin");
        let target = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&target_path)
            .unwrap();
        let mut source = fs::File::open(&source_path).unwrap();
        copy_sparse(&mut source, &target, bytes.len() as u64).unwrap();
        assert_eq!(fs::read(&target_path).unwrap(), bytes);

        let mut storage = FileStorage::over(target).unwrap();
        storage.write_at(10, b"abc").unwrap();
        let mut back = [0u8; 4];
        storage.read_at(9, &mut back).unwrap();
        assert_eq!(&back, b"\0abc");
        // The size is fixed: nothing is written past the end.
        assert!(storage.write_at(bytes.len() as u64 - 1, b"xy").is_err());
        assert_eq!(
            fs::metadata(&target_path).unwrap().len(),
            bytes.len() as u64
        );
    }

    #[test]
    fn a_mapped_input_reads_and_lends_the_same_bytes_as_pread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("image.bin");
        let bytes: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
        fs::write(&path, &bytes).unwrap();
        let plain = FileStorage::open(&path).unwrap();
        let mapped = FileStorage::open_mapped(&path).unwrap();
        assert_eq!(plain.borrow_at(0, 1), None, "pread storage lends nothing");
        let (mut a, mut b) = (vec![0u8; 5000], vec![0u8; 5000]);
        plain.read_at(12_345, &mut a).unwrap();
        mapped.read_at(12_345, &mut b).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, bytes[12_345..17_345]);
        assert!(mapped.read_at(19_999, &mut [0u8; 2]).is_err());
        assert!(mapped.unchanged() && plain.unchanged());
        match mapped.borrow_at(100, 50) {
            Some(lent) => assert_eq!(lent, &bytes[100..150]),
            None => eprintln!("SKIPPED: no read lease on {}", dir.path().display()),
        }
        assert_eq!(mapped.borrow_at(19_990, 11), None);
    }
}
