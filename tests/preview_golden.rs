//! Golden images of `keepsake preview`: every built-in scenario's PNGs are
//! compared pixel by pixel with the ones committed in `tests/golden/`, so an
//! unintended visual change fails. After an intended one, rewrite them with
//! `KEEPSAKE_BLESS=1 cargo test --test preview_golden` and look at the diff.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
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

#[test]
fn the_built_in_scenarios_look_as_committed() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args(["preview", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let produced = pngs_in(out.path());
    assert!(
        produced.len() >= 40,
        "every scenario snaps several frames: {produced:?}"
    );

    if std::env::var_os("KEEPSAKE_BLESS").is_some_and(|v| v != "0") {
        let golden = golden_dir();
        fs::create_dir_all(&golden).unwrap();
        for stale in pngs_in(&golden).difference(&produced) {
            fs::remove_file(golden.join(stale)).unwrap();
        }
        for name in &produced {
            fs::copy(out.path().join(name), golden.join(name)).unwrap();
        }
        eprintln!(
            "blessed {} images into {}",
            produced.len(),
            golden.display()
        );
        return;
    }

    let expected = pngs_in(&golden_dir());
    assert_eq!(
        produced, expected,
        "the preview's images and tests/golden differ in names (KEEPSAKE_BLESS=1 to rewrite)"
    );
    let mut changed = Vec::new();
    for name in &produced {
        let (w, h, actual) = decode(&out.path().join(name));
        let (gw, gh, golden) = decode(&golden_dir().join(name));
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
        let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("preview-golden-actual");
        let _ = fs::remove_dir_all(&keep);
        fs::create_dir_all(&keep).unwrap();
        for name in &produced {
            fs::copy(out.path().join(name), keep.join(name)).unwrap();
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
fn the_golden_images_are_readable_pngs_with_more_than_one_colour() {
    for name in pngs_in(&golden_dir()) {
        let (w, _, rgb) = decode(&golden_dir().join(&name));
        let first = &rgb[..3];
        assert!(rgb.chunks(3).any(|p| p != first), "{name} is blank");
        assert!(w == 400 || w == 320, "{name}");
    }
}
