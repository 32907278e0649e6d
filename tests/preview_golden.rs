//! Golden images of `keepsake preview`: every built-in scenario's PNGs are
//! compared pixel by pixel with the ones committed in `tests/golden/`, so an
//! unintended visual change fails; the key screens in the light theme
//! (`--theme light`) with the ones in `tests/golden/light/`. After an
//! intended change, rewrite them with
//! `KEEPSAKE_BLESS=1 cargo test --test preview_golden` and look at the diff.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The screens kept in the light theme too: the title list, a backup list
/// and a backup's details, a restore question, a job's progress, results
/// (done and refused), the settings, and the marks that carry colour (a
/// favourite, a batch's failures, a standing warning).
const LIGHT_KEY_SCREENS: &[&str] = &[
    "browse-01-titles",
    "browse-04-cartridge-backups",
    "browse-05-backup-details",
    "browse-06-settings",
    "restore-flashcart-02-confirm-restore",
    "restore-flashcart-03-restoring",
    "restore-flashcart-04-restored",
    "restore-error-02-refused",
    "finding-01-favourite",
    "batch-03-result-failure",
    "unfinished-restore-03-warning-in-list",
];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn light_golden_dir() -> PathBuf {
    golden_dir().join("light")
}

fn blessing() -> bool {
    std::env::var_os("KEEPSAKE_BLESS").is_some_and(|v| v != "0")
}

fn pngs_in(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".png"))
                .collect()
        })
        .unwrap_or_default()
}

/// (width, height, RGB bytes) of a PNG.
fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut reader = png::Decoder::new(bytes.as_slice())
        .read_info()
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()));
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    buffer.truncate(info.buffer_size());
    (info.width, info.height, buffer)
}

/// Runs `keepsake preview` with `extra` arguments into a new folder.
fn preview(extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .arg("preview")
        .args(extra)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    out
}

/// Copies `names` from `out` into `golden`, removing the golden images
/// that are no longer produced.
fn bless(out: &Path, golden: &Path, names: &BTreeSet<String>) {
    fs::create_dir_all(golden).unwrap();
    for stale in pngs_in(golden).difference(names) {
        fs::remove_file(golden.join(stale)).unwrap();
    }
    for name in names {
        fs::copy(out.join(name), golden.join(name)).unwrap();
    }
    eprintln!("blessed {} images into {}", names.len(), golden.display());
}

/// Compares `names` in `out` with `golden` pixel by pixel; on a difference
/// keeps the new images in `keep` and fails naming them.
fn compare(out: &Path, golden: &Path, names: &BTreeSet<String>, keep: &str) {
    let expected = pngs_in(golden);
    assert_eq!(
        names,
        &expected,
        "the preview's images and {} differ in names (KEEPSAKE_BLESS=1 to rewrite)",
        golden.display()
    );
    let mut changed = Vec::new();
    for name in names {
        let (w, h, actual) = decode(&out.join(name));
        let (gw, gh, golden) = decode(&golden.join(name));
        assert_eq!((w, h), (gw, gh), "{name}: size");
        assert!(w == 400 || w == 320, "{name}: a screen's native width");
        assert_eq!(h, 240, "{name}: a screen's native height");
        let differing: Vec<usize> = (0..actual.len() / 3)
            .filter(|&p| actual[p * 3..p * 3 + 3] != golden[p * 3..p * 3 + 3])
            .collect();
        if let Some(&first) = differing.first() {
            changed.push(format!(
                "{name}: {} pixels differ, the first at ({}, {})",
                differing.len(),
                first % w as usize,
                first / w as usize
            ));
        }
    }
    if !changed.is_empty() {
        // Keep the new images where they can be looked at.
        let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join(keep);
        let _ = fs::remove_dir_all(&keep);
        fs::create_dir_all(&keep).unwrap();
        for name in names {
            fs::copy(out.join(name), keep.join(name)).unwrap();
        }
        panic!(
            "{} images changed (new ones in {}; KEEPSAKE_BLESS=1 to accept):\n{}",
            changed.len(),
            keep.display(),
            changed.join("\n")
        );
    }
}

#[test]
fn the_built_in_scenarios_look_as_committed() {
    let out = preview(&[]);
    let produced = pngs_in(out.path());
    assert!(
        produced.len() >= 40,
        "every scenario snaps several frames: {produced:?}"
    );
    if blessing() {
        bless(out.path(), &golden_dir(), &produced);
    } else {
        compare(
            out.path(),
            &golden_dir(),
            &produced,
            "preview-golden-actual",
        );
    }
}

#[test]
fn the_key_screens_look_as_committed_in_the_light_theme() {
    let out = preview(&["--theme", "light"]);
    let produced = pngs_in(out.path());
    let key: BTreeSet<String> = LIGHT_KEY_SCREENS
        .iter()
        .flat_map(|name| [format!("{name}-top.png"), format!("{name}-bottom.png")])
        .collect();
    let missing: Vec<&String> = key.difference(&produced).collect();
    assert!(missing.is_empty(), "no such frames: {missing:?}");
    if blessing() {
        bless(out.path(), &light_golden_dir(), &key);
    } else {
        // The light run snaps the same frames as the dark one.
        assert_eq!(produced, pngs_in(&golden_dir()));
        compare(
            out.path(),
            &light_golden_dir(),
            &key,
            "preview-golden-light-actual",
        );
    }
}

#[test]
fn the_golden_images_are_readable_pngs_with_more_than_one_colour() {
    for dir in [golden_dir(), light_golden_dir()] {
        for name in pngs_in(&dir) {
            let (w, _, rgb) = decode(&dir.join(&name));
            let first = &rgb[..3];
            assert!(rgb.chunks(3).any(|p| p != first), "{name} is blank");
            assert!(w == 400 || w == 320, "{name}");
        }
    }
}
