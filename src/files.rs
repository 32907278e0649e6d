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
    let (temp, mut file) = TempOutput::create(output)?;
    file.write_all(bytes)?;
    temp.persist(file, output)
}

/// A new output being written under a temporary name in its destination's
/// folder (so that the rename is atomic). The temporary file is removed
/// unless [`TempOutput::persist`] renames it into place.
pub struct TempOutput {
    temp: PathBuf,
    persisted: bool,
}

impl TempOutput {
    /// Creates `.NAME.keepsake-PID.tmp` beside `output`, open for reading
    /// and writing.
    pub fn create(output: &Path) -> std::io::Result<(TempOutput, fs::File)> {
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
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)?;
        Ok((
            TempOutput {
                temp,
                persisted: false,
            },
            file,
        ))
    }

    /// Flushes `file` (this temporary file) to disk, then renames it over
    /// `output`: a crash leaves the old output or the whole new one.
    pub fn persist(self, file: fs::File, output: &Path) -> std::io::Result<()> {
        file.sync_all()?;
        drop(file);
        self.rename(output)
    }

    /// Renames this temporary file over `output`, for a caller that has
    /// flushed it to disk already.
    fn rename(mut self, output: &Path) -> std::io::Result<()> {
        fs::rename(&self.temp, output)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TempOutput {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Many outputs (an extraction) written atomically, made durable together:
/// every file is written whole under its temporary name first; then one
/// `syncfs` puts all of them (data and metadata) on disk at once; only then
/// is each renamed into place, and the folders holding the new names are
/// flushed. A crash before the end leaves each output absent (at most a
/// temporary file beside it) or complete; once [`SyncedBatch::finish`]
/// returns, every one is on disk under its own name.
///
/// One flush for the whole batch instead of one per file: a flush per file
/// writes the file system's shared metadata (allocation bitmaps, inode
/// table, the folder) once per file, and made this process do all the
/// writing back itself, which was a sixth of an extraction's CPU time.
/// `syncfs` writes back everything dirty on the output's file system, other
/// programs' data included, so it can wait on them; on systems without it
/// each file is flushed in turn at the end instead.
pub struct SyncedBatch {
    /// Written and closed, waiting for the flush: (temporary file, output).
    written: Vec<(TempOutput, PathBuf)>,
}

/// One output of a [`SyncedBatch`] being written under its temporary name.
pub struct Pending {
    temp: TempOutput,
    file: fs::File,
    output: PathBuf,
}

impl Pending {
    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.file
            .write_all(bytes)
            .failed(format!("cannot write {}", self.output.display()))
    }
}

impl SyncedBatch {
    pub fn new() -> SyncedBatch {
        SyncedBatch {
            written: Vec::new(),
        }
    }

    /// Writes `bytes` to a temporary file beside `output`, to be put in
    /// place by [`SyncedBatch::finish`]; refuses to overwrite any of
    /// `inputs`.
    pub fn write(&mut self, output: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<(), Failure> {
        let mut pending = Self::create(output, inputs)?;
        pending.write(bytes)?;
        self.add(pending);
        Ok(())
    }

    /// Starts `output` as a temporary file beside it, to be filled piece by
    /// piece and then given to [`SyncedBatch::add`]; refuses to overwrite
    /// any of `inputs`. Dropped instead, it is removed.
    pub fn create(output: &Path, inputs: &[&Path]) -> Result<Pending, Failure> {
        ensure_not_an_input(output, inputs)?;
        let (temp, file) =
            TempOutput::create(output).failed(format!("cannot write {}", output.display()))?;
        Ok(Pending {
            temp,
            file,
            output: output.to_path_buf(),
        })
    }

    /// Adds a file written through [`SyncedBatch::create`] to the batch
    /// (closing it: a batch of thousands of files holds no descriptors).
    pub fn add(&mut self, pending: Pending) {
        drop(pending.file);
        self.written.push((pending.temp, pending.output));
    }

    /// Flushes every file of the batch to disk, renames each into place and
    /// flushes the folders that received them. On a failure the files not
    /// yet renamed are removed, and the error names the output at stake.
    pub fn finish(mut self) -> Result<(), Failure> {
        let written = std::mem::take(&mut self.written);
        if written.is_empty() {
            return Ok(());
        }
        let cannot = |output: &Path, e: std::io::Error| {
            Failure::failed(
                anyhow::Error::new(e).context(format!("cannot write {}", output.display())),
            )
        };
        flush_all(&written).map_err(|(output, e)| cannot(output, e))?;
        let mut folders: Vec<PathBuf> = Vec::new();
        for (temp, output) in written {
            temp.rename(&output).map_err(|e| cannot(&output, e))?;
            let folder = parent_of(&output);
            if !folders.contains(&folder) {
                folders.push(folder);
            }
        }
        for folder in &folders {
            sync_folder(folder).map_err(|e| cannot(folder, e))?;
        }
        Ok(())
    }
}

/// The folder `output` is written into.
fn parent_of(output: &Path) -> PathBuf {
    match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Puts the data and metadata of every temporary file of `written` on disk:
/// one `syncfs` per file system they are on (one, unless a folder inside
/// the output is another file system's mount point). The error names the
/// output whose flush failed.
#[cfg(target_os = "linux")]
fn flush_all(written: &[(TempOutput, PathBuf)]) -> Result<(), (&Path, std::io::Error)> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let mut folders: Vec<&Path> = Vec::new();
    let mut devices: Vec<u64> = Vec::new();
    for (temp, output) in written {
        let folder = temp.temp.parent().unwrap_or(Path::new("."));
        if folders.contains(&folder) {
            continue;
        }
        folders.push(folder);
        let file = fs::File::open(&temp.temp).map_err(|e| (output.as_path(), e))?;
        let device = file.metadata().map_err(|e| (output.as_path(), e))?.dev();
        if devices.contains(&device) {
            continue;
        }
        devices.push(device);
        // SAFETY: `syncfs` only reads the descriptor, open for the call.
        if unsafe { libc::syncfs(file.as_raw_fd()) } != 0 {
            return Err((output.as_path(), std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn flush_all(written: &[(TempOutput, PathBuf)]) -> Result<(), (&Path, std::io::Error)> {
    for (temp, output) in written {
        let file = fs::OpenOptions::new()
            .write(true)
            .open(&temp.temp)
            .map_err(|e| (output.as_path(), e))?;
        file.sync_all().map_err(|e| (output.as_path(), e))?;
    }
    Ok(())
}

/// Puts a folder's entries (the renames into it) on disk. Windows cannot
/// open a folder as a file to flush it; its file systems journal renames.
#[cfg(unix)]
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    fs::File::open(folder)?.sync_all()
}

#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> std::io::Result<()> {
    Ok(())
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
    fn a_batch_puts_every_file_in_place_and_names_one_it_cannot() {
        let dir = tempfile::tempdir().unwrap();
        let mut batch = SyncedBatch::new();
        for i in 0..5u8 {
            let out = dir.path().join(format!("f{i}"));
            batch.write(&out, &[i; 3], &[]).unwrap();
        }
        batch.finish().unwrap();
        for i in 0..5u8 {
            assert_eq!(fs::read(dir.path().join(format!("f{i}"))).unwrap(), [i; 3]);
        }
        // Nothing but the five files: no temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 5);

        // A folder that is not empty cannot be renamed over: the failure
        // names it, and its temporary file is removed.
        let blocked = dir.path().join("blocked");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("inside"), b"x").unwrap();
        let mut batch = SyncedBatch::new();
        batch.write(&blocked, b"data", &[]).unwrap();
        let err = batch.finish().unwrap_err();
        assert!(err.to_string().contains("blocked"), "{err}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 6);
        // An input is refused before anything is written.
        let input = dir.path().join("f0");
        let mut batch = SyncedBatch::new();
        assert!(batch.write(&input, b"oops", &[&input]).is_err());
        batch.finish().unwrap();
        assert_eq!(fs::read(&input).unwrap(), [0; 3]);
    }

    #[test]
    fn a_batch_puts_nothing_in_place_before_its_flush_and_nothing_at_all_if_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let names = |dir: &Path| -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        let mut batch = SyncedBatch::new();
        let mut pending = SyncedBatch::create(&dir.path().join("a.bin"), &[]).unwrap();
        pending.write(b"first ").unwrap();
        pending.write(b"second").unwrap();
        batch.add(pending);
        batch.write(&dir.path().join("b.bin"), b"b", &[]).unwrap();
        // Written, not yet flushed: only the temporary names exist.
        let pid = std::process::id();
        assert_eq!(
            names(dir.path()),
            [
                format!(".a.bin.keepsake-{pid}.tmp"),
                format!(".b.bin.keepsake-{pid}.tmp")
            ]
        );
        batch.finish().unwrap();
        assert_eq!(names(dir.path()), ["a.bin", "b.bin"]);
        assert_eq!(fs::read(dir.path().join("a.bin")).unwrap(), b"first second");

        // A batch given up (an extraction that failed) removes its
        // temporary files and puts nothing in place.
        let mut batch = SyncedBatch::new();
        batch.write(&dir.path().join("c.bin"), b"c", &[]).unwrap();
        let pending = SyncedBatch::create(&dir.path().join("d.bin"), &[]).unwrap();
        drop(pending);
        drop(batch);
        assert_eq!(names(dir.path()), ["a.bin", "b.bin"]);
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
