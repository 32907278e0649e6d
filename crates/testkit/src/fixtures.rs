//! Locating the real sample files in `../shared/fixtures`.
//!
//! The fixtures are never copied into the repository. Tests ask for them by
//! their path relative to the fixtures root. A test cannot pass without
//! what it checks, so a missing fixture fails the test, with a message that
//! says where it was looked for and how to point at it. Only when the user
//! says so (`KEEPSAKE_ALLOW_MISSING_FIXTURES=1`) does the test skip instead,
//! and then it writes a `SKIPPED` line straight to the terminal, past the
//! test harness's output capture, so the skip shows in `cargo test`'s
//! normal output with a running count. `KEEPSAKE_REQUIRE_FIXTURES` (set by
//! `.ci/run` and `make test`) overrides the allowance.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Overrides the fixtures root.
pub const ROOT_ENV: &str = "KEEPSAKE_FIXTURES";
/// When set (to anything but `0`), a missing fixture is always a test failure.
pub const REQUIRE_ENV: &str = "KEEPSAKE_REQUIRE_FIXTURES";
/// When set (to anything but `0`) and fixtures are not required, a test
/// whose fixture is missing is skipped, visibly, instead of failing.
pub const ALLOW_MISSING_ENV: &str = "KEEPSAKE_ALLOW_MISSING_FIXTURES";

/// Tests skipped in this test binary for a missing fixture.
static SKIPPED: AtomicUsize = AtomicUsize::new(0);

/// The fixtures root: `$KEEPSAKE_FIXTURES`, or `shared/fixtures` beside the
/// repository.
pub fn root() -> PathBuf {
    match std::env::var_os(ROOT_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

fn flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

/// What happens to a test whose fixture is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The test fails (the default, and always under `KEEPSAKE_REQUIRE_FIXTURES`).
    Fail,
    /// The test is skipped, and says so on the terminal.
    Skip,
}

/// The policy the environment asks for.
pub fn missing_policy() -> Missing {
    if flag(ALLOW_MISSING_ENV) && !flag(REQUIRE_ENV) {
        Missing::Skip
    } else {
        Missing::Fail
    }
}

/// How many tests of this test binary were skipped for a missing fixture.
pub fn skipped() -> usize {
    SKIPPED.load(Ordering::Relaxed)
}

/// The line a skip writes, and the message a failure panics with.
fn missing_message(full: &Path, policy: Missing) -> String {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    match policy {
        Missing::Fail => format!(
            "{test} needs the fixture {}, which is missing. Set {ROOT_ENV} to the shared \
             fixtures folder, or {ALLOW_MISSING_ENV}=1 to skip the tests that need it",
            full.display()
        ),
        Missing::Skip => {
            let n = SKIPPED.fetch_add(1, Ordering::Relaxed) + 1;
            format!(
                "SKIPPED {test}: fixture {} is missing ({n} skipped in this test binary so \
                 far; {ALLOW_MISSING_ENV} is set)",
                full.display()
            )
        }
    }
}

/// The path of a fixture, or `None` when it is missing and skipping is
/// allowed (after saying so on the terminal).
///
/// # Panics
/// When the fixture is missing and skipping is not allowed.
pub fn path(relative: &str) -> Option<PathBuf> {
    let full = root().join(relative);
    if full.exists() {
        return Some(full);
    }
    let policy = missing_policy();
    let message = missing_message(&full, policy);
    assert!(policy == Missing::Skip, "{message}");
    // Straight to the terminal: the harness captures `eprintln!` of passing
    // tests, and a skip must not pass unseen.
    let _ = writeln!(std::io::stderr().lock(), "{message}");
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
/// missing and skipping is allowed (see [`path`]).
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
    fn a_missing_fixture_fails_with_where_it_was_looked_for() {
        if missing_policy() == Missing::Skip {
            return;
        }
        let result = std::panic::catch_unwind(|| path("no/such/fixture.bin"));
        let message = *result.unwrap_err().downcast::<String>().unwrap();
        assert!(message.contains("no/such/fixture.bin"), "{message}");
        assert!(message.contains(ALLOW_MISSING_ENV), "{message}");
        assert!(
            message.contains("a_missing_fixture_fails_with_where_it_was_looked_for"),
            "{message}"
        );
    }

    #[test]
    fn the_fixtures_readme_is_found() {
        let Some(readme) = read("README.md") else {
            return;
        };
        assert!(String::from_utf8_lossy(&readme).contains("Real sample files"));
    }
}
