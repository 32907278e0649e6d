//! Reading inputs and writing outputs the safe way.
//!
//! Inputs are never overwritten: an output path that names one of the inputs
//! (even through a different spelling or a link) is refused, `--force` or
//! not. An output that exists is refused too (exit code 2) unless the user
//! passed `--force`, the one flag every writing command uses for it; a
//! folder to extract into must be empty or new likewise. Outputs are
//! written to a temporary file in the same folder, flushed to disk, then
//! renamed over the destination, so a crash leaves either the old file or the
//! complete new one, never half of it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Args;

use crate::failure::{FailWith, Failure};

/// `--force`, flattened into every command that writes.
#[derive(Args, Clone, Copy, Debug, Default)]
pub struct Force {
    /// Replace the output if it exists (an input is never replaced).
    #[arg(long)]
    pub force: bool,
}

impl Force {
    /// Refuses `output` when it exists and `--force` was not given, or when
    /// it is one of `inputs`. Commands call this before any work, so that a
    /// refusal comes at once.
    pub fn check(self, output: &Path, inputs: &[&Path]) -> Result<(), Failure> {
        ensure_not_an_input(output, inputs)?;
        if !self.force && fs::symlink_metadata(output).is_ok() {
            return Err(Failure::input(anyhow!(
                "{} already exists; pass --force to replace it",
                output.display()
            )));
        }
        Ok(())
    }

    /// Refuses to write files into `dir` (an extraction, the demo) when it
    /// holds anything and `--force` was not given.
    pub fn check_dir(self, dir: &Path) -> Result<(), Failure> {
        if self.force {
            return Ok(());
        }
        match fs::read_dir(dir).map(|mut entries| entries.next().is_some()) {
            Ok(true) => Err(Failure::input(anyhow!(
                "{} is not empty; pass --force to write into it anyway (files of the same name are replaced)",
                dir.display()
            ))),
            Ok(false) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(Failure::input(
                anyhow!("{} exists and is not a folder", dir.display()),
            )),
            Err(e) => Err(Failure::input(
                anyhow::Error::new(e).context(format!("cannot list {}", dir.display())),
            )),
        }
    }

    /// Writes `bytes` to `output` atomically, after the checks of
    /// [`Force::check`] (made again, since time has passed).
    pub fn write(self, output: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<(), Failure> {
        self.check(output, inputs)?;
        write_output(output, bytes, inputs)
    }
}

/// Reads a whole input file; a missing or unreadable input is bad input.
pub fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    fs::read(path).bad_input(format!("cannot read {}", path.display()))
}

/// Refuses `output` when it is the same file as any of `inputs`.
pub fn ensure_not_an_input(output: &Path, inputs: &[&Path]) -> Result<(), Failure> {
    let Ok(out) = fs::canonicalize(output) else {
        // The output does not exist yet, so it cannot be an input.
        return Ok(());
    };
    for input in inputs {
        if fs::canonicalize(input).is_ok_and(|i| i == out) {
            return Err(Failure::input(anyhow!(
                "refusing to write {}: it is an input of this command; choose another output path",
                output.display()
            )));
        }
    }
    Ok(())
}

/// Writes `bytes` to `output` atomically, refusing to overwrite any of
/// `inputs`; an existing `output` is replaced (see [`Force::write`] for the
/// checked way).
pub fn write_output(output: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<(), Failure> {
    ensure_not_an_input(output, inputs)?;
    write_atomically(output, bytes).failed(format!("cannot write {}", output.display()))
}

fn write_atomically(output: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = output
        .file_name()
        .ok_or_else(|| std::io::Error::other("the output path names no file"))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".keepsake-{}.tmp", std::process::id()));
    let temp = dir.join(temp_name);
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, output)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_new_file_and_replaces_an_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.sav");
        write_output(&out, b"first", &[]).unwrap();
        write_output(&out, b"second", &[]).unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"second");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_to_overwrite_an_input_even_through_another_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.sav");
        fs::write(&input, b"precious").unwrap();
        let other_spelling = dir.path().join(".").join("in.sav");
        let err = write_output(&other_spelling, b"oops", &[&input]).unwrap_err();
        assert!(err.to_string().contains("it is an input"), "{err}");
        assert_eq!(fs::read(&input).unwrap(), b"precious");
    }

    #[test]
    fn an_existing_output_is_refused_without_force_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.sav");
        fs::write(&out, b"old").unwrap();
        let err = Force { force: false }.write(&out, b"new", &[]).unwrap_err();
        assert_eq!(format!("{err:?}").split(':').next(), Some("exit 2"));
        assert!(err.to_string().contains("pass --force"), "{err}");
        assert_eq!(fs::read(&out).unwrap(), b"old");
        Force { force: true }.write(&out, b"new", &[]).unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"new");
        // A folder with anything in it is refused; an empty or new one is not.
        assert!(Force { force: false }.check_dir(dir.path()).is_err());
        assert!(Force { force: true }.check_dir(dir.path()).is_ok());
        assert!(
            Force { force: false }
                .check_dir(&dir.path().join("new"))
                .is_ok()
        );
    }

    #[test]
    fn a_missing_input_is_bad_input() {
        let err = read_input(Path::new("/nonexistent/keepsake/in.sav")).unwrap_err();
        assert_eq!(format!("{:?}", err).split(':').next(), Some("exit 2"));
    }
}
