//! Full verify and extract-all on a generated 64 MiB two-partition save,
//! against the sha2 crate's raw SHA-256 over the same bytes; and the
//! format side of `keepsake disa import` / `extract` on the image of the
//! save3ds comparison (64 MiB, 4 KiB blocks, two partitions, 40 files of
//! 31 MB in all): import into an empty image (write, commit, then read back
//! as the CLI does before writing the result) and extract every file, into
//! one buffer (`extract`) or handed on in pieces where the image holds them
//! (`extract_lent`, what `keepsake disa extract` does over a mapped image).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keepsake_format::ctr::disa;
use keepsake_format::ctr::savefs::format::SaveFormat;
use keepsake_format::ctr::savefs::{Node, SaveFs};
use keepsake_testkit::rand::RngCore;
use sha2::{Digest, Sha256};

const IMAGE_LEN: u64 = 64 << 20;

/// A 64 MiB save (512-byte blocks, two partitions) filled with 1 MiB files
/// of random bytes until it is nearly full.
fn generated_image() -> (Vec<u8>, u64) {
    let mut rng = keepsake_testkit::rng::seeded(64);
    let mut fs = SaveFormat::new(512, 20, 100, false)
        .format(IMAGE_LEN)
        .unwrap();
    let mut file = vec![0u8; 1 << 20];
    let mut written = 0u64;
    for i in 0.. {
        if u64::from(fs.free_blocks().unwrap()) * 512 < file.len() as u64 {
            break;
        }
        rng.fill_bytes(&mut file);
        fs.write_file(&format!("file{i:03}.bin"), &file).unwrap();
        written += file.len() as u64;
    }
    fs.commit().unwrap();
    (fs.into_disa().into_storage(), written)
}

fn benches(c: &mut Criterion) {
    let (image, file_bytes) = generated_image();
    let mut group = c.benchmark_group("disa_64mib");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(image.len() as u64));
    group.bench_function("sha256_raw", |b| b.iter(|| Sha256::digest(&image)));
    group.bench_function("verify", |b| {
        b.iter(|| {
            let container = disa::open(image.as_slice()).unwrap();
            let reports = container.verify(&|_| {}).unwrap();
            assert!(reports.iter().all(|r| r.is_sound()));
        })
    });
    group.throughput(Throughput::Bytes(file_bytes));
    group.bench_function("extract_all", |b| {
        b.iter(|| {
            let mut fs = SaveFs::open(disa::open(image.as_slice()).unwrap()).unwrap();
            let mut total = 0;
            for entry in fs.walk().unwrap() {
                if let Node::File(f) = entry.node {
                    total += fs.read_file(f, &entry.path).unwrap().len() as u64;
                }
            }
            assert_eq!(total, file_bytes);
        })
    });
    group.finish();
}

/// The 40 files of the save3ds comparison: sizes from 400 KB to 1.15 MB,
/// 31 MB in all, random bytes.
fn comparison_files() -> Vec<(String, Vec<u8>)> {
    let mut rng = keepsake_testkit::rng::seeded(40);
    (0..40)
        .map(|i| {
            let mut data = vec![0u8; 400_000 + (i * 19_000) % 750_000];
            rng.fill_bytes(&mut data);
            (format!("f{i:02}.bin"), data)
        })
        .collect()
}

fn import_extract(c: &mut Criterion) {
    let files = comparison_files();
    let total: u64 = files.iter().map(|(_, d)| d.len() as u64).sum();
    let mut empty = SaveFormat::new(4096, 10, 64, false)
        .format(IMAGE_LEN)
        .unwrap();
    empty.commit().unwrap();
    let empty = empty.into_disa().into_storage();
    let import = |image: &[u8]| {
        let mut fs = SaveFs::open(disa::open(image.to_vec()).unwrap()).unwrap();
        for (name, data) in &files {
            fs.write_file(name, data).unwrap();
        }
        fs.commit().unwrap();
        fs.into_disa().into_storage()
    };
    let full = import(&empty);
    let mut group = c.benchmark_group("disa_64mib_4k_40_files");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(total));
    group.bench_function("import", |b| {
        b.iter(|| {
            let image = import(&empty);
            // Read back as `keepsake disa import` does before writing.
            let mut container = disa::open(image.as_slice()).unwrap();
            let reports = container.verify_remembering(&|_| {}).unwrap();
            assert!(reports.iter().all(|r| r.is_sound()));
            let check = SaveFs::open(container).unwrap().check().unwrap();
            assert!(check.unreadable.is_empty() && check.files == 40);
        })
    });
    group.bench_function("extract", |b| {
        b.iter(|| {
            let mut fs = SaveFs::open(disa::open(full.as_slice()).unwrap()).unwrap();
            let mut data = Vec::new();
            let mut sum = 0;
            for entry in fs.walk().unwrap() {
                if let Node::File(f) = entry.node {
                    fs.read_file_into(f, &entry.path, &mut data).unwrap();
                    sum += data.len() as u64;
                }
            }
            assert_eq!(sum, total);
        })
    });
    group.bench_function("extract_lent", |b| {
        b.iter(|| {
            let mut fs = SaveFs::open(disa::open(full.as_slice()).unwrap()).unwrap();
            let mut sum = 0;
            for entry in fs.walk().unwrap() {
                if let Node::File(f) = entry.node {
                    fs.read_file_with(f, &entry.path, |piece| {
                        sum += std::hint::black_box(piece).len() as u64;
                        Ok::<(), ()>(())
                    })
                    .unwrap();
                }
            }
            assert_eq!(sum, total);
        })
    });
    group.finish();
}

criterion_group!(disa_benches, benches, import_extract);
criterion_main!(disa_benches);
