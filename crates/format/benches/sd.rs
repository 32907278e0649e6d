//! The format side of `keepsake sd extract --save`: decrypt a title's SD save
//! with the console's keys, check its CMAC, open it and read every file. The
//! save is the one of the save3ds comparison in the notes (16 MiB, 4 KiB
//! blocks, one partition, 8 files of 1 MB of random bytes), sealed with the
//! fake key files of `../shared/fixtures/ctr/save3ds` (not a console's).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keepsake_format::ctr::keys::ConsoleKeys;
use keepsake_format::ctr::savefs::Node;
use keepsake_format::ctr::savefs::format::SaveFormat;
use keepsake_format::ctr::sd::save;
use keepsake_testkit::rand::RngCore;

const TITLE_ID: u64 = 0x0004_0000_000d_ef00;

fn sealed_save(keys: &ConsoleKeys) -> (Vec<u8>, u64) {
    let mut rng = keepsake_testkit::rng::seeded(16);
    let mut fs = SaveFormat::new(4096, 10, 20, true)
        .format(16 << 20)
        .unwrap();
    let mut file = vec![0u8; 1_000_000];
    for i in 0..8 {
        rng.fill_bytes(&mut file);
        fs.write_file(&format!("f{i}.bin"), &file).unwrap();
    }
    fs.commit().unwrap();
    let plain = fs.into_disa().into_storage();
    (save::seal(keys, TITLE_ID, plain), 8 * file.len() as u64)
}

fn benches(c: &mut Criterion) {
    let (Some(boot9), Some(movable)) = (
        keepsake_testkit::fixtures::read("ctr/save3ds/fake-boot9.bin"),
        keepsake_testkit::fixtures::read("ctr/save3ds/fake-movable.sed"),
    ) else {
        return;
    };
    let keys = ConsoleKeys::derive(&boot9, &movable).unwrap();
    let (sealed, file_bytes) = sealed_save(&keys);
    let mut group = c.benchmark_group("sd_save_16mib");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(file_bytes));
    group.bench_function("decrypt_open_extract", |b| {
        b.iter(|| {
            let mut opened = save::open(&keys, TITLE_ID, sealed.clone()).unwrap();
            assert!(opened.cmac_ok);
            let mut total = 0;
            for entry in opened.fs.walk().unwrap() {
                if let Node::File(f) = entry.node {
                    total += opened.fs.read_file(f, &entry.path).unwrap().len() as u64;
                }
            }
            assert_eq!(total, file_bytes);
        })
    });
    // As `keepsake sd extract` reads: each file handed on in pieces where
    // the decrypted image holds it.
    group.bench_function("decrypt_open_extract_lent", |b| {
        b.iter(|| {
            let mut opened = save::open(&keys, TITLE_ID, sealed.clone()).unwrap();
            assert!(opened.cmac_ok);
            let mut total = 0;
            for entry in opened.fs.walk().unwrap() {
                if let Node::File(f) = entry.node {
                    opened
                        .fs
                        .read_file_with(f, &entry.path, |piece| {
                            total += std::hint::black_box(piece).len() as u64;
                            Ok::<(), ()>(())
                        })
                        .unwrap();
                }
            }
            assert_eq!(total, file_bytes);
        })
    });
    group.finish();
}

criterion_group!(sd, benches);
criterion_main!(sd);
