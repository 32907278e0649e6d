//! Moving files between a save archive and the SD card one chunk per call.
//!
//! Two reasons for chunks. Memory: a job's heap stays bounded whatever a
//! file's size (an old 3DS gives an app about 30 MiB; extdata files reach
//! 128 MiB). Time: a job step does one call, so the console redraws (and
//! shows progress) between chunks; a whole 128 MiB file in one step froze
//! the screen until it was through.
//!
//! Each transfer ([`Hashing`], [`ArchiveToSd`], [`SdToArchive`],
//! [`Comparing`]) is a small state machine the job keeps between steps: the
//! paths, how far it got (the length of its running hash) and its buffer.
//! The platform traits address files by path and offset, so no file stays
//! open between steps. One call moves at most one chunk through each
//! device, read and written together (`jobs/chunk_tests.rs` counts it at
//! the traits); a copy reads a chunk on one device and writes it on the
//! other.
//!
//! Every transfer hashes what it moved ([`Fnv1a64`]), for the journal and
//! for reading a copy back without holding the original.

use crate::jobs::JobError;
use crate::platform::{ArchiveHandle, Devices};
use crate::store::journal::Fnv1a64;

/// Bytes moved per call: 256 KiB, a few frames of SD card time, and two of
/// them (a comparison) stay far below a 3DS job's 2 MiB.
pub(crate) const FILE_CHUNK: usize = 256 * 1024;

/// A chunk buffer; its `Debug` gives its size, not its bytes.
struct Buffer(Vec<u8>);

impl Buffer {
    fn new(len: usize) -> Self {
        Self(vec![0; len])
    }
}

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} byte buffer", self.0.len())
    }
}

/// A file a transfer reads.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// On the SD card, by absolute path.
    Sd(String),
    /// In an open archive, by its path there (`/dir/file`).
    Archive(ArchiveHandle, String),
}

impl Source {
    /// Fills `buf` from `offset` as far as the file goes; returns how many
    /// bytes it holds (fewer than `buf.len()` only at the end).
    fn fill(
        &self,
        devices: &mut Devices<'_>,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, JobError> {
        let mut done = 0;
        while done < buf.len() {
            let at = offset + done as u64;
            let n = match self {
                Source::Sd(path) => devices.sd.read_at(path, at, &mut buf[done..])?,
                Source::Archive(handle, path) => {
                    devices
                        .archives
                        .read_at(*handle, path, at, &mut buf[done..])?
                }
            };
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }
}

/// What one call of a transfer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Moved<T> {
    /// Bytes of the file handled by this call.
    pub bytes: u64,
    /// The outcome, once the whole file went through.
    pub done: Option<T>,
}

/// Reading a whole file and hashing it.
#[derive(Debug)]
pub(crate) struct Hashing {
    source: Source,
    /// The length the file should have, when known: reads stop one byte
    /// past it, enough to see a longer file.
    expected: Option<u64>,
    hash: Fnv1a64,
    buf: Buffer,
}

impl Hashing {
    pub(crate) fn new(source: Source) -> Self {
        Self {
            source,
            expected: None,
            hash: Fnv1a64::new(),
            buf: Buffer::new(FILE_CHUNK),
        }
    }

    /// Hashing a file that should hold `len` bytes: a file that does not
    /// still ends with a hash that tells (it counts its length), but no
    /// call reads more than one byte past `len`.
    pub(crate) fn expecting(source: Source, len: u64) -> Self {
        let cap = usize::try_from(len.saturating_add(1)).unwrap_or(usize::MAX);
        Self {
            source,
            expected: Some(len),
            hash: Fnv1a64::new(),
            buf: Buffer::new(FILE_CHUNK.min(cap)),
        }
    }

    /// Hashes the next chunk; the file's hash once a read comes up short
    /// (a file of whole chunks takes one more call that reads nothing) or
    /// the file turned out longer than expected.
    pub(crate) fn step(&mut self, devices: &mut Devices<'_>) -> Result<Moved<Fnv1a64>, JobError> {
        let want = match self.expected {
            Some(len) => {
                let left = (len + 1).saturating_sub(self.hash.len());
                self.buf
                    .0
                    .len()
                    .min(usize::try_from(left).unwrap_or(usize::MAX))
            }
            None => self.buf.0.len(),
        };
        let n = self
            .source
            .fill(devices, self.hash.len(), &mut self.buf.0[..want])?;
        self.hash.update(&self.buf.0[..n]);
        let longer = self.expected.is_some_and(|len| self.hash.len() > len);
        Ok(Moved {
            bytes: n as u64,
            done: (n < want || longer).then_some(self.hash),
        })
    }
}

/// Copying an archive file into a new SD file (its folder must exist).
#[derive(Debug)]
pub(crate) struct ArchiveToSd {
    from: Source,
    to: String,
    started: bool,
    hash: Fnv1a64,
    buf: Buffer,
}

impl ArchiveToSd {
    pub(crate) fn new(handle: ArchiveHandle, from: String, to: String) -> Self {
        Self {
            from: Source::Archive(handle, from),
            to,
            started: false,
            hash: Fnv1a64::new(),
            buf: Buffer::new(FILE_CHUNK),
        }
    }

    /// Copies the next chunk; the hash of everything copied once the
    /// archive's file has ended.
    pub(crate) fn step(&mut self, devices: &mut Devices<'_>) -> Result<Moved<Fnv1a64>, JobError> {
        if !self.started {
            devices.sd.write(&self.to, &[])?;
            self.started = true;
        }
        let n = self.from.fill(devices, self.hash.len(), &mut self.buf.0)?;
        if n > 0 {
            devices
                .sd
                .write_at(&self.to, self.hash.len(), &self.buf.0[..n])?;
            self.hash.update(&self.buf.0[..n]);
        }
        Ok(Moved {
            bytes: n as u64,
            done: (n < self.buf.0.len()).then_some(self.hash),
        })
    }
}

