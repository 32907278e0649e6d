//! DIFI: the descriptor of one partition of a DISA or DIFF container, and
//! the rules that lay a new partition out.
//!
//! A partition descriptor is the DIFI header (0x44 bytes), then the IVFC
//! descriptor (0x78), the DPFS descriptor (0x50) and the master hash. The DIFI
//! header, little-endian: magic `DIFI`, version 0x10000, then offset/size
//! (u64 pairs, relative to the descriptor) of the IVFC descriptor (0x08), the
//! DPFS descriptor (0x18) and the master hash (0x28); at 0x38 a byte that says
//! IVFC level 4 lies outside the DPFS tree, at 0x39 the DPFS level-1 selector
//! (0 or 1), and at 0x3C the offset of that external level 4 in the partition.

use thiserror::Error;

use super::dpfs::{DPFS_DESCRIPTOR_LEN, DpfsDescriptor, DpfsError, DpfsLevel};
use super::ivfc::{HASH_LEN, IVFC_DESCRIPTOR_LEN, IvfcDescriptor, IvfcError, IvfcLevel};
use crate::storage::{le_u32, le_u64, put_u32, put_u64};

/// Size of the DIFI header.
pub const DIFI_HEADER_LEN: usize = 0x44;

/// Why a partition descriptor was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DifiError {
    #[error(
        "DIFI header: expected magic \"DIFI\" version 0x10000, found \"{}\" version {version:#x}", String::from_utf8_lossy(.magic)
    )]
    BadMagic { magic: [u8; 4], version: u32 },
    #[error(
        "partition descriptor is {len:#x} bytes, too short for the {DIFI_HEADER_LEN:#x}-byte DIFI header"
    )]
    TooShort { len: usize },
    #[error("DIFI {field} ({offset:#x}+{size:#x}) lies outside the {len:#x}-byte descriptor")]
    OutsideDescriptor {
        field: &'static str,
        offset: u64,
        size: u64,
        len: usize,
    },
    #[error("DIFI {field} size is {size:#x}, expected {expected:#x}")]
    BadSize {
        field: &'static str,
        size: u64,
        expected: u64,
    },
    #[error("DIFI DPFS selector is {0}, expected 0 or 1")]
    BadSelector(u8),
    #[error(transparent)]
    Ivfc(#[from] IvfcError),
    #[error(transparent)]
    Dpfs(#[from] DpfsError),
}

/// The fields of a DIFI header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DifiHeader {
    pub ivfc_offset: u64,
    pub dpfs_offset: u64,
    pub master_hash_offset: u64,
    pub master_hash_size: u64,
    /// Offset of IVFC level 4 in the partition when it is outside DPFS.
    pub external_level4: Option<u64>,
    pub dpfs_selector: u8,
}

/// A parsed and checked partition descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionDescriptor {
    pub difi: DifiHeader,
    pub ivfc: IvfcDescriptor,
    pub dpfs: DpfsDescriptor,
    pub master_hash: Vec<u8>,
}

fn slice<'a>(
    bytes: &'a [u8],
    field: &'static str,
    offset: u64,
    size: u64,
) -> Result<&'a [u8], DifiError> {
    let outside = || DifiError::OutsideDescriptor {
        field,
        offset,
        size,
        len: bytes.len(),
    };
    let end = offset.checked_add(size).ok_or_else(outside)?;
    if end > bytes.len() as u64 {
        return Err(outside());
    }
    Ok(&bytes[offset as usize..end as usize])
}

impl PartitionDescriptor {
    /// Parses the descriptor bytes of one partition.
    pub fn parse(bytes: &[u8]) -> Result<Self, DifiError> {
        if bytes.len() < DIFI_HEADER_LEN {
            return Err(DifiError::TooShort { len: bytes.len() });
        }
        let magic: [u8; 4] = bytes[0..4].try_into().expect("4 bytes");
        let version = le_u32(bytes, 4);
        if &magic != b"DIFI" || version != 0x10000 {
            return Err(DifiError::BadMagic { magic, version });
        }
        let expect = |field, size: u64, expected: usize| {
            if size == expected as u64 {
                Ok(())
            } else {
                Err(DifiError::BadSize {
                    field,
                    size,
                    expected: expected as u64,
                })
            }
        };
        let ivfc_offset = le_u64(bytes, 0x08);
        expect("IVFC descriptor", le_u64(bytes, 0x10), IVFC_DESCRIPTOR_LEN)?;
        let dpfs_offset = le_u64(bytes, 0x18);
        expect("DPFS descriptor", le_u64(bytes, 0x20), DPFS_DESCRIPTOR_LEN)?;
        let master_hash_offset = le_u64(bytes, 0x28);
        let master_hash_size = le_u64(bytes, 0x30);
        let dpfs_selector = bytes[0x39];
        if dpfs_selector > 1 {
            return Err(DifiError::BadSelector(dpfs_selector));
        }
        let ivfc = IvfcDescriptor::parse(slice(
            bytes,
            "IVFC descriptor",
            ivfc_offset,
            IVFC_DESCRIPTOR_LEN as u64,
        )?)?;
        let dpfs = DpfsDescriptor::parse(slice(
            bytes,
            "DPFS descriptor",
            dpfs_offset,
            DPFS_DESCRIPTOR_LEN as u64,
        )?)?;
        expect(
            "master hash",
            master_hash_size,
            ivfc.master_hash_size as usize,
        )?;
        let master_hash =
            slice(bytes, "master hash", master_hash_offset, master_hash_size)?.to_vec();
        let difi = DifiHeader {
            ivfc_offset,
            dpfs_offset,
            master_hash_offset,
            master_hash_size,
            external_level4: (bytes[0x38] != 0).then(|| le_u64(bytes, 0x3C)),
            dpfs_selector,
        };
        Ok(PartitionDescriptor {
            difi,
            ivfc,
            dpfs,
            master_hash,
        })
    }

