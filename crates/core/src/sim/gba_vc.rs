//! Simulated GBA VC save files: one AGBSAVE container per title, held as
//! bytes, with a fake CMAC (the console's is keyed by hardware) and faults:
//! GBA VC saves unreachable (no Luma3DS), a container never saved (all
//! 0xFF, as the system makes it), writes that do not stick, and the shared
//! power supply's cut.

use std::collections::BTreeMap;

use crate::platform::MediaType;
use crate::platform::gba_vc::{GBA_CMAC_LEN, GbaVcError, GbaVcHandle, GbaVcId, GbaVcSaves};
use crate::sim::PowerSupply;

/// The simulated GBA VC saves.
#[derive(Debug)]
pub struct SimGbaVc {
    power: PowerSupply,
    files: BTreeMap<GbaVcId, Vec<u8>>,
    open: BTreeMap<u32, GbaVcId>,
    next: u32,
    unavailable: Option<String>,
    /// Writes are acknowledged but change nothing.
    pub writes_do_not_stick: bool,
    /// Every CMAC computed, in order (title, digest).
    pub cmacs_computed: Vec<(GbaVcId, [u8; 32])>,
}

impl SimGbaVc {
    /// No GBA VC titles.
    pub fn new(power: PowerSupply) -> Self {
        Self {
            power,
            files: BTreeMap::new(),
            open: BTreeMap::new(),
            next: 1,
            unavailable: None,
            writes_do_not_stick: false,
            cmacs_computed: Vec::new(),
        }
    }

    /// The fake CMAC this simulation signs slots with: the digest's halves
    /// XORed, then XORed with the title id (little-endian, twice). Any
    /// fixed function of (title, digest) would do; tests recompute this one
    /// from its description.
    pub fn fake_cmac(title_id: u64, digest: &[u8; 32]) -> [u8; GBA_CMAC_LEN] {
        let id = title_id.to_le_bytes();
        std::array::from_fn(|i| digest[i] ^ digest[i + 16] ^ id[i % 8])
    }

    /// Installs (or replaces) a title's container.
    pub fn insert(&mut self, title_id: u64, media: MediaType, container: Vec<u8>) {
        self.files.insert(GbaVcId { title_id, media }, container);
    }

    /// Installs a title whose game never saved: a container for a save of
    /// `save_size` bytes, blank (0xFF) throughout.
    pub fn insert_never_saved(&mut self, title_id: u64, media: MediaType, save_size: usize) {
        self.insert(title_id, media, vec![0xFF; 2 * (0x200 + save_size)]);
    }

    /// A title's container as it is now.
    pub fn container(&self, title_id: u64, media: MediaType) -> Option<&[u8]> {
        self.files
            .get(&GbaVcId { title_id, media })
            .map(Vec::as_slice)
    }

    /// Makes every GBA VC save unreachable, as on a console without the
    /// service session Checkpoint takes (no Luma3DS).
    pub fn make_unavailable(&mut self, reason: &str) {
        self.unavailable = Some(reason.to_owned());
    }

    /// Closes every open file (a power cycle).
    pub fn close_all(&mut self) {
        self.open.clear();
    }

    fn file(&mut self, file: GbaVcHandle) -> Result<(GbaVcId, &mut Vec<u8>), GbaVcError> {
        let id = *self.open.get(&file.0).ok_or(GbaVcError::NotOpen(file))?;
        let bytes = self.files.get_mut(&id).ok_or(GbaVcError::NoSave(id))?;
        Ok((id, bytes))
    }
}

fn range(offset: u64, len: usize, size: usize) -> Result<std::ops::Range<usize>, GbaVcError> {
    let out_of_range = GbaVcError::OutOfRange {
        offset,
        len,
        size: size as u64,
    };
    let start = usize::try_from(offset).map_err(|_| out_of_range.clone())?;
    match start.checked_add(len) {
        Some(end) if end <= size => Ok(start..end),
        _ => Err(out_of_range),
    }
}

impl GbaVcSaves for SimGbaVc {
    fn unavailable(&self) -> Option<String> {
        self.unavailable.clone()
    }

