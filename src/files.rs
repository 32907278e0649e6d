//! Reading inputs and writing outputs the safe way.
//!
//! Inputs are never overwritten: an output path that names one of the inputs
//! (even through a different spelling or a link) is refused. Outputs are
//! written to a temporary file in the same folder, flushed to disk, then
//! renamed over the destination, so a crash leaves either the old file or the
//! complete new one, never half of it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::anyhow;

use crate::failure::{FailWith, Failure};

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

/// Writes `bytes` to `output` atomically, refusing to overwrite any of `inputs`.
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
    fn a_missing_input_is_bad_input() {
        let err = read_input(Path::new("/nonexistent/keepsake/in.sav")).unwrap_err();
        assert_eq!(format!("{:?}", err).split(':').next(), Some("exit 2"));
    }
}
