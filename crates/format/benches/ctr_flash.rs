//! Cartridge flash throughput: wear-leveling decode and encode, keystream
//! recovery, CMAC signing.
//!
//! Run: `cargo bench -p keepsake-format --features testgen --bench ctr_flash`.
//! Targets: decode of a 1 MiB image at 500 MB/s or more; keystream recovery
//! of a 512 KiB image under 5 ms.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keepsake_format::ctr::crypto::cipher::{CounterMode, apply_keystream};
use keepsake_format::ctr::crypto::{sign, xorpad};
use keepsake_format::ctr::testgen;
use keepsake_format::ctr::wear::{self, FlashSize};
use keepsake_testkit::rng;
use std::hint::black_box;

fn wear_leveling(c: &mut Criterion) {
    let mut rng = rng::for_test("bench_wear");
    let mut group = c.benchmark_group("wear");
    for (size, name) in [(FlashSize::M1, "1MiB_v2"), (FlashSize::K512, "512KiB_v1")] {
        let flash = testgen::flash_image_with_journal(&mut rng, size, 12);
        group.throughput(Throughput::Bytes(flash.image.len() as u64));
        group.bench_function(format!("decode_{name}"), |b| {
            b.iter(|| wear::decode(black_box(&flash.image)).unwrap())
        });
        let layout = wear::decode(&flash.image).unwrap().layout;
        group.bench_function(format!("encode_{name}"), |b| {
            b.iter(|| wear::encode(black_box(&flash.logical), &layout).unwrap())
        });
    }
    group.finish();
}

fn crypto(c: &mut Criterion) {
    let mut rng = rng::for_test("bench_crypto");
    let mut group = c.benchmark_group("crypto");
    let mut image = testgen::plaintext_disa(&mut rng, 0x8_0000);
    apply_keystream(&[7; 16], &[9; 16], CounterMode::Repeating, &mut image);
    group.throughput(Throughput::Bytes(image.len() as u64));
    group.bench_function("xorpad_recover_512KiB", |b| {
        b.iter(|| xorpad::recover(black_box(&image)).unwrap())
    });
    group.bench_function("aes_ctr_512KiB", |b| {
        let mut data = image.clone();
        b.iter(|| {
            apply_keystream(
                &[7; 16],
                &[9; 16],
                CounterMode::Continuous,
                black_box(&mut data),
            )
        })
    });
    group.throughput(Throughput::Elements(1));
    let header: [u8; 0x100] = core::array::from_fn(|i| i as u8);
    group.bench_function("cmac_sd_save", |b| {
        b.iter(|| {
            sign::cmac(
                &[1; 16],
                &sign::SignatureKind::Sd {
                    title_id: 0x0004_0000_0012_3400,
                },
                black_box(&header),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, wear_leveling, crypto);
criterion_main!(benches);
