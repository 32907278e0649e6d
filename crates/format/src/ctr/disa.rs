//! DISA: the container of every 3DS save (cartridge, SD, NAND).
//!
//! Offset 0: AES-CMAC (0x10 bytes) over a digest of the header (see
//! `crypto`); 0x100: the DISA header, little-endian:
//!
//! | at   | field |
//! |------|-------|
//! | 0x00 | magic `DISA`, version 0x40000 (u32) |
//! | 0x08 | partition count, 1 or 2 (u32) |
//! | 0x10 | secondary table offset, primary table offset, table size (u64 each) |
//! | 0x28 | SAVE descriptor offset, size; DATA descriptor offset, size (in the table) |
//! | 0x48 | SAVE partition offset, size; DATA partition offset, size (in the image) |
//! | 0x68 | active table (u8: 0 primary, 1 secondary) |
//! | 0x6C | SHA-256 of the active table |
//!
//! Partition 0 (SAVE) holds the SAVE filesystem; the optional partition 1
//! (DATA) holds the file data, its IVFC level 4 outside DPFS.

use super::container::{Container, ContainerError, Layout, Placement, field_error};
use super::crypto;
use super::difi::PartitionParams;
use crate::storage::{ReadAt, WriteAt, le_u32, le_u64, put_u32, put_u64};

/// Where the DISA header starts.
pub const HEADER_AT: u64 = 0x100;
/// Bytes of the header region (the part the CMAC covers).
pub const HEADER_LEN: usize = 0x100;

/// An open DISA container.
pub type Disa<S> = Container<S>;

/// Opens a plaintext DISA image.
pub fn open<S: ReadAt>(storage: S) -> Result<Disa<S>, ContainerError> {
    let header = read_header(&storage)?;
    let h = &header;
    let magic: [u8; 4] = h[0..4].try_into().expect("4 bytes");
    let version = le_u32(h, 4);
    if &magic != b"DISA" || version != 0x40000 {
        return Err(ContainerError::BadMagic {
            magic: "DISA header",
            expected: "DISA",
            expected_version: 0x40000,
            found: magic,
            version,
        });
    }
    let count = le_u32(h, 8);
    if !(1..=2).contains(&count) {
        return Err(field_error(
            "partition count",
            HEADER_AT + 8,
            count.into(),
            "must be 1 or 2",
        ));
    }
    let active = h[0x68];
    if active > 1 {
        return Err(field_error(
            "active table",
            HEADER_AT + 0x68,
            active.into(),
            "must be 0 or 1",
        ));
    }
    let partitions = (0..count as usize)
        .map(|i| Placement {
            descriptor_offset: le_u64(h, 0x28 + i * 0x10),
            descriptor_len: le_u64(h, 0x30 + i * 0x10),
            offset: le_u64(h, 0x48 + i * 0x10),
            len: le_u64(h, 0x50 + i * 0x10),
        })
        .collect();
    let layout = Layout {
        secondary_table: le_u64(h, 0x10),
        primary_table: le_u64(h, 0x18),
        table_len: le_u64(h, 0x20),
        active_table: active,
        active_table_at: HEADER_AT + 0x68,
        table_hash_at: HEADER_AT + 0x6C,
        table_hash: h[0x6C..0x8C].try_into().expect("32 bytes"),
        partitions,
    };
    Container::open(storage, layout, HEADER_AT)
}

/// The header region (0x100..0x200), the bytes a CMAC signs.
pub fn read_header<S: ReadAt + ?Sized>(storage: &S) -> Result<[u8; HEADER_LEN], ContainerError> {
    if storage.size() < HEADER_AT + HEADER_LEN as u64 {
        return Err(ContainerError::TooShort {
            size: storage.size(),
        });
    }
    let mut header = [0u8; HEADER_LEN];
    storage.read_at(HEADER_AT, &mut header)?;
    Ok(header)
}

/// The stored CMAC (offset 0).
pub fn read_cmac<S: ReadAt + ?Sized>(storage: &S) -> Result<[u8; 16], ContainerError> {
    let mut cmac = [0u8; 16];
    storage.read_at(0, &mut cmac)?;
    Ok(cmac)
}

/// How a new container's tables and partitions are placed, as the console
/// lays them out.
pub(crate) struct Planned {
    pub layout: Layout,
    pub descriptors: Vec<Vec<u8>>,
    pub end: u64,
}

