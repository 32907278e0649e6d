//! The simulated SD card: a [`MemTree`] with a capacity and the shared
//! power supply. Filling it up is a fault tests inject by lowering the
//! capacity; a card that silently garbles a file is another
//! ([`SimSd::garble_next_write`]).

use crate::platform::{SdCard, SdEntry, SdError};
use crate::sim::power::PowerSupply;
use crate::sim::tree::{MemTree, TreeError};

/// The SD card.
#[derive(Debug)]
pub struct SimSd {
    tree: MemTree,
    capacity: u64,
    power: PowerSupply,
    garble_next: bool,
    listings: u64,
    /// File bytes that crossed the trait: each costs a real SD card time,
    /// so tests can see how much one frame or one job step moved.
    bytes_read: u64,
    bytes_written: u64,
}

fn sd_error(e: TreeError) -> SdError {
    match e {
        TreeError::NotFound(path) => SdError::NotFound { path },
        TreeError::Exists(path) => SdError::Exists { path },
        TreeError::BadPath(path) => SdError::Failed {
            path,
            reason: "not an absolute path".into(),
        },
        TreeError::OutOfRange(path) => SdError::Failed {
            path,
            reason: "a write past the end of the file".into(),
        },
    }
}

impl SimSd {
    /// An empty card of `capacity` bytes.
    pub fn new(capacity: u64, power: PowerSupply) -> Self {
        Self {
            tree: MemTree::new(),
            capacity,
            power,
            garble_next: false,
            listings: 0,
            bytes_read: 0,
            bytes_written: 0,
        }
    }

    /// Changes the capacity (to fill the card up, set it near
    /// [`SimSd::used`]).
    pub fn set_capacity(&mut self, capacity: u64) {
        self.capacity = capacity;
    }

    /// Makes the next file write store its data with the first byte
    /// flipped, as a failing card that reports success would.
    pub fn garble_next_write(&mut self) {
        self.garble_next = true;
    }

    /// Directory listings asked for so far: each costs a real SD card
    /// milliseconds, so the UI must not make hundreds in one frame.
    pub fn listings(&self) -> u64 {
        self.listings
    }

    /// File bytes read so far (whole reads, prefixes and reads at an
    /// offset alike).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// File bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written
    }

    /// Bytes stored.
    pub fn used(&self) -> u64 {
        self.tree.used()
    }

    /// The stored tree, for checks.
    pub fn tree(&self) -> &MemTree {
        &self.tree
    }

    /// The stored tree, for setup.
    pub fn tree_mut(&mut self) -> &mut MemTree {
        &mut self.tree
    }

    fn on(&self) -> Result<(), SdError> {
        self.power.check().map_err(|_| SdError::PowerLost)
    }

    fn begin_write(&self) -> Result<(), SdError> {
        self.power.begin_write().map_err(|_| SdError::PowerLost)
    }
}

impl SdCard for SimSd {
    fn read(&mut self, path: &str) -> Result<Vec<u8>, SdError> {
        self.on()?;
        let bytes = self.tree.read(path).map(<[u8]>::to_vec).map_err(sd_error)?;
        self.bytes_read += bytes.len() as u64;
        Ok(bytes)
    }

