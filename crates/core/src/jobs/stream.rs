//! Moving files between a save archive and the SD card a chunk at a time,
//! so a job's heap stays bounded whatever a file's size (an old 3DS gives
//! an app about 30 MiB; extdata files reach 128 MiB).
//!
//! Every copy hashes what it moved ([`Fnv1a64`]), for the journal and for
//! reading a copy back without holding the original; comparisons read both
//! sides a chunk at a time.

use crate::jobs::JobError;
use crate::platform::{ArchiveError, ArchiveHandle, SaveArchives, SdCard, SdError};
use crate::store::journal::Fnv1a64;

/// Bytes moved per read or write call: 256 KiB, a few frames of SD card
/// time, and two of them (a comparison) stay far below a 3DS job's 2 MiB.
pub(crate) const FILE_CHUNK: usize = 256 * 1024;

/// Fills `buf` from an archive file at `offset` as far as the file goes;
/// returns how many bytes it holds.
fn fill_from_archive(
    archives: &mut dyn SaveArchives,
    handle: ArchiveHandle,
    path: &str,
    offset: u64,
    buf: &mut [u8],
) -> Result<usize, ArchiveError> {
    let mut done = 0;
    while done < buf.len() {
        let n = archives.read_at(handle, path, offset + done as u64, &mut buf[done..])?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// Fills `buf` from an SD file at `offset` as far as the file goes;
/// returns how many bytes it holds.
fn fill_from_sd(
    sd: &mut dyn SdCard,
    path: &str,
    offset: u64,
    buf: &mut [u8],
) -> Result<usize, SdError> {
    let mut done = 0;
    while done < buf.len() {
        let n = sd.read_at(path, offset + done as u64, &mut buf[done..])?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// Copies archive file `from` into a new SD file `to` (its folder must
/// exist); returns the hash of the bytes copied.
pub(crate) fn archive_to_sd(
    archives: &mut dyn SaveArchives,
    handle: ArchiveHandle,
    from: &str,
    sd: &mut dyn SdCard,
    to: &str,
) -> Result<Fnv1a64, JobError> {
    let mut buf = vec![0; FILE_CHUNK];
    let mut hash = Fnv1a64::new();
    sd.write(to, &[])?;
    loop {
        let n = fill_from_archive(archives, handle, from, hash.len(), &mut buf)?;
        if n == 0 {
            return Ok(hash);
        }
        sd.write_at(to, hash.len(), &buf[..n])?;
        hash.update(&buf[..n]);
    }
}

/// Copies SD file `from`, listed at `size` bytes, into a new archive file
/// `to` (its folder must exist); returns the hash of the bytes copied.
pub(crate) fn sd_to_archive(
    sd: &mut dyn SdCard,
    from: &str,
    size: u64,
    archives: &mut dyn SaveArchives,
    handle: ArchiveHandle,
    to: &str,
) -> Result<Fnv1a64, JobError> {
    let mut buf = vec![0; FILE_CHUNK.min(usize::try_from(size).unwrap_or(FILE_CHUNK))];
    let mut hash = Fnv1a64::new();
    archives.create_file(handle, to, size)?;
    while hash.len() < size {
        let want = buf
            .len()
            .min(usize::try_from(size - hash.len()).unwrap_or(usize::MAX));
        let n = fill_from_sd(sd, from, hash.len(), &mut buf[..want])?;
        if n == 0 {
            return Err(JobError::FileChanged {
                path: from.to_owned(),
                listed: size,
                found: hash.len(),
            });
        }
        archives.write_at(handle, to, hash.len(), &buf[..n])?;
        hash.update(&buf[..n]);
    }
    Ok(hash)
}

/// Hashes a whole archive file a chunk at a time.
pub(crate) fn hash_archive_file(
    archives: &mut dyn SaveArchives,
    handle: ArchiveHandle,
    path: &str,
) -> Result<Fnv1a64, JobError> {
    let mut buf = vec![0; FILE_CHUNK];
    let mut hash = Fnv1a64::new();
    loop {
        let n = fill_from_archive(archives, handle, path, hash.len(), &mut buf)?;
        if n == 0 {
            return Ok(hash);
        }
        hash.update(&buf[..n]);
    }
}

/// Whether SD file `saved` and archive file `live` hold the same bytes,
/// compared a chunk at a time; returns the number of bytes of `saved`
/// read too.
pub(crate) fn same_contents(
    sd: &mut dyn SdCard,
    saved: &str,
    archives: &mut dyn SaveArchives,
    handle: ArchiveHandle,
    live: &str,
) -> Result<(bool, u64), JobError> {
    let mut ours = vec![0; FILE_CHUNK];
    let mut theirs = vec![0; FILE_CHUNK];
    let mut offset = 0u64;
    loop {
        let n = fill_from_sd(sd, saved, offset, &mut ours)?;
        let m = fill_from_archive(archives, handle, live, offset, &mut theirs)?;
        if n != m || ours[..n] != theirs[..m] {
            return Ok((false, offset + n as u64));
        }
        offset += n as u64;
        if n < FILE_CHUNK {
            return Ok((true, offset));
        }
    }
}
