//! The direction of dependencies inside keepsake-core (ARCHITECTURE.md):
//! platform <- sim, nds_card, store <- jobs <- app <- ui is the direction of
//! knowledge, and the screens (`src/ui/`) know the app only through the
//! `AppModel` trait and the plain data types of `ui/model.rs`. This test
//! reads the sources, so a screen that reaches past the model for a device,
//! a job or the store fails here rather than in review.
//!
//! Only code counts: comments and string literals are removed first, so a
//! screen may still say "Console" in words.

use std::fs;
use std::path::{Path, PathBuf};

/// Paths a screen must not name: the controller, the jobs, the store, the
/// devices and their simulation. (`ui/model.rs` re-exports the few plain
/// data types of platform and store that the screens show.)
const SCREEN_FORBIDDEN_PATHS: [&str; 8] = [
    "app",
    "jobs",
    "store",
    "platform",
    "nds_card",
    "sim",
    "capabilities",
    "keepsake_core",
];

/// Types a screen must not name: the console and its devices, and the
/// controller's own types. (`SdCard` is left out: it is also where a title
/// is installed, `TitleSource::SdCard`, which the screens show.)
const SCREEN_FORBIDDEN_NAMES: [&str; 6] = [
    "Console",
    "ConsoleModel",
    "Devices",
    "CardSlot",
    "SpiBus",
    "RunningJob",
];

/// Removes comments, string and character literals from Rust source,
/// keeping line breaks, so that only code is searched.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                if chars[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            // A raw string: r"...", r#"..."#.
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if chars[j] == '\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                } else if chars[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next == Some('\\') {
            // An escaped character literal: '\n', '\'', '\u{..}'.
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The identifiers of `code`, each with whether `::` follows it.
fn identifiers(code: &str) -> Vec<(&str, bool)> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let path = code[i..].trim_start().starts_with("::");
            found.push((&code[start..i], path));
        } else {
            i += 1;
        }
    }
    found
}

/// What `code` names that a screen must not, one entry per occurrence.
fn screen_violations(code: &str) -> Vec<String> {
    identifiers(code)
        .into_iter()
        .filter(|&(name, path)| {
            (path && SCREEN_FORBIDDEN_PATHS.contains(&name))
                || SCREEN_FORBIDDEN_NAMES.contains(&name)
        })
        .map(|(name, path)| {
            if path && SCREEN_FORBIDDEN_PATHS.contains(&name) {
                format!("{name}::")
            } else {
                name.to_owned()
            }
        })
        .collect()
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The `.rs` files under `dir`, sorted, with their text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).unwrap();
                files.push((path, text));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn screens_know_the_app_only_through_the_model() {
    let files = sources(&src().join("ui"));
    // The screens are many files; an empty or wrong directory proves nothing.
    assert!(files.len() >= 15, "only {} files in src/ui", files.len());
    let mut problems = Vec::new();
    for (path, text) in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let mut code = code_only(text);
        if name == "model.rs" {
            // The model hands out a few plain data types of platform and
            // store; it re-exports them and names them nowhere else.
            code = code
                .lines()
                .filter(|line| {
                    let line = line.trim_start();
                    !(line.starts_with("pub use crate::platform::")
                        || line.starts_with("pub use crate::store::"))
                })
                .collect::<Vec<_>>()
                .join("\n");
        }
        let mut found = screen_violations(&code);
        found.sort();
        found.dedup();
        if !found.is_empty() {
            problems.push(format!("src/ui/{name} names {}", found.join(", ")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn lower_layers_never_name_the_app_or_the_screens() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for layer in ["platform", "store", "jobs", "nds_card", "sim", "failure"] {
        for (path, text) in sources(&src().join(layer)) {
            let name = path.file_name().unwrap().to_str().unwrap();
            // Tests may drive a job through the app to check it end to end.
            if name == "tests.rs" || name.ends_with("_tests.rs") {
                continue;
            }
            checked += 1;
            let code = code_only(&text);
            let found: Vec<_> = identifiers(&code)
                .into_iter()
                .filter(|&(name, path)| path && (name == "app" || name == "ui"))
                .map(|(name, _)| format!("{name}::"))
                .collect();
            if !found.is_empty() {
                problems.push(format!("src/{layer}/{name} names {}", found.join(", ")));
            }
        }
    }
    assert!(checked >= 30, "only {checked} files checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_sees_code_and_ignores_words() {
    // Written out by hand: what a screen must not write, and what it may.
    let bad = "use crate::platform::Console;\nfn f(m: &mut ConsoleModel<C>) {}\n\
               use crate::{app::SystemEvents, ui};\nlet d: Devices = x;";
    assert_eq!(
        screen_violations(&code_only(bad)),
        ["platform::", "Console", "ConsoleModel", "app::", "Devices"]
    );
    let words = "// the Console's job: crate::store\n\
                 let s = \"Console, Devices and crate::app\";\n\
                 let r = r#\"store::x \"quoted\" Console\"#;\n\
                 let c = '\"'; let q = '\\''; fn g<'a>(x: &'a str) {}\n\
                 /* crate::jobs */ let t = theme::format_size(1);";
    assert_eq!(screen_violations(&code_only(words)), Vec::<String>::new());
    // Code after a literal is still read.
    assert_eq!(
        screen_violations(&code_only("let s = \"a\\\"b\"; Console::new()")),
        ["Console"]
    );
}

/// The parts of `src/app/` each part imports (`super::part`,
/// `crate::app::part`), tests left out.
fn app_imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut imports = std::collections::BTreeMap::new();
    for (path, text) in sources(&src().join("app")) {
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if name == "mod" || name.ends_with("tests") {
            continue;
        }
        let code = code_only(&text);
        let mut parts = std::collections::BTreeSet::new();
        for prefix in ["super::", "crate::app::"] {
            for (at, _) in code.match_indices(prefix) {
                let rest = &code[at + prefix.len()..];
                let part: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let is_module = rest[part.len()..].starts_with("::");
                if is_module && part != name && part != "super" {
                    parts.insert(part);
                }
            }
        }
        imports.insert(name, parts);
    }
    imports
}

#[test]
fn the_model_state_and_the_jobs_do_not_import_each_other() {
    let imports = app_imports();
    assert!(imports["jobs"].contains("console_model"), "{imports:?}");
    let mut mutual = Vec::new();
    for (a, uses) in &imports {
        for b in uses {
            if a < b && imports.get(b).is_some_and(|theirs| theirs.contains(a)) {
                mutual.push(format!("{a} <-> {b}"));
            }
        }
    }
    // What is still tangled (see app/mod.rs): the model's state loads these
    // parts' state, and they extend the model. None may be added; take one
    // out when it is untangled.
    assert_eq!(
        mutual,
        [
            "console_model <-> dsiware",
            "console_model <-> found",
            "console_model <-> gba",
            "console_model <-> system",
            "console_model <-> title_view",
        ]
    );
}
