//! The AGBSAVE container of a GBA VC title: two slots, each a 0x200-byte
//! header (see `slot_header`) followed by the save.
//!
//! ```text
//! 0                  top slot header
//! 0x200              top slot save (save_size bytes)
//! 0x200 + size       bottom slot header
//! 0x400 + size       bottom slot save
//! ```
//!
//! Which slot is current follows Checkpoint's `locateCurrentSlot`
//! (`3ds/source/gbasave.cpp`), which matches GodMode9: the slot saved more
//! times; the top slot on a tie; when the top header is not valid (never
//! written), the bottom slot at the first GBA save size where a valid header
//! sits. A container with no valid header has never been saved.

use sha2::{Digest, Sha256};

use super::error::AgbSaveError;
use super::slot_header::{CMAC_LEN, CMAC_OFFSET, SLOT_HEADER_LEN, SlotHeader, VALID_SAVE_SIZES};
use crate::nds::format_size;

/// One slot: where its header sits, the header, and its save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot<'a> {
    offset: usize,
    header: SlotHeader<'a>,
    save: &'a [u8],
}

impl<'a> Slot<'a> {
    /// The slot at `offset` of `container`, if its header is valid; an
    /// error if the header is valid but its save runs past the end.
    fn at(container: &'a [u8], offset: usize) -> Result<Option<Self>, AgbSaveError> {
        let Some(header) = container.get(offset..).and_then(SlotHeader::parse) else {
            return Ok(None);
        };
        let start = offset + SLOT_HEADER_LEN;
        let end = start + header.save_size() as usize;
        let save = container
            .get(start..end)
            .ok_or(AgbSaveError::SlotTruncated {
                offset,
                save_size: header.save_size(),
                len: container.len(),
            })?;
        Ok(Some(Slot {
            offset,
            header,
            save,
        }))
    }

    /// Offset of the slot's header in the container.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The slot's header.
    pub fn header(&self) -> SlotHeader<'a> {
        self.header
    }

    /// The save the slot holds: what an emulator or a backup calls the
    /// GBA save.
    pub fn save(&self) -> &'a [u8] {
        self.save
    }

    /// Whether this is the bottom (second) slot.
    pub fn is_bottom(&self) -> bool {
        self.offset != 0
    }
}

/// A container with at least one saved slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgbSaveContainer<'a> {
    bytes: &'a [u8],
    current: Slot<'a>,
}

impl<'a> AgbSaveContainer<'a> {
    /// Reads a container and finds its current slot.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, AgbSaveError> {
        let current = match Slot::at(bytes, 0)? {
            Some(top) => {
                let bottom_offset = SLOT_HEADER_LEN + top.header.save_size() as usize;
                match Slot::at(bytes, bottom_offset)? {
                    Some(bottom) if bottom.header.times_saved() > top.header.times_saved() => {
                        bottom
                    }
                    _ => top,
                }
            }
            None => Self::first_bottom_slot(bytes)?
                .ok_or(AgbSaveError::NoSavedSlot { len: bytes.len() })?,
        };
        Ok(AgbSaveContainer { bytes, current })
    }

    /// With no valid top header, the bottom slot's place depends on the save
    /// size, which only a header states: try every GBA save size.
    fn first_bottom_slot(bytes: &'a [u8]) -> Result<Option<Slot<'a>>, AgbSaveError> {
        for size in VALID_SAVE_SIZES {
            if let Some(slot) = Slot::at(bytes, SLOT_HEADER_LEN + size as usize)? {
                return Ok(Some(slot));
            }
        }
        Ok(None)
    }

    /// The slot the game loads from.
    pub fn current(&self) -> Slot<'a> {
        self.current
    }

    /// The other slot, when it holds a valid header: the save before the
    /// current one (or a stale one the game no longer loads).
    pub fn other(&self) -> Option<Slot<'a>> {
        let offset = if self.current.is_bottom() {
            0
        } else {
            SLOT_HEADER_LEN + self.current.header.save_size() as usize
        };
        Slot::at(self.bytes, offset).ok().flatten()
    }

    /// Size of the container.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the container is empty (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// How `save` goes into this container: into the current slot, whose
    /// header stays (it names this console's NAND and the title), with a new
    /// CMAC the console computes from [`SlotRewrite::mac_digest`]. Refused
    /// when the save has another size than the game's.
    pub fn rewrite(&self, save: &[u8]) -> Result<SlotRewrite, AgbSaveError> {
        let expected = self.current.header.save_size() as usize;
        if save.len() != expected {
            return Err(AgbSaveError::SizeMismatch {
                backup: format_size(save.len()),
                container: format_size(expected),
            });
        }
        let mut hasher = Sha256::new();
        hasher.update(self.current.header.mac_covered());
        hasher.update(save);
        Ok(SlotRewrite {
            slot_offset: self.current.offset,
            save_len: save.len(),
            mac_digest: hasher.finalize().into(),
        })
    }
}

/// Where a new save goes in a container and what its CMAC is computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRewrite {
    slot_offset: usize,
    save_len: usize,
    mac_digest: [u8; 32],
}

impl SlotRewrite {
    /// Offset in the container where the save's bytes go.
    pub fn save_offset(&self) -> usize {
        self.slot_offset + SLOT_HEADER_LEN
    }

    /// Offset in the container where the new CMAC goes.
    pub fn cmac_offset(&self) -> usize {
        self.slot_offset + CMAC_OFFSET
    }

    /// SHA-256 of the slot header from 0x30 and the new save: what the
    /// console's FSPXI_CalcSavegameMAC turns into the slot's CMAC.
    pub fn mac_digest(&self) -> [u8; 32] {
        self.mac_digest
    }