    /// The descriptor's bytes, header, descriptors and master hash in place.
    pub fn to_bytes(&self) -> Vec<u8> {
        let d = &self.difi;
        let len = (d.master_hash_offset + d.master_hash_size)
            .max(d.ivfc_offset + IVFC_DESCRIPTOR_LEN as u64)
            .max(d.dpfs_offset + DPFS_DESCRIPTOR_LEN as u64) as usize;
        let mut out = vec![0u8; len];
        out[0..4].copy_from_slice(b"DIFI");
        put_u32(&mut out, 4, 0x10000);
        put_u64(&mut out, 0x08, d.ivfc_offset);
        put_u64(&mut out, 0x10, IVFC_DESCRIPTOR_LEN as u64);
        put_u64(&mut out, 0x18, d.dpfs_offset);
        put_u64(&mut out, 0x20, DPFS_DESCRIPTOR_LEN as u64);
        put_u64(&mut out, 0x28, d.master_hash_offset);
        put_u64(&mut out, 0x30, d.master_hash_size);
        out[0x38] = u8::from(d.external_level4.is_some());
        out[0x39] = d.dpfs_selector;
        put_u64(&mut out, 0x3C, d.external_level4.unwrap_or(0));
        let ivfc_at = d.ivfc_offset as usize;
        out[ivfc_at..ivfc_at + IVFC_DESCRIPTOR_LEN].copy_from_slice(&self.ivfc.to_bytes());
        let dpfs_at = d.dpfs_offset as usize;
        out[dpfs_at..dpfs_at + DPFS_DESCRIPTOR_LEN].copy_from_slice(&self.dpfs.to_bytes());
        let hash_at = d.master_hash_offset as usize;
        out[hash_at..hash_at + self.master_hash.len()].copy_from_slice(&self.master_hash);
        out
    }
}

/// The sizes a new partition is built with (block sizes are powers of two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionParams {
    pub dpfs_level2_block: u64,
    pub dpfs_level3_block: u64,
    pub ivfc_blocks: [u64; 4],
    /// Size of IVFC level 4, the payload.
    pub data_len: u64,
    /// Level 4 outside the DPFS tree (stored once instead of twice).
    pub external_level4: bool,
}

impl PartitionParams {
    /// The block sizes every 3DS save and extdata uses: DPFS 128 / 4096,
    /// IVFC 512, 512, 4096 and `level4_block` for the payload.
    pub fn standard(data_len: u64, level4_block: u64, external_level4: bool) -> Self {
        PartitionParams {
            dpfs_level2_block: 128,
            dpfs_level3_block: 4096,
            ivfc_blocks: [512, 512, 4096, level4_block],
            data_len,
            external_level4,
        }
    }

    /// The alignment a partition with these blocks gets in its container.
    pub fn alignment(&self) -> u64 {
        self.ivfc_blocks
            .iter()
            .copied()
            .chain([self.dpfs_level2_block, self.dpfs_level3_block])
            .max()
            .unwrap_or(1)
    }

