//! The real NAND save fixture: it opens, verifies and extracts.

use keepsake_format::ctr::disa;
use keepsake_format::ctr::savefs::fat::FatError;
use keepsake_format::ctr::savefs::{Node, SaveFs, SaveFsError};
use keepsake_testkit::fixture_or_skip;
use sha2::{Digest, Sha256};

const FIXTURE: &str = "ctr/nand-00000000.disa";

mod independent;

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
    // The save is full: five data blocks, two for the entry tables and three
    // for SaveData.bin; one directory and one file at most.
    assert_eq!(fs.free_blocks().unwrap(), 0);
    assert!(matches!(
        fs.write_file("SaveData.bin", &[0; 12_289]),
        Err(SaveFsError::Fat(FatError::NoSpace { needed: 4, free: 3 }))
    ));
    assert!(matches!(
        fs.write_file("other.bin", b""),
        Err(SaveFsError::Entries(_))
    ));
    let new_contents: Vec<u8> = (0..12_000u32).map(|i| (i * 7 + 3) as u8).collect();
    fs.write_file("SaveData.bin", &new_contents).unwrap();
    fs.create_dir("extra").unwrap();
    fs.commit().unwrap();
    let bytes = fs.into_disa().into_storage();
    // In the header only the active table (now the primary) and its hash
    // changed; the CMAC region and the layout are untouched.
    assert_eq!(bytes.len(), image.len());
    assert_eq!(bytes[..0x168], image[..0x168]);
    assert_eq!((image[0x168], bytes[0x168]), (1, 0));
    // The commit wrote only inactive copies before switching the header:
    // with the old header back, the image is exactly the old save.
    let mut rolled_back = bytes.clone();
    rolled_back[0x100..0x200].copy_from_slice(&image[0x100..0x200]);
    let old = disa::open(rolled_back).unwrap();
    assert!(old.verify(&|_| {}).unwrap()[0].is_sound());
    let mut old = SaveFs::open(old).unwrap();
    assert_eq!(
        hex(&Sha256::digest(old.read_path("SaveData.bin").unwrap())),
        "bc94b9616da2f590c3b11bdbba919be0dce7d5592b88246dc5c1a3c91e431381"
    );
    assert_eq!(old.walk().unwrap().len(), 1);
    let container = disa::open(bytes).unwrap();
    assert!(container.verify(&|_| {}).unwrap()[0].is_sound());
    let mut fs = SaveFs::open(container).unwrap();
    assert_eq!(fs.read_path("SaveData.bin").unwrap(), new_contents);
    let paths: Vec<String> = fs.walk().unwrap().into_iter().map(|l| l.path).collect();
    assert_eq!(paths, ["extra", "SaveData.bin"]);
}

#[test]
fn the_cmac_is_checked_and_renewed_with_a_test_key() {
    use keepsake_format::ctr::crypto::sign::{SignatureKind, sign_image};
    let mut image = fixture_or_skip!(FIXTURE);
    let key = *b"keepsake testkey";
    let kind = SignatureKind::Nand { save_id: 0 };
    // The real CMAC was made with the console's key, not ours.
    assert!(!disa::cmac_matches(image.as_slice(), &key, &kind).unwrap());
    sign_image(&key, &kind, &mut image).unwrap();
    assert!(disa::cmac_matches(image.as_slice(), &key, &kind).unwrap());
    // A change rewrites the table hash in the header: the CMAC goes stale
    // until the image is signed again.
    let mut fs = SaveFs::open(disa::open(image).unwrap()).unwrap();
    fs.write_file("SaveData.bin", b"changed").unwrap();
    fs.commit().unwrap();
    let mut image = fs.into_disa().into_storage();
    assert!(!disa::cmac_matches(image.as_slice(), &key, &kind).unwrap());
    let tag = disa::resign(&mut image, &key, &kind).unwrap();
    assert_eq!(image[..16], tag);
    assert!(disa::cmac_matches(image.as_slice(), &key, &kind).unwrap());
    // Independent check of the digest block layout: CMAC over
    // SHA-256("CTR-SYS0" || save id as u64 || header).
    let mut block = b"CTR-SYS0".to_vec();
    block.extend_from_slice(&0u64.to_le_bytes());
    block.extend_from_slice(&image[0x100..0x200]);
    let digest = Sha256::digest(&block);
    use cmac::Mac;
    let mut mac = <cmac::Cmac<aes::Aes128> as Mac>::new_from_slice(&key).unwrap();
    mac.update(&digest);
    assert_eq!(mac.finalize().into_bytes()[..], tag);
}

#[test]
fn verify_reports_progress_up_to_every_payload_byte() {
    let image = fixture_or_skip!(FIXTURE);
    let container = disa::open(image.as_slice()).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    container.verify(&|n| seen.lock().unwrap().push(n)).unwrap();
    let seen = seen.into_inner().unwrap();
    // Six 4 KiB payload blocks: the last report covers all 24 KiB, and the
    // count never goes backwards however the workers interleave.
    assert_eq!(seen.iter().max(), Some(&(6 * 4096)));
    assert_eq!(container.partitions()[0].len(), 6 * 4096);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
}

#[test]
fn the_independent_reader_reads_the_nand_save() {
    let image = fixture_or_skip!(FIXTURE);
    let tree = independent::read_tree(&image).unwrap();
    let paths: Vec<&String> = tree.keys().collect();
    assert_eq!(paths, ["SaveData.bin"]);
    let data = tree["SaveData.bin"].as_ref().unwrap();
    assert_eq!(
        hex(&Sha256::digest(data)),
        "bc94b9616da2f590c3b11bdbba919be0dce7d5592b88246dc5c1a3c91e431381"
    );
}