pub(crate) fn plan(
    params: &[PartitionParams],
    active_table_at: u64,
    table_hash_at: u64,
) -> Planned {
    let laid: Vec<_> = params.iter().map(PartitionParams::layout).collect();
    let descriptors: Vec<Vec<u8>> = laid.iter().map(|(d, _)| d.to_bytes()).collect();
    let mut descriptor_offsets = Vec::new();
    let mut table_len = 0u64;
    for (i, d) in descriptors.iter().enumerate() {
        let at = if i == 0 {
            0
        } else {
            table_len.next_multiple_of(8)
        };
        descriptor_offsets.push(at);
        table_len = at + d.len() as u64;
    }
    if descriptors.len() > 1 {
        table_len = table_len.next_multiple_of(8);
    }
    let secondary_table = 0x200;
    let primary_table = (secondary_table + table_len).next_multiple_of(8);
    let mut end = primary_table + table_len;
    let mut partitions = Vec::new();
    for (i, (p, (_, len))) in params.iter().zip(&laid).enumerate() {
        let offset = end.next_multiple_of(p.alignment());
        partitions.push(Placement {
            descriptor_offset: descriptor_offsets[i],
            descriptor_len: descriptors[i].len() as u64,
            offset,
            len: *len,
        });
        end = offset + len;
    }
    Planned {
        layout: Layout {
            primary_table,
            secondary_table,
            table_len,
            active_table: 1,
            active_table_at,
            table_hash_at,
            table_hash: [0; 32],
            partitions,
        },
        descriptors,
        end,
    }
}

/// Writes both table copies and returns the table's hash.
pub(crate) fn write_tables<S: WriteAt + ?Sized>(
    storage: &mut S,
    planned: &Planned,
) -> Result<[u8; 32], ContainerError> {
    use sha2::{Digest, Sha256};
    let mut table = vec![0u8; planned.layout.table_len as usize];
    for (d, place) in planned.descriptors.iter().zip(&planned.layout.partitions) {
        let at = place.descriptor_offset as usize;
        table[at..at + d.len()].copy_from_slice(d);
    }
    storage.write_at(planned.layout.primary_table, &table)?;
    storage.write_at(planned.layout.secondary_table, &table)?;
    Ok(Sha256::digest(&table).into())
}

/// Size of a DISA image with these partitions (1 or 2).
pub fn image_len(params: &[PartitionParams]) -> u64 {
    plan(params, HEADER_AT + 0x68, HEADER_AT + 0x6C).end
}

/// Formats a new DISA image of at least `image_len(params)` bytes into
/// `storage` (zero-filled by the caller) and opens it. Payloads are
/// unwritten: no hash is computed until data is written and committed.
pub fn format<S: WriteAt>(
    mut storage: S,
    params: &[PartitionParams],
) -> Result<Disa<S>, ContainerError> {
    assert!(
        (1..=2).contains(&params.len()),
        "a DISA has one or two partitions"
    );
    let planned = plan(params, HEADER_AT + 0x68, HEADER_AT + 0x6C);
    if storage.size() < planned.end {
        return Err(ContainerError::TooShort {
            size: storage.size(),
        });
    }
    let hash = write_tables(&mut storage, &planned)?;
    let l = &planned.layout;
    let mut h = [0u8; HEADER_LEN];
    h[0..4].copy_from_slice(b"DISA");
    put_u32(&mut h, 4, 0x40000);
    put_u32(&mut h, 8, params.len() as u32);
    put_u64(&mut h, 0x10, l.secondary_table);
    put_u64(&mut h, 0x18, l.primary_table);
    put_u64(&mut h, 0x20, l.table_len);
    for (i, p) in l.partitions.iter().enumerate() {
        put_u64(&mut h, 0x28 + i * 0x10, p.descriptor_offset);
        put_u64(&mut h, 0x30 + i * 0x10, p.descriptor_len);
        put_u64(&mut h, 0x48 + i * 0x10, p.offset);
        put_u64(&mut h, 0x50 + i * 0x10, p.len);
    }
    h[0x68] = l.active_table;
    h[0x6C..0x8C].copy_from_slice(&hash);
    storage.write_at(0, &[0u8; 0x10])?;
    storage.write_at(HEADER_AT, &h)?;
    open(storage)
}

/// Whether the stored CMAC matches the header signed as `kind` with `key`
/// (works for DIFF images too: the header region is the same).
pub fn cmac_matches<S: ReadAt + ?Sized>(
    storage: &S,
    key: &crypto::sign::Key,
    kind: &crypto::sign::SignatureKind,
) -> Result<bool, ContainerError> {
    let header = read_header(storage)?;
    Ok(crypto::sign::verify(
        key,
        kind,
        &header,
        &read_cmac(storage)?,
    ))
}

/// Signs the header again after a change (the table hash in it changes on
/// every commit) and stores the new CMAC at offset 0.
pub fn resign<S: WriteAt + ?Sized>(
    storage: &mut S,
    key: &crypto::sign::Key,
    kind: &crypto::sign::SignatureKind,
) -> Result<crypto::sign::Tag, ContainerError> {
    let header = read_header(storage)?;
    let tag = crypto::sign::cmac(key, kind, &header);
    storage.write_at(0, &tag)?;
    Ok(tag)
}
