//! The fuzz targets cannot rot: their bodies (`fuzz/src`, one module per
//! target) are compiled here, on stable and without libfuzzer-sys, and run
//! on the seed corpus: every shared fixture and a few generated inputs. The
//! cargo-fuzz entry points (`fuzz/fuzz_targets/*.rs`) are one line each;
//! their agreement with the bodies and with `fuzz/Cargo.toml` is checked as
//! text, since building them needs nightly and libfuzzer-sys.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod keepsake_fuzz;

use std::fs;
use std::path::{Path, PathBuf};

use keepsake_format::ctr::{diff, fuzzing};
use keepsake_testkit::rand::Rng;
use keepsake_testkit::{fixtures, rng};

/// Every file under `dir`, recursively, sorted.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|entry| entry.expect("a folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The seeds: the shared fixtures' save files and generated inputs.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for folder in ["nds", "ctr"] {
        let Some(dir) = fixtures::path(folder) else {
            continue;
        };
        let mut files = Vec::new();
        files_under(&dir, &mut files);
        for file in files {
            let name = file.display().to_string();
            if name.ends_with(".md") || name.ends_with("-MIT") {
                continue;
            }
            seeds.push((name, fs::read(&file).unwrap()));
        }
    }
    let mut rng = rng::for_test("fuzz_target_seeds");
    seeds.push(("empty".into(), Vec::new()));
    for len in [1, 2, 16, 600, 4096] {
        let mut bytes = vec![0u8; len];
        rng.fill(&mut bytes[..]);
        seeds.push((format!("{len} random bytes"), bytes));
    }
    seeds.push(("a small save".into(), fuzzing::sample_save(true)));
    seeds.push((
        "a small two-partition save".into(),
        fuzzing::sample_save(false),
    ));
    seeds.push((
        "a small DIFF".into(),
        diff::build(&[0x5A; 3000], 7).expect("a DIFF builds"),
    ));
    seeds
}

#[test]
fn every_target_runs_on_every_seed() {
    let seeds = seeds();
    let fixture_seeds = seeds.iter().filter(|(n, _)| n.contains('/')).count();
    if fixtures::missing_policy() == fixtures::Missing::Fail {
        // The fixtures are here (a missing one would have failed above):
        // at least the NDS saves and the DISA images.
        assert!(fixture_seeds >= 20, "only {fixture_seeds} fixture seeds");
    }
    for (target, run) in keepsake_fuzz::TARGETS {
        for (name, bytes) in &seeds {
            let outcome = std::panic::catch_unwind(|| run(bytes));
            assert!(outcome.is_ok(), "fuzz target {target} panics on {name}");
        }
    }
}

#[test]
fn title_prefs_reads_checkpoints_file_and_damaged_ones() {
    // Checkpoint's romfs config.json with a favourite (its
    // 3ds/assets/romfs/config.json), then unusable values of each key.
    keepsake_fuzz::title_prefs::run(
        br#"{"filter": [], "favorites": ["0004000000055D00"], "additional_save_folders": {},
            "nand_saves": false, "theme": "dark", "version": 6}"#,
    );
    keepsake_fuzz::title_prefs::run(
        br#"{"favorites": [1, "x", "0004000000055D00"], "title_filter": [], "title_sort": "id"}"#,
    );
    keepsake_fuzz::title_prefs::run(br#"{"favorites": {"a": 1}}"#);
}

#[test]
fn diff_import_gives_back_the_contents_of_any_size() {
    // Split at 0 (no image), then contents of sizes around hash-block
    // boundaries: the body itself checks the read-back.
    for len in [0usize, 1, 511, 512, 4095, 4096, 4097, 70_000] {
        let mut input = vec![0, 0];
        input.extend((0..len).map(|i| (i % 251) as u8));
        keepsake_fuzz::diff_import::run(&input);
    }
}

#[test]
fn every_cargo_fuzz_target_calls_its_body_and_is_declared() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let mut declared: Vec<String> = manifest
        .split("\n[[bin]]")
        .skip(1)
        .map(|section| {
            let name = section
                .lines()
                .find_map(|l| l.trim().strip_prefix("name = "))
                .expect("every [[bin]] has a name");
            name.trim_matches('"').to_string()
        })
        .collect();
    declared.sort();
    let mut bodies: Vec<String> = keepsake_fuzz::TARGETS
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
    bodies.sort();
    assert_eq!(
        declared, bodies,
        "fuzz/Cargo.toml and fuzz/src/lib.rs disagree"
    );
    for name in &declared {
        let entry = root.join("fuzz_targets").join(format!("{name}.rs"));
        let text =
            fs::read_to_string(&entry).unwrap_or_else(|e| panic!("{}: {e}", entry.display()));
        let call = format!("keepsake_fuzz::{name}::run(data)");
        assert!(
            text.contains(&call),
            "{} does not call {call}",
            entry.display()
        );
        assert!(manifest.contains(&format!("path = \"fuzz_targets/{name}.rs\"")));
    }
}