/// Copying an SD file, listed at `size` bytes, into a new archive file
/// (its folder must exist). The archive file is made at its final size,
/// as a save archive cannot grow a file.
#[derive(Debug)]
pub(crate) struct SdToArchive {
    from: Source,
    size: u64,
    handle: ArchiveHandle,
    to: String,
    created: bool,
    hash: Fnv1a64,
    buf: Buffer,
}

impl SdToArchive {
    pub(crate) fn new(from: String, size: u64, handle: ArchiveHandle, to: String) -> Self {
        Self {
            from: Source::Sd(from),
            size,
            handle,
            to,
            created: false,
            hash: Fnv1a64::new(),
            buf: Buffer::new(FILE_CHUNK.min(usize::try_from(size).unwrap_or(FILE_CHUNK))),
        }
    }

    /// Creates the file (first call) and copies the next chunk; the hash
    /// of everything copied once `size` bytes are in.
    pub(crate) fn step(&mut self, devices: &mut Devices<'_>) -> Result<Moved<Fnv1a64>, JobError> {
        if !self.created {
            devices
                .archives
                .create_file(self.handle, &self.to, self.size)?;
            self.created = true;
        }
        let left = self.size - self.hash.len();
        let want = self
            .buf
            .0
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        let mut n = 0;
        if want > 0 {
            n = self
                .from
                .fill(devices, self.hash.len(), &mut self.buf.0[..want])?;
            if n == 0 {
                let Source::Sd(from) = &self.from else {
                    unreachable!("made from an SD path");
                };
                return Err(JobError::FileChanged {
                    path: from.clone(),
                    listed: self.size,
                    found: self.hash.len(),
                });
            }
            devices
                .archives
                .write_at(self.handle, &self.to, self.hash.len(), &self.buf.0[..n])?;
            self.hash.update(&self.buf.0[..n]);
        }
        Ok(Moved {
            bytes: n as u64,
            done: (self.hash.len() == self.size).then_some(self.hash),
        })
    }
}

/// Comparing two files a chunk of each at a time.
#[derive(Debug)]
pub(crate) struct Comparing {
    ours: Source,
    theirs: Source,
    offset: u64,
    ours_buf: Buffer,
    theirs_buf: Buffer,
}

impl Comparing {
    pub(crate) fn new(ours: Source, theirs: Source) -> Self {
        Self {
            ours,
            theirs,
            offset: 0,
            ours_buf: Buffer::new(FILE_CHUNK),
            theirs_buf: Buffer::new(FILE_CHUNK),
        }
    }

    /// Compares the next chunk of each; whether the files hold the same
    /// bytes once they differ or both have ended. The bytes reported are
    /// those of `ours`.
    pub(crate) fn step(&mut self, devices: &mut Devices<'_>) -> Result<Moved<bool>, JobError> {
        let n = self.ours.fill(devices, self.offset, &mut self.ours_buf.0)?;
        let m = self
            .theirs
            .fill(devices, self.offset, &mut self.theirs_buf.0)?;
        self.offset += n as u64;
        let done = if n != m || self.ours_buf.0[..n] != self.theirs_buf.0[..m] {
            Some(false)
        } else {
            (n < FILE_CHUNK).then_some(true)
        };
        Ok(Moved {
            bytes: n as u64,
            done,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{ArchiveId, ArchiveKind, Console, MediaType, SaveArchives, SdCard};
    use crate::sim::{MemTree, SimConsole};

    #[test]
    fn a_file_hashed_as_expected_reads_at_most_one_byte_past_its_length() {
        let mut sim = SimConsole::new();
        sim.sd.create_dir_all("/d").unwrap();
        sim.sd.write("/d/f", b"foobar").unwrap();
        // FNV-1a 64 of "foobar", from the FNV reference test vectors.
        let mut right = Hashing::expecting(Source::Sd("/d/f".into()), 6);
        let moved = right.step(&mut sim.devices()).unwrap();
        assert_eq!(moved.bytes, 6);
        let hash = moved.done.expect("a short read ends it");
        assert_eq!((hash.finish(), hash.len()), (0x8594_4171_f739_67e8, 6));

        // A file longer than expected: one byte past, and the hash's length
        // tells.
        let mut longer = Hashing::expecting(Source::Sd("/d/f".into()), 2);
        let moved = longer.step(&mut sim.devices()).unwrap();
        assert_eq!(moved.bytes, 3);
        assert_eq!(moved.done.map(|h| h.len()), Some(3));
    }

    #[test]
    fn a_backup_file_shorter_than_listed_stops_the_copy_saying_so() {
        let mut sim = SimConsole::new();
        let id = ArchiveId {
            kind: ArchiveKind::SaveData,
            media: MediaType::Sd,
            title_id: 0x0004_0000_0005_5D00,
        };
        sim.archives.insert(id, MemTree::new());
        let handle = sim.archives.open(id).unwrap();
        sim.sd.create_dir_all("/b").unwrap();
        sim.sd.write("/b/main", &[7; 100 * 1024]).unwrap();
        let mut copy = SdToArchive::new("/b/main".into(), 300 * 1024, handle, "/main".into());
        // 100 KiB come, then nothing where 200 KiB more were listed.
        let first = copy.step(&mut sim.devices()).unwrap();
        assert_eq!((first.bytes, first.done), (100 * 1024, None));
        let err = copy.step(&mut sim.devices()).unwrap_err();
        assert_eq!(
            err,
            JobError::FileChanged {
                path: "/b/main".into(),
                listed: 300 * 1024,
                found: 100 * 1024,
            }
        );
    }
}