    fn read_prefix(&mut self, path: &str, len: usize) -> Result<Vec<u8>, SdError> {
        self.on()?;
        let bytes = self.tree.read(path).map_err(sd_error)?;
        let prefix = bytes[..len.min(bytes.len())].to_vec();
        self.bytes_read += prefix.len() as u64;
        Ok(prefix)
    }

    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), SdError> {
        self.on()?;
        let growth = self.tree.growth(path, bytes.len());
        let free = self.capacity.saturating_sub(self.tree.used());
        if growth > 0 && growth as u64 > free {
            return Err(SdError::Full {
                path: path.to_owned(),
                needed: bytes.len() as u64,
                free,
            });
        }
        self.begin_write()?;
        self.bytes_written += bytes.len() as u64;
        if !bytes.is_empty() && std::mem::take(&mut self.garble_next) {
            let mut garbled = bytes.to_vec();
            garbled[0] ^= 0xFF;
            return self.tree.write(path, &garbled).map_err(sd_error);
        }
        self.tree.write(path, bytes).map_err(sd_error)
    }

    fn read_at(&mut self, path: &str, offset: u64, buf: &mut [u8]) -> Result<usize, SdError> {
        self.on()?;
        let n = self.tree.read_at(path, offset, buf).map_err(sd_error)?;
        self.bytes_read += n as u64;
        Ok(n)
    }

    fn write_at(&mut self, path: &str, offset: u64, bytes: &[u8]) -> Result<(), SdError> {
        self.on()?;
        let len = self.tree.read(path).map_err(sd_error)?.len() as u64;
        let growth = (offset + bytes.len() as u64).saturating_sub(len);
        let free = self.capacity.saturating_sub(self.tree.used());
        if growth > free {
            return Err(SdError::Full {
                path: path.to_owned(),
                needed: growth,
                free,
            });
        }
        self.begin_write()?;
        self.bytes_written += bytes.len() as u64;
        if !bytes.is_empty() && std::mem::take(&mut self.garble_next) {
            let mut garbled = bytes.to_vec();
            garbled[0] ^= 0xFF;
            return self.tree.write_at(path, offset, &garbled).map_err(sd_error);
        }
        self.tree.write_at(path, offset, bytes).map_err(sd_error)
    }

    fn rename(&mut self, from: &str, to: &str) -> Result<(), SdError> {
        self.begin_write()?;
        self.tree.rename(from, to).map_err(sd_error)
    }

    fn remove_file(&mut self, path: &str) -> Result<(), SdError> {
        self.begin_write()?;
        self.tree.remove_file(path).map_err(sd_error)
    }

    fn remove_dir_all(&mut self, path: &str) -> Result<(), SdError> {
        self.begin_write()?;
        self.tree.remove_dir_all(path).map_err(sd_error)
    }

    fn create_dir_all(&mut self, path: &str) -> Result<(), SdError> {
        self.on()?;
        if self.tree.kind_of(path).map_err(sd_error)? == Some(true) {
            return Ok(());
        }
        self.begin_write()?;
        self.tree.create_dir_all(path).map_err(sd_error)
    }

    fn list(&mut self, dir: &str) -> Result<Vec<SdEntry>, SdError> {
        self.on()?;
        self.listings += 1;
        Ok(self
            .tree
            .list(dir)
            .map_err(sd_error)?
            .into_iter()
            .map(|(name, is_dir, size)| SdEntry { name, is_dir, size })
            .collect())
    }

    fn kind_of(&mut self, path: &str) -> Result<Option<bool>, SdError> {
        self.on()?;
        self.tree.kind_of(path).map_err(sd_error)
    }

    fn free_space(&mut self) -> Result<u64, SdError> {
        self.on()?;
        Ok(self.capacity.saturating_sub(self.tree.used()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::sd::{read_recovering, write_atomic};

    #[test]
    fn a_full_card_refuses_the_write_and_keeps_the_old_file() {
        let power = PowerSupply::new();
        let mut sd = SimSd::new(10, power);
        sd.create_dir_all("/a").unwrap();
        sd.write("/a/f", b"12345").unwrap();
        assert_eq!(sd.free_space().unwrap(), 5);
        let err = write_atomic(&mut sd, "/a/f", b"1234567").unwrap_err();
        assert_eq!(
            err,
            SdError::Full {
                path: "/a/f.keepsake-tmp".into(),
                needed: 7,
                free: 5
            }
        );
        assert_eq!(sd.read("/a/f").unwrap(), b"12345");
    }

    #[test]
    fn an_atomic_write_cut_at_any_write_leaves_old_or_new() {
        for cut in 1..=4 {
            let power = PowerSupply::new();
            let mut sd = SimSd::new(1 << 20, power.clone());
            sd.create_dir_all("/d").unwrap();
            sd.write("/d/f", b"old").unwrap();
            power.cut_after_writes(cut);
            let result = write_atomic(&mut sd, "/d/f", b"new");
            power.restore();
            let now = read_recovering(&mut sd, "/d/f").unwrap();
            assert!(now == b"old" || now == b"new", "cut {cut}: {now:?}");
            if result.is_ok() {
                assert_eq!(now, b"new");
            }
            let names: Vec<String> = sd.list("/d").unwrap().into_iter().map(|e| e.name).collect();
            assert!(
                names.iter().all(|n| n == "f" || n == "f.keepsake-tmp"),
                "cut {cut}: {names:?}"
            );
        }
    }
}
