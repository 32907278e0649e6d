//! Messages a person reads carry no Rust debug formatting: no `{x:?}`
//! (which prints `[cc, 03, e9, 90]` or `Some(5)`) and no `..=` ranges in an
//! error's text. Checked on the source of every error message: thiserror's
//! `#[error(...)]` attributes and `anyhow!`/`bail!` calls, in the PC tool, the
//! format crate and the app core (test modules excepted).

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text of every message-making span in `source`: from a marker to
/// its closing parenthesis.
fn message_spans(source: &str) -> Vec<(usize, &str)> {
    // Unit tests sit at the end of a file; their assertion texts are not
    // messages.
    let source = match source.find("#[cfg(test)]") {
        Some(at) => &source[..at],
        None => source,
    };
    let mut spans = Vec::new();
    for marker in ["#[error(", "anyhow!(", "bail!("] {
        let mut from = 0;
        while let Some(found) = source[from..].find(marker) {
            let start = from + found + marker.len();
            let mut depth = 1;
            let mut end = start;
            for (i, c) in source[start..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = start + i;
                    break;
                }
            }
            let line = source[..start].lines().count();
            spans.push((line, &source[start..end]));
            from = end.max(start);
        }
    }
    spans
}

#[test]
fn no_error_message_uses_debug_formatting_or_rust_ranges() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("crates/format/src"), &mut files);
    rust_files(&root.join("crates/core/src"), &mut files);
    // Files of tests only (`jobs/ctr_tests.rs`, `ui/tests.rs`): their texts
    // are assertions, not messages.
    files.retain(|file| {
        !file
            .file_stem()
            .is_some_and(|stem| stem.to_string_lossy().ends_with("tests"))
    });
    let mut found = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let source = fs::read_to_string(&file).unwrap();
        for (line, span) in message_spans(&source) {
            if span.contains("?}") || span.contains("..=") {
                found.push(format!("{relative}:{line}: {}", span.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "debug formatting in messages:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_a_debug_formatted_message() {
    let sample =
        "#[error(\"found {found:?} at {x}\")]\nenum E {}\nfn f() { anyhow!(\"{:?}\", (1..=2)) }";
    let spans = message_spans(sample);
    assert_eq!(spans.len(), 2);
    assert!(spans.iter().all(|(_, s)| s.contains("?}")));
}