    /// Writes `save` and `cmac` into `container`, the bytes [`Self`] was
    /// planned on.
    pub fn apply(&self, container: &mut [u8], save: &[u8], cmac: [u8; CMAC_LEN]) {
        container[self.save_offset()..self.save_offset() + self.save_len].copy_from_slice(save);
        container[self.cmac_offset()..self.cmac_offset() + CMAC_LEN].copy_from_slice(&cmac);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slot laid out field by field at 3dbrew's offsets.
    fn slot(times_saved: u32, save: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0xFF; SLOT_HEADER_LEN];
        bytes[..4].copy_from_slice(b".SAV");
        bytes[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
        bytes[0x34..0x38].copy_from_slice(&times_saved.to_le_bytes());
        bytes[0x50..0x54].copy_from_slice(&0x200u32.to_le_bytes());
        bytes[0x54..0x58].copy_from_slice(&(save.len() as u32).to_le_bytes());
        bytes.extend_from_slice(save);
        bytes
    }

    fn blank_slot(size: usize) -> Vec<u8> {
        vec![0xFF; SLOT_HEADER_LEN + size]
    }

    #[test]
    fn the_slot_saved_more_often_is_current() {
        let mut image = slot(4, &[0x11; 512]);
        image.extend(slot(5, &[0x22; 512]));
        let container = AgbSaveContainer::parse(&image).unwrap();
        assert_eq!(container.current().offset(), 0x400);
        assert!(container.current().is_bottom());
        assert_eq!(container.current().save(), &[0x22; 512][..]);
        assert_eq!(container.other().unwrap().offset(), 0);
        assert_eq!(container.other().unwrap().header().times_saved(), 4);

        let mut image = slot(6, &[0x11; 512]);
        image.extend(slot(5, &[0x22; 512]));
        let container = AgbSaveContainer::parse(&image).unwrap();
        assert_eq!(container.current().offset(), 0);
        assert_eq!(container.current().save(), &[0x11; 512][..]);
    }

    #[test]
    fn a_tie_goes_to_the_top_slot() {
        let mut image = slot(3, &[0x11; 8192]);
        image.extend(slot(3, &[0x22; 8192]));
        assert_eq!(
            AgbSaveContainer::parse(&image).unwrap().current().offset(),
            0
        );
    }

    #[test]
    fn a_blank_top_slot_leaves_the_bottom_one_found_by_its_size() {
        let mut image = blank_slot(32 * 1024);
        image.extend(slot(1, &[0x33; 32 * 1024]));
        let container = AgbSaveContainer::parse(&image).unwrap();
        assert_eq!(container.current().offset(), 0x200 + 0x8000);
        assert_eq!(container.current().save().len(), 32 * 1024);
        assert_eq!(container.other(), None);
    }

    #[test]
    fn a_container_never_saved_says_so() {
        let image = [blank_slot(8192), blank_slot(8192)].concat();
        assert_eq!(
            AgbSaveContainer::parse(&image),
            Err(AgbSaveError::NoSavedSlot { len: 0x4400 })
        );
        assert!(
            AgbSaveContainer::parse(&image)
                .unwrap_err()
                .to_string()
                .contains("start the game and save once")
        );
    }

    #[test]
    fn a_save_running_past_the_end_is_an_error_naming_the_slot() {
        let image = slot(1, &[0; 32 * 1024]);
        let error = AgbSaveContainer::parse(&image[..0x200 + 100]).unwrap_err();
        assert_eq!(
            error,
            AgbSaveError::SlotTruncated {
                offset: 0,
                save_size: 32 * 1024,
                len: 0x264
            }
        );
        assert_eq!(
            error.to_string(),
            "the GBA save slot at offset 0x0 says its save is 32768 bytes, but the container ends at 0x264"
        );
    }

    #[test]
    fn a_rewrite_keeps_the_header_and_hashes_what_the_console_signs() {
        let mut image = slot(2, &[0x11; 512]);
        image.extend(slot(9, &[0x22; 512]));
        let container = AgbSaveContainer::parse(&image).unwrap();
        let new_save = [0x5A; 512];
        let rewrite = container.rewrite(&new_save).unwrap();
        assert_eq!(rewrite.save_offset(), 0x400 + 0x200);
        assert_eq!(rewrite.cmac_offset(), 0x400 + 0x10);

        // The digest over header bytes 0x30..0x200 of the bottom slot and the
        // new save, gathered here by offset rather than through the view.
        let mut covered = image[0x400 + 0x30..0x400 + 0x200].to_vec();
        covered.extend_from_slice(&new_save);
        let expected: [u8; 32] = Sha256::digest(&covered).into();
        assert_eq!(rewrite.mac_digest(), expected);

        let mut written = image.clone();
        rewrite.apply(&mut written, &new_save, [0xC3; 16]);
        assert_eq!(&written[..0x400], &image[..0x400], "the other slot stays");
        assert_eq!(&written[0x410..0x420], &[0xC3; 16]);
        assert_eq!(&written[0x420..0x600], &image[0x420..0x600], "header kept");
        assert_eq!(&written[0x600..], &new_save[..]);
    }

    #[test]
    fn a_save_of_another_size_is_refused() {
        let image = [slot(1, &[0; 8192]), blank_slot(8192)].concat();
        let container = AgbSaveContainer::parse(&image).unwrap();
        let error = container.rewrite(&[0; 32 * 1024]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the backup holds a 32 KiB save, but this game's save is 8 KiB: it is a save of another game"
        );
    }
}
