//! Analysis and conversion of 8 MiB NDS saves (the largest chip). Target:
//! at least 1 GB/s for each, on the save shapes that cost the most.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keepsake_format::nds::{self, ChipKind, OutputFormat, SaveFile};
use std::hint::black_box;

const SIZE: usize = 8 << 20;

/// Deterministic bytes that are neither padding nor repetitive.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect()
}

/// The shapes of an 8 MiB save: a flashcart save of an 8 KiB game (data,
/// then 8 MiB of 0xFF), an 8 KiB chip mirrored over 8 MiB (every byte
/// compared), a blank chip (every byte scanned) and a full chip of data.
fn shapes() -> Vec<(&'static str, Vec<u8>)> {
    let game = noise(8 << 10);
    let mut flashcart = game.clone();
    flashcart.resize(SIZE, 0xFF);
    vec![
        ("flashcart_8k_game", flashcart),
        ("mirrored_8k", game.repeat(SIZE / game.len())),
        ("blank", vec![0xFF; SIZE]),
        ("full", noise(SIZE)),
    ]
}

fn analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("nds_analyze_8MiB");
    group.throughput(Throughput::Bytes(SIZE as u64));
    for (name, image) in shapes() {
        group.bench_function(name, |b| b.iter(|| nds::analyze(black_box(&image))));
    }
    group.finish();
}

fn conversion(c: &mut Criterion) {
    let mut group = c.benchmark_group("nds_convert_8MiB");
    group.throughput(Throughput::Bytes(SIZE as u64));
    let shapes = shapes();
    // Shrinking checks every dropped byte (padding) or compares every copy
    // (mirror) before keeping 8 KiB.
    for (name, image) in &shapes[..2] {
        group.bench_function(format!("{name}_to_8k_raw"), |b| {
            b.iter(|| {
                nds::convert(
                    black_box(image),
                    ChipKind::Eeprom8K,
                    OutputFormat::Raw,
                    false,
                )
                .unwrap()
            })
        });
    }
    let full = &shapes[3].1;
    group.bench_function("full_to_8m_dsv", |b| {
        b.iter(|| {
            nds::convert(black_box(full), ChipKind::Flash8M, OutputFormat::Dsv, false).unwrap()
        })
    });
    let game = noise(8 << 10);
    group.bench_function("8k_padded_to_8m_raw", |b| {
        b.iter(|| {
            nds::convert(
                black_box(&game),
                ChipKind::Flash8M,
                OutputFormat::Raw,
                false,
            )
            .unwrap()
        })
    });
    // The whole `keepsake nds convert` path on bytes: parse, analyze, convert.
    let dsv = nds::convert(&shapes[0].1, ChipKind::Flash8M, OutputFormat::Dsv, false).unwrap();
    group.bench_function("dsv_parse_analyze_convert_auto", |b| {
        b.iter(|| {
            let save = SaveFile::parse(black_box(&dsv)).unwrap();
            let chip = nds::analyze(&save.payload).smallest_lossless().unwrap();
            nds::convert(&save.payload, chip, OutputFormat::Raw, false).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, analysis, conversion);
criterion_main!(benches);
