//! Results on stdout, written so that a reader that stops early
//! (`keepsake nds info *.sav | head`) does not turn into a crash.
//!
//! `println!` panics when stdout is a closed pipe. Here the first failed
//! write stops all further output instead, and the command goes on with its
//! work, so an output being written is finished (or refused) exactly as it
//! would be with a reader to the end. A pipe closed by its reader is the
//! reader's choice and changes nothing else; any other failure (a full disk
//! under `> results.txt`) is reported when the command ends, with exit
//! code 1, since the results the user asked for were not all written.
//! The crate's `print!`/`println!` macros (in `main.rs`) come here.

use std::fmt;
use std::io::{self, Write};
use std::sync::Mutex;

/// What happened to stdout: still open, closed by its reader, or failed.
static STATE: Mutex<State> = Mutex::new(State::Open);

#[derive(Debug)]
enum State {
    Open,
    ReaderGone,
    Failed(io::Error),
}

/// Writes `args` (and a newline when asked) to stdout, unless an earlier
/// write failed.
pub fn write(args: fmt::Arguments<'_>, newline: bool) {
    let mut state = STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !matches!(*state, State::Open) {
        return;
    }
    let mut out = io::stdout().lock();
    let result = out
        .write_fmt(args)
        .and_then(|()| {
            if newline {
                out.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| if newline { Ok(()) } else { out.flush() });
    if let Err(error) = result {
        *state = if error.kind() == io::ErrorKind::BrokenPipe {
            State::ReaderGone
        } else {
            State::Failed(error)
        };
    }
}

/// Flushes stdout at the end of a command; the failure to report, if
/// writing the results failed for a reason other than a reader that
/// stopped.
pub fn finish() -> Option<io::Error> {
    let mut state = STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if matches!(*state, State::Open)
        && let Err(error) = io::stdout().lock().flush()
    {
        *state = if error.kind() == io::ErrorKind::BrokenPipe {
            State::ReaderGone
        } else {
            State::Failed(error)
        };
    }
    match std::mem::replace(&mut *state, State::ReaderGone) {
        State::Failed(error) => Some(error),
        _ => None,
    }
}
