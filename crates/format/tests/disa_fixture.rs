//! The real NAND save fixture: it opens, verifies and extracts.

use keepsake_format::ctr::disa;
use keepsake_format::ctr::savefs::{Node, SaveFs};
use keepsake_testkit::fixture_or_skip;
use sha2::{Digest, Sha256};

const FIXTURE: &str = "ctr/nand-00000000.disa";

#[test]
fn the_nand_save_opens_verifies_and_extracts_its_one_file() {
    let image = fixture_or_skip!(FIXTURE);
    let container = disa::open(image.as_slice()).unwrap();
    assert_eq!(container.partitions().len(), 1);
    let reports = container.verify(&|_| {}).unwrap();
    // One hash block in each of levels 1-3, six 4 KiB payload blocks, all good.
    let blocks: Vec<u64> = reports[0].levels.iter().map(|l| l.blocks).collect();
    assert_eq!(blocks, [1, 1, 1, 6]);
    assert!(reports[0].levels.iter().all(|l| l.verified == l.blocks));
    let mut fs = SaveFs::open(container).unwrap();
    let listing = fs.walk().unwrap();
    assert_eq!(listing.len(), 1);
    assert_eq!(listing[0].path, "SaveData.bin");
    assert_eq!(listing[0].size, Some(11_688));
    let Node::File(f) = listing[0].node else {
        panic!("a file")
    };
    let data = fs.read_file(f, "SaveData.bin").unwrap();
    assert_eq!(data.len(), 11_688);
    // Expected values from an independent extraction (a short script that
    // follows the 3dbrew layout by hand): six non-zero bytes, this digest.
    assert_eq!(data.iter().filter(|&&b| b != 0).count(), 6);
    assert_eq!(
        hex(&Sha256::digest(&data)),
        "bc94b9616da2f590c3b11bdbba919be0dce7d5592b88246dc5c1a3c91e431381"
    );
    assert_eq!(fs.read_path("/SaveData.bin").unwrap(), data);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_nand_save_takes_changes_and_still_verifies() {
    let image = fixture_or_skip!(FIXTURE);
    let mut fs = SaveFs::open(disa::open(image.clone()).unwrap()).unwrap();
    let new_contents: Vec<u8> = (0..20_000u32).map(|i| (i * 7 + 3) as u8).collect();
    fs.write_file("SaveData.bin", &new_contents).unwrap();
    fs.create_dir("extra").unwrap();
    fs.write_file("extra/note.txt", b"hello").unwrap();
    fs.commit().unwrap();
    let bytes = fs.into_disa().into_storage();
    // Only the payload, hashes and the table hash changed: the header's
    // layout and the CMAC region are untouched.
    assert_eq!(bytes.len(), image.len());
    assert_eq!(bytes[..0x16C], image[..0x16C]);
    let container = disa::open(bytes).unwrap();
    assert!(container.verify(&|_| {}).unwrap()[0].is_sound());
    let mut fs = SaveFs::open(container).unwrap();
    assert_eq!(fs.read_path("SaveData.bin").unwrap(), new_contents);
    assert_eq!(fs.read_path("extra/note.txt").unwrap(), b"hello");
}