    /// Lays the partition out: its descriptor (master hash zero, selector 0)
    /// and its size.
    pub fn layout(&self) -> (PartitionDescriptor, u64) {
        let log = |n: u64| n.trailing_zeros();
        let b = self.ivfc_blocks;
        let l4 = self.data_len;
        let l3 = l4.div_ceil(b[3]) * HASH_LEN as u64;
        let l2 = l3.div_ceil(b[2]) * HASH_LEN as u64;
        let l1 = l2.div_ceil(b[1]) * HASH_LEN as u64;
        let master = l1.div_ceil(b[0]) * HASH_LEN as u64;
        // A level big enough to matter starts on a block boundary; small ones pack.
        let place = |after: u64, len: u64, block: u64| {
            if len >= 4 * block {
                after.next_multiple_of(block)
            } else {
                after.next_multiple_of(8)
            }
        };
        let o1 = 0;
        let o2 = place(o1 + l1, l2, b[1]);
        let o3 = place(o2 + l2, l3, b[2]);
        let o4 = place(o3 + l3, l4, b[3]);
        let duplicated = if self.external_level4 { o4 } else { o4 + l4 };
        let d3_len = duplicated.next_multiple_of(self.dpfs_level3_block);
        let d2_len = ((d3_len / self.dpfs_level3_block).div_ceil(32) * 4)
            .next_multiple_of(self.dpfs_level2_block);
        let d1_len = (d2_len / self.dpfs_level2_block).div_ceil(32) * 4;
        let d1_off = 0;
        let d2_off = d1_off + 2 * d1_len;
        let d3_off = (d2_off + 2 * d2_len).next_multiple_of(self.dpfs_level3_block);
        let dpfs_end = d3_off + 2 * d3_len;
        let (size, external) = if self.external_level4 {
            let at = dpfs_end.next_multiple_of(b[3]);
            (at + l4, Some(at))
        } else {
            (dpfs_end, None)
        };
        let ivfc = IvfcDescriptor {
            master_hash_size: master,
            levels: [
                IvfcLevel {
                    offset: o1,
                    size: l1,
                    block_log: log(b[0]),
                },
                IvfcLevel {
                    offset: o2,
                    size: l2,
                    block_log: log(b[1]),
                },
                IvfcLevel {
                    offset: o3,
                    size: l3,
                    block_log: log(b[2]),
                },
                // Where level 4 would sit inside DPFS level 3, even when it is
                // external (readers then use the DIFI's offset): what
                // save3ds writes (libsave3ds difi_partition.rs), so that a
                // new image is byte for byte the one save3ds makes.
                IvfcLevel {
                    offset: o4,
                    size: l4,
                    block_log: log(b[3]),
                },
            ],
        };
        let dpfs = DpfsDescriptor {
            levels: [
                DpfsLevel {
                    offset: d1_off,
                    size: d1_len,
                    block_log: 0,
                },
                DpfsLevel {
                    offset: d2_off,
                    size: d2_len,
                    block_log: log(self.dpfs_level2_block),
                },
                DpfsLevel {
                    offset: d3_off,
                    size: d3_len,
                    block_log: log(self.dpfs_level3_block),
                },
            ],
        };
        let ivfc_offset = DIFI_HEADER_LEN as u64;
        let dpfs_offset = ivfc_offset + IVFC_DESCRIPTOR_LEN as u64;
        let master_hash_offset = dpfs_offset + DPFS_DESCRIPTOR_LEN as u64;
        let descriptor = PartitionDescriptor {
            difi: DifiHeader {
                ivfc_offset,
                dpfs_offset,
                master_hash_offset,
                master_hash_size: master,
                external_level4: external,
                dpfs_selector: 0,
            },
            ivfc,
            dpfs,
            master_hash: vec![0; master as usize],
        };
        (descriptor, size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_laid_out_descriptor_parses_back_to_itself() {
        for external in [false, true] {
            for block in [512, 4096] {
                let params = PartitionParams::standard(100_000, block, external);
                let (descriptor, size) = params.layout();
                let bytes = descriptor.to_bytes();
                assert_eq!(
                    bytes.len(),
                    DIFI_HEADER_LEN + IVFC_DESCRIPTOR_LEN + DPFS_DESCRIPTOR_LEN + 0x20
                );
                assert_eq!(PartitionDescriptor::parse(&bytes), Ok(descriptor.clone()));
                // The payload fits in the partition, after the DPFS copies.
                let d3 = descriptor.dpfs.levels[2];
                assert!(d3.copy_offset(1) + d3.size <= size);
                if let Some(at) = descriptor.difi.external_level4 {
                    assert_eq!(at + 100_000, size);
                }
            }
        }
    }

    #[test]
    fn refuses_a_bad_magic_a_bad_selector_and_a_hash_outside() {
        let (descriptor, _) = PartitionParams::standard(5000, 512, false).layout();
        let good = descriptor.to_bytes();
        let mut bad = good.clone();
        bad[1] = b'X';
        assert!(matches!(
            PartitionDescriptor::parse(&bad),
            Err(DifiError::BadMagic { .. })
        ));
        let mut bad = good.clone();
        bad[0x39] = 2;
        assert_eq!(
            PartitionDescriptor::parse(&bad),
            Err(DifiError::BadSelector(2))
        );
        let mut bad = good.clone();
        put_u64(&mut bad, 0x28, u64::MAX - 4);
        assert!(matches!(
            PartitionDescriptor::parse(&bad),
            Err(DifiError::OutsideDescriptor {
                field: "master hash",
                ..
            })
        ));
        assert!(matches!(
            PartitionDescriptor::parse(&good[..0x20]),
            Err(DifiError::TooShort { len: 0x20 })
        ));
    }
}
