//! How the PC tool fails.
//!
//! Exit code 2 means the input or the command line was wrong: the user has to
//! pass something else (a missing file, a truncated save, a size that would
//! lose data). Exit code 1 means the work itself failed on good input (a disk
//! that is full, an output that cannot be written). clap's own usage errors
//! also exit with 2.

use std::fmt;
use std::process::ExitCode;

/// An error on its way out of `main`, with the exit code it maps to.
pub struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl Failure {
    /// The input or the command line was wrong (exit code 2).
    pub fn input(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: 2,
            error: error.into(),
        }
    }

    /// The work failed on good input (exit code 1).
    pub fn failed(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: 1,
            error: error.into(),
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:#}` prints the whole context chain on one line: "reading x: ...".
        write!(f, "{:#}", self.error)
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {}: {:#}", self.code, self.error)
    }
}

/// Turns any error into a [`Failure`] with a message saying what was being
/// done.
pub trait FailWith<T> {
    /// The input was bad: exit code 2.
    fn bad_input(self, context: impl fmt::Display) -> Result<T, Failure>;
    /// The work failed: exit code 1.
    fn failed(self, context: impl fmt::Display) -> Result<T, Failure>;
}

impl<T, E> FailWith<T> for Result<T, E>
where
    E: Into<anyhow::Error>,
{
    fn bad_input(self, context: impl fmt::Display) -> Result<T, Failure> {
        self.map_err(|e| Failure::input(e.into().context(context.to_string())))
    }

    fn failed(self, context: impl fmt::Display) -> Result<T, Failure> {
        self.map_err(|e| Failure::failed(e.into().context(context.to_string())))
    }
}

/// `n` and the noun that agrees with it: "1 file", "2 files", "0 files".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nouns_agree_with_their_count() {
        assert_eq!(plural(0, "entry", "entries"), "0 entries");
        assert_eq!(plural(1, "entry", "entries"), "1 entry");
        assert_eq!(plural(2, "partition", "partitions"), "2 partitions");
    }
}
