//! The state of a block map after journal replay: the counters and, for each
//! virtual block, its sector, allocation count, flag and checksums. Decode
//! produces it; encode lays a logical image out along it.

use super::WearError;
use super::geometry::{FlashSize, Geometry};
use super::map::MapEntry;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub geometry: Geometry,
    /// The 8 bytes before the map, kept verbatim.
    pub counters: [u8; 8],
    /// One entry per virtual block, the spare last.
    pub blocks: Vec<MapEntry>,
}

impl Layout {
    /// A freshly formatted chip: virtual block `i` in physical sector `i + 1`,
    /// nothing initialized, counters zero.
    pub fn fresh(size: FlashSize) -> Layout {
        let geometry = size.geometry();
        let blocks = (0..geometry.virtual_blocks)
            .map(|i| MapEntry {
                physical: (i + 1) as u8,
                allocations: 0,
                initialized: false,
                checksums: [0; 8],
            })
            .collect();
        Layout {
            geometry,
            counters: [0; 8],
            blocks,
        }
    }

    /// Checks that every virtual block has its own physical sector in range.
    pub fn validate(&self) -> Result<(), WearError> {
        let g = &self.geometry;
        let mut owner: Vec<Option<usize>> = vec![None; g.sectors];
        for (vb, entry) in self.blocks.iter().enumerate() {
            let physical = usize::from(entry.physical);
            if physical == 0 || physical >= g.sectors {
                return Err(WearError::PhysicalOutOfRange {
                    virtual_block: vb,
                    entry_offset: g.map_entry_offset(vb),
                    physical: entry.physical,
                    sectors: g.sectors,
                });
            }
            if let Some(first) = owner[physical] {
                return Err(WearError::DuplicatePhysical {
                    physical: entry.physical,
                    first_virtual_block: first,
                    second_virtual_block: vb,
                    entry_offset: g.map_entry_offset(vb),
                });
            }
            owner[physical] = Some(vb);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_layout_is_valid_and_a_duplicate_is_not() {
        for size in FlashSize::ALL {
            let mut layout = Layout::fresh(size);
            assert_eq!(layout.blocks.len(), size.geometry().virtual_blocks);
            layout.validate().unwrap();
            layout.blocks[3].physical = layout.blocks[7].physical;
            assert!(matches!(
                layout.validate(),
                Err(WearError::DuplicatePhysical {
                    first_virtual_block: 3,
                    second_virtual_block: 7,
                    ..
                })
            ));
            layout.blocks[3].physical = 0;
            assert!(matches!(
                layout.validate(),
                Err(WearError::PhysicalOutOfRange {
                    virtual_block: 3,
                    ..
                })
            ));
        }
    }
}
