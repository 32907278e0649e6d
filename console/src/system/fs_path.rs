//! `FS_Path` values: the (type, size, pointer) triple fs:USER takes for
//! archive and file paths. Text paths are UTF-16 with a terminating NUL,
//! counted in bytes; binary paths are little-endian words.

/// An owned path buffer; [`OwnedPath::as_fs_path`] borrows it for one call.
pub struct OwnedPath {
    kind: ctru_sys::FS_PathType,
    bytes: Vec<u8>,
}

impl OwnedPath {
    /// A text path such as `/dir/file.bin`.
    pub fn text(path: &str) -> Self {
        let bytes = path
            .encode_utf16()
            .chain(std::iter::once(0))
            .flat_map(u16::to_le_bytes)
            .collect();
        Self {
            kind: ctru_sys::PATH_UTF16,
            bytes,
        }
    }

    /// The empty path of an archive opened whole (the DSi partition):
    /// libctru fs.c `fsMakePath(PATH_EMPTY, "")` makes it size 1, data "".
    pub fn empty() -> Self {
        Self {
            kind: ctru_sys::PATH_EMPTY,
            bytes: vec![0],
        }
    }

    /// A binary path made of 32-bit words (archive ids, title ids).
    pub fn binary(words: &[u32]) -> Self {
        Self {
            kind: ctru_sys::PATH_BINARY,
            bytes: words.iter().flat_map(|word| word.to_le_bytes()).collect(),
        }
    }

    /// The `FS_Path` pointing into this buffer. It must not outlive `self`:
    /// callers pass it straight into one system call.
    pub fn as_fs_path(&self) -> ctru_sys::FS_Path {
        ctru_sys::FS_Path {
            type_: self.kind,
            size: self.bytes.len() as u32,
            data: self.bytes.as_ptr().cast(),
        }
    }
}