    fn open(&mut self, id: GbaVcId) -> Result<GbaVcHandle, GbaVcError> {
        self.power.check().map_err(|_| GbaVcError::PowerLost)?;
        if let Some(reason) = &self.unavailable {
            return Err(GbaVcError::Unavailable(reason.clone()));
        }
        if !self.files.contains_key(&id) {
            return Err(GbaVcError::NoSave(id));
        }
        let handle = self.next;
        self.next += 1;
        self.open.insert(handle, id);
        Ok(GbaVcHandle(handle))
    }

    fn close(&mut self, file: GbaVcHandle) {
        self.open.remove(&file.0);
    }

    fn file_size(&mut self, file: GbaVcHandle) -> Result<u64, GbaVcError> {
        self.power.check().map_err(|_| GbaVcError::PowerLost)?;
        Ok(self.file(file)?.1.len() as u64)
    }

    fn read_at(
        &mut self,
        file: GbaVcHandle,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<(), GbaVcError> {
        self.power.check().map_err(|_| GbaVcError::PowerLost)?;
        let (_, bytes) = self.file(file)?;
        let range = range(offset, buf.len(), bytes.len())?;
        buf.copy_from_slice(&bytes[range]);
        Ok(())
    }

    fn write_at(&mut self, file: GbaVcHandle, offset: u64, data: &[u8]) -> Result<(), GbaVcError> {
        let stick = !self.writes_do_not_stick;
        let power = self.power.clone();
        let (_, bytes) = self.file(file)?;
        let range = range(offset, data.len(), bytes.len())?;
        power.begin_write().map_err(|_| GbaVcError::PowerLost)?;
        if stick {
            bytes[range].copy_from_slice(data);
        }
        Ok(())
    }

    fn calc_cmac(
        &mut self,
        file: GbaVcHandle,
        digest: &[u8; 32],
    ) -> Result<[u8; GBA_CMAC_LEN], GbaVcError> {
        self.power.check().map_err(|_| GbaVcError::PowerLost)?;
        let (id, _) = self.file(file)?;
        self.cmacs_computed.push((id, *digest));
        Ok(Self::fake_cmac(id.title_id, digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_stay_inside_the_file_and_power_cuts_stop_them() {
        let power = PowerSupply::new();
        let mut sim = SimGbaVc::new(power.clone());
        sim.insert(7, MediaType::Sd, vec![0; 16]);
        let id = GbaVcId {
            title_id: 7,
            media: MediaType::Sd,
        };
        let file = sim.open(id).unwrap();
        assert_eq!(sim.file_size(file).unwrap(), 16);
        sim.write_at(file, 14, &[1, 2]).unwrap();
        assert_eq!(
            sim.write_at(file, 15, &[1, 2]),
            Err(GbaVcError::OutOfRange {
                offset: 15,
                len: 2,
                size: 16
            })
        );
        power.cut_after_writes(1);
        sim.write_at(file, 0, &[9]).unwrap();
        assert_eq!(sim.write_at(file, 1, &[9]), Err(GbaVcError::PowerLost));
        power.restore();
        let mut back = [0; 16];
        sim.read_at(file, 0, &mut back).unwrap();
        assert_eq!(back, [9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(
            sim.open(GbaVcId {
                title_id: 8,
                media: MediaType::Sd
            }),
            Err(GbaVcError::NoSave(GbaVcId {
                title_id: 8,
                media: MediaType::Sd
            }))
        );
    }

    #[test]
    fn the_fake_cmac_is_the_described_function() {
        let digest: [u8; 32] = std::array::from_fn(|i| i as u8);
        // Byte 0: 0x00 ^ 0x10 ^ 0x34 (low byte of the id); byte 9: 0x09 ^ 0x19 ^ 0x12.
        let cmac = SimGbaVc::fake_cmac(0x1234, &digest);
        assert_eq!(cmac[0], 0x24);
        assert_eq!(cmac[9], 0x09 ^ 0x19 ^ 0x12);
        assert_eq!(cmac[2], 0x02 ^ 0x12);
    }
}
