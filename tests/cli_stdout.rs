//! A reader that stops early (`keepsake nds info *.dsv | head`) or a stdout
//! that cannot be written: the command neither panics nor hides it.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use keepsake_testkit::fixtures;

/// `nds info` on the same real save many times: far more output than a
/// pipe holds (about 1.3 KiB per file), so writes go on after the reader
/// has gone.
fn many_copies_of_a_real_save() -> Option<Vec<String>> {
    let path = fixtures::path("nds/sonic-rush/usa.dsv")?;
    let path = path.to_str().expect("test paths are UTF-8").to_owned();
    Some(vec![path; 200])
}

#[test]
fn a_reader_that_stops_early_ends_the_output_not_the_command() {
    let Some(files) = many_copies_of_a_real_save() else {
        return;
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args(["nds", "info"])
        .args(&files)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running keepsake");
    // Read the first line, then close the pipe as `head -1` does.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(first.contains("usa.dsv"), "{first}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_stdout_that_cannot_be_written_is_an_error() {
    let Some(files) = many_copies_of_a_real_save() else {
        return;
    };
    let full = File::create("/dev/full").expect("Linux has /dev/full");
    let output = Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args(["nds", "info"])
        .args(&files[..1])
        .stdout(full)
        .output()
        .expect("running keepsake");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the results could not all be written to stdout: No space left on device"),
        "{stderr}"
    );
}
