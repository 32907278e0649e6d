//! An input image mapped into memory, read only, for as long as nobody may
//! change it: extracting reads each byte of an image once to check its hash
//! and once to write it out, and from a mapping both happen where the file
//! already sits in the page cache, without first copying it into a buffer
//! (the copy was the largest single cost of `disa extract`).
//!
//! A mapping shows the file as it is now, not as it was, so bytes checked
//! against their hash could change before they are written out. Keepsake
//! never writes to an input, and another program is kept out by a read
//! lease (Linux `fcntl(F_SETLEASE, F_RDLCK)`): while the lease is held, any
//! `open` of the file for writing and any `truncate` of it waits until
//! Keepsake closes the file, for up to the system's lease-break time (45 s by
//! default). The kernel gives no lease when the file is already open for
//! writing anywhere (which includes a writable mapping), so nothing can be
//! changing it when the mapping is made. A writer that starts waiting during
//! the extraction turns the lease into a broken one, which
//! [`Mapped::still_held`] sees: the extraction checks it after each file
//! and, if it was broken, stops without putting any file in place, since a
//! writer whose wait ran out could have changed bytes after their check.
//! Where no lease can be had (another system, a file of another owner, a
//! file system without leases) there is no mapping, and the image is read
//! with `pread` as before.

use std::fs;

/// The whole of an open file, mapped read only under a read lease.
pub struct Mapped {
    ptr: *const u8,
    len: usize,
    fd: i32,
}

// The mapping is read only and never remapped while it lives, so shared
// references to it may cross threads like any `&[u8]`.
unsafe impl Send for Mapped {}
unsafe impl Sync for Mapped {}

impl Mapped {
    /// Maps `file` (open read only, `len` bytes) under a read lease, or
    /// `None` when either cannot be had. The lease and the mapping live as
    /// long as `file` stays open; the caller keeps it open beside this.
    #[cfg(target_os = "linux")]
    pub fn new(file: &fs::File, len: u64) -> Option<Mapped> {
        use std::os::fd::AsRawFd;
        let len = usize::try_from(len).ok().filter(|&n| n > 0)?;
        let fd = file.as_raw_fd();
        // SAFETY (one block for every system call of the mapping): `fd` is
        // an open file for the whole call. SIGIO is what the kernel sends
        // when a writer asks for the lease to be broken; its default action
        // would end the process, so it is ignored (the break is read from
        // F_GETLEASE instead; nothing else in this program uses SIGIO).
        // `mmap` of `len` bytes read only and shared is checked for failure
        // below; the pages stay valid until `munmap` in `drop`, and no
        // writer can reach the file meanwhile (see the module comment), so
        // the bytes behind the slices `bytes` hands out do not change.
        let ptr = unsafe {
            libc::signal(libc::SIGIO, libc::SIG_IGN);
            if libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) != 0 {
                return None;
            }
            let ptr = libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                fd,
                0,
            );
            if ptr == libc::MAP_FAILED {
                libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK);
                return None;
            }
            ptr as *const u8
        };
        Some(Mapped { ptr, len, fd })
    }

    /// Elsewhere nothing keeps a writer out, so nothing is mapped.
    #[cfg(not(target_os = "linux"))]
    pub fn new(_file: &fs::File, _len: u64) -> Option<Mapped> {
        None
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` points to `len` mapped, readable bytes until `drop`,
        // which cannot run while this borrow of `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// Whether the lease is still whole: false as soon as anyone has asked
    /// to open the file for writing or to truncate it since it was mapped.
    #[cfg(target_os = "linux")]
    pub fn still_held(&self) -> bool {
        // SAFETY: F_GETLEASE only reads the lease state of `fd`, which the
        // owner of this mapping keeps open.
        unsafe { libc::fcntl(self.fd, libc::F_GETLEASE) == libc::F_RDLCK }
    }

    #[cfg(not(target_os = "linux"))]
    pub fn still_held(&self) -> bool {
        let _ = self.fd;
        true
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: the region was mapped by `new` with this address and
        // length, and no slice of it outlives `self`.
        #[cfg(target_os = "linux")]
        unsafe {
            libc::munmap(self.ptr as *mut libc::c_void, self.len);
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn maps_a_file_and_sees_a_writer_ask_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("image.bin");
        fs::write(&path, b"0123456789").unwrap();
        let file = fs::File::open(&path).unwrap();
        let Some(mapped) = Mapped::new(&file, 10) else {
            // No lease on this file system (or not the file's owner): the
            // caller reads with pread instead, which other tests cover.
            eprintln!("SKIPPED: no read lease on {}", dir.path().display());
            return;
        };
        assert_eq!(mapped.bytes(), b"0123456789");
        assert!(mapped.still_held());
        // A writer opening the file waits on the lease; from a thread, so
        // that this test can see the break and then let it in by closing.
        let writer = std::thread::spawn({
            let path = path.clone();
            move || {
                let mut f = fs::OpenOptions::new().write(true).open(&path).unwrap();
                std::io::Write::write_all(&mut f, b"X").unwrap();
            }
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while mapped.still_held() {
            assert!(
                std::time::Instant::now() < deadline,
                "the lease never broke"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        // The writer is still waiting: the bytes are unchanged.
        assert_eq!(mapped.bytes(), b"0123456789");
        drop(mapped);
        drop(file);
        writer.join().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"X123456789");
    }

    #[test]
    fn a_file_open_for_writing_is_not_mapped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("image.bin");
        fs::write(&path, b"abc").unwrap();
        let _writer = fs::OpenOptions::new().write(true).open(&path).unwrap();
        let file = fs::File::open(&path).unwrap();
        assert!(Mapped::new(&file, 3).is_none());
        // An empty file has nothing to map.
        fs::write(dir.path().join("empty"), b"").unwrap();
        let empty = fs::File::open(dir.path().join("empty")).unwrap();
        assert!(Mapped::new(&empty, 0).is_none());
    }
}
