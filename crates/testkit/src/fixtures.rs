//! Locating the real sample files in `../shared/fixtures`.
//!
//! The fixtures are never copied into the repository. Tests ask for them by
//! their path relative to the fixtures root; where they are missing the test
//! says so and skips, unless `KEEPSAKE_REQUIRE_FIXTURES` is set (as `.ci/run`
//! does), in which case a missing fixture fails the test.

use std::path::{Path, PathBuf};

/// Overrides the fixtures root.
pub const ROOT_ENV: &str = "KEEPSAKE_FIXTURES";
/// When set (to anything but `0`), a missing fixture is a test failure.
pub const REQUIRE_ENV: &str = "KEEPSAKE_REQUIRE_FIXTURES";

/// The fixtures root: `$KEEPSAKE_FIXTURES`, or `shared/fixtures` beside the
/// repository.
pub fn root() -> PathBuf {
    match std::env::var_os(ROOT_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

fn required() -> bool {
    std::env::var_os(REQUIRE_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The path of a fixture, or `None` (after saying so on stderr) when it is
/// missing and fixtures are not required.
///
/// # Panics
/// When the fixture is missing and `KEEPSAKE_REQUIRE_FIXTURES` is set.
pub fn path(relative: &str) -> Option<PathBuf> {
    let full = root().join(relative);
    if full.exists() {
        return Some(full);
    }
    assert!(
        !required(),
        "fixture {} is missing and {REQUIRE_ENV} is set; set {ROOT_ENV} to the fixtures folder",
        full.display()
    );
    eprintln!(
        "skipping: fixture {} not found (set {ROOT_ENV} to the fixtures folder)",
        full.display()
    );
    None
}

/// The bytes of a fixture, or `None` when it is missing (see [`path`]).
pub fn read(relative: &str) -> Option<Vec<u8>> {
    let p = path(relative)?;
    Some(std::fs::read(&p).unwrap_or_else(|e| panic!("reading fixture {}: {e}", p.display())))
}

/// The files of a fixture folder, sorted by name, or `None` when the folder
/// is missing (see [`path`]).
pub fn files_in(relative_dir: &str) -> Option<Vec<PathBuf>> {
    let dir = path(relative_dir)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("listing fixtures in {}: {e}", dir.display()))
        .map(|entry| entry.expect("fixture folder entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Some(files)
}

/// Evaluates to a fixture's bytes, or returns from the calling test when it is
/// missing and fixtures are not required.
#[macro_export]
macro_rules! fixture_or_skip {
    ($relative:expr) => {
        match $crate::fixtures::read($relative) {
            Some(bytes) => bytes,
            None => return,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_root_is_shared_fixtures_beside_the_repository() {
        if std::env::var_os(ROOT_ENV).is_none() {
            assert!(root().ends_with("shared/fixtures"));
        }
    }

    #[test]
    fn the_fixtures_readme_is_found() {
        let Some(readme) = read("README.md") else {
            return;
        };
        assert!(String::from_utf8_lossy(&readme).contains("Real sample files"));
    }
}
