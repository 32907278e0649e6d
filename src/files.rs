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
    pub fn persist(mut self, file: fs::File, output: &Path) -> std::io::Result<()> {
        file.sync_all()?;
        drop(file);
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

/// Many outputs (an extraction) written atomically without waiting for the
/// disk after each one: every file goes to its temporary name at once, and
/// two more threads flush each to disk and rename it into place while the
/// next ones are read and written. The waits for the disk, which dominated
/// an extraction when each file was flushed in turn, overlap with the work
/// (and two flushes at a time share the file system's journal commits);
/// every file is still either absent or complete and on disk once
/// [`SyncedBatch::finish`] returns.
pub struct SyncedBatch {
    queue: Option<std::sync::mpsc::Sender<Queued>>,
    workers: Vec<std::thread::JoinHandle<Result<(), (PathBuf, std::io::Error)>>>,
}

type Queued = (TempOutput, fs::File, PathBuf);

/// A batch left without `finish` (a command that stopped on an error) still
/// puts in place what was queued before the process ends, rather than leave
/// temporary files behind.
impl Drop for SyncedBatch {
    fn drop(&mut self) {
        drop(self.queue.take());
        for worker in std::mem::take(&mut self.workers) {
            let _ = worker.join();
        }
    }
}

impl SyncedBatch {
    const WORKERS: usize = 2;

    pub fn new() -> SyncedBatch {
        let (queue, files) = std::sync::mpsc::channel::<Queued>();
        let files = std::sync::Arc::new(std::sync::Mutex::new(files));
        let workers = (0..Self::WORKERS)
            .map(|_| {
                let files = std::sync::Arc::clone(&files);
                std::thread::spawn(move || {
                    let mut first_error = None;
                    loop {
                        // The lock is held only to take the next file.
                        let next = files
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .recv();
                        let Ok((temp, file, output)) = next else {
                            break;
                        };
                        // After a failure the rest are dropped, which
                        // removes them.
                        if first_error.is_none() {
                            if let Err(e) = temp.persist(file, &output) {
                                first_error = Some((output, e));
                            }
                        }
                    }
                    first_error.map_or(Ok(()), Err)
                })
            })
            .collect();
        SyncedBatch {
            queue: Some(queue),
            workers,
        }
    }

    /// Writes `bytes` to a temporary file beside `output` and queues it to
    /// be flushed and renamed; refuses to overwrite any of `inputs`.
    pub fn write(&self, output: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<(), Failure> {
        ensure_not_an_input(output, inputs)?;
        let what = || format!("cannot write {}", output.display());
        let (temp, mut file) = TempOutput::create(output).failed(what())?;
        file.write_all(bytes).failed(what())?;
        let queue = self.queue.as_ref().expect("the batch is open until finish");
        if queue.send((temp, file, output.to_path_buf())).is_err() {
            // The workers only end early by panicking; `finish` says so.
            return Err(Self::stopped());
        }
        Ok(())
    }

    fn stopped() -> Failure {
        Failure::failed(anyhow!(
            "the threads that flush extracted files to disk stopped"
        ))
    }

    /// Waits until every queued file is on disk under its own name.
    pub fn finish(mut self) -> Result<(), Failure> {
        drop(self.queue.take());
        let mut result = Ok(());
        for worker in std::mem::take(&mut self.workers) {
            let outcome = match worker.join() {
                Ok(Ok(())) => Ok(()),
                Ok(Err((output, e))) => Err(Failure::failed(
                    anyhow::Error::new(e).context(format!("cannot write {}", output.display())),
                )),
                Err(_) => Err(Self::stopped()),
            };
            if result.is_ok() {
                result = outcome;
            }
        }
        result
    }
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
        let batch = SyncedBatch::new();
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
        let batch = SyncedBatch::new();
        batch.write(&blocked, b"data", &[]).unwrap();
        let err = batch.finish().unwrap_err();
        assert!(err.to_string().contains("blocked"), "{err}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 6);
        // An input is refused before anything is written.
        let input = dir.path().join("f0");
        let batch = SyncedBatch::new();
        assert!(batch.write(&input, b"oops", &[&input]).is_err());
        batch.finish().unwrap();
        assert_eq!(fs::read(&input).unwrap(), [0; 3]);
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
