//! `keepsake preview` end to end: arguments, scripts, exit codes, files.

use std::fs;
use std::process::{Command, Output};

fn keepsake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn help_shows_examples_and_the_script_language() {
    let output = keepsake(&["preview", "--help"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("keepsake preview --scenario backup-nds --out shots"),
        "{text}"
    );
    assert!(text.contains("hold B 40"), "{text}");
}

#[test]
fn list_names_every_built_in_scenario() {
    let output = keepsake(&["preview", "--list"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    for name in [
        "browse",
        "backup-nds",
        "restore-flashcart",
        "restore-error",
        "many-titles",
    ] {
        assert!(text.contains(name), "{name} missing from {text}");
    }
    assert!(text.contains("events: card-out, card-in"));
}

#[test]
fn one_scenario_writes_a_top_and_a_bottom_png_per_snap() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shots");
    let output = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 12, "{names:?}");
    assert_eq!(names[0], "browse-01-titles-bottom.png");
    assert_eq!(names[1], "browse-01-titles-top.png");
    assert!(
        fs::read(out.join(&names[0]))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("wrote 12 PNGs"));
}

#[test]
fn a_script_of_my_own_runs_on_a_scenario_console_with_extra_frames() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("steps.txt");
    fs::write(
        &script,
        "# open the cartridge\npress A\nsnap opened\nevent card-out\nwait 2\nsnap gone\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--script",
        script.to_str().unwrap(),
        "--frame",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("browse 01 frame-1 (frame 1)"), "{stdout}");
    assert!(stdout.contains("browse 02 opened (frame 3)"), "{stdout}");
    assert!(stdout.contains("browse 03 gone (frame 5)"), "{stdout}");
    assert!(out.join("browse-03-gone-top.png").exists());
}

#[test]
fn mistakes_exit_2_and_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();

    let unknown = keepsake(&["preview", "--scenario", "nope", "--out", out]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("the scenarios are: browse, backup-nds"),
        "{}",
        stderr(&unknown)
    );

    let script = dir.path().join("bad.txt");
    fs::write(&script, "wait 1\npress Q\n").unwrap();
    let script = script.to_str().unwrap();
    let lone = keepsake(&["preview", "--script", script, "--out", out]);
    assert_eq!(lone.status.code(), Some(2));
    assert!(
        stderr(&lone).contains("add --scenario NAME"),
        "{}",
        stderr(&lone)
    );

    let bad = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--script",
        script,
        "--out",
        out,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("line 2"), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("unknown button \"Q\""),
        "{}",
        stderr(&bad)
    );

    let missing = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--script",
        "/nonexistent/s.txt",
        "--out",
        out,
    ]);
    assert_eq!(missing.status.code(), Some(2));

    fs::write(dir.path().join("event.txt"), "event explode\n").unwrap();
    let event = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--script",
        dir.path().join("event.txt").to_str().unwrap(),
        "--out",
        out,
    ]);
    assert_eq!(event.status.code(), Some(2));
    assert!(
        stderr(&event).contains("its events are card-out, card-in"),
        "{}",
        stderr(&event)
    );
}

/// Issue 14, item 10: a script types a name and snaps the keyboard; a frame
/// past the run and a failing event are errors that say where.
#[test]
fn scripts_type_snap_the_keyboard_and_say_where_they_went_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let script = dir.path().join("name.txt");
    fs::write(
        &script,
        "press L+A\nwait 40\npress A\npress A\ntype my name\npress Y\nsnap-keyboard naming\nwait 40\nsnap done\n",
    )
    .unwrap();
    let run = |extra: &[&str], script: &std::path::Path| {
        let mut args = vec![
            "preview",
            "--scenario",
            "backup-nds",
            "--script",
            script.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        keepsake(&args)
    };
    let named = run(&[], &script);
    assert!(named.status.success(), "{}", stderr(&named));
    let stdout = String::from_utf8_lossy(&named.stdout);
    assert!(stdout.contains("backup-nds 01 naming"), "{stdout}");
    assert!(out.join("backup-nds-01-naming-bottom.png").exists());
    assert!(out.join("backup-nds-02-done-top.png").exists());

    let late = run(&["--frame", "100000"], &script);
    assert_eq!(late.status.code(), Some(2));
    assert!(
        stderr(&late).contains("--frame 100000: the run has only"),
        "{}",
        stderr(&late)
    );

    let early = dir.path().join("early.txt");
    fs::write(&early, "wait 1\nsnap-keyboard naming\n").unwrap();
    let early = run(&[], &early);
    assert_eq!(early.status.code(), Some(2));
    assert!(
        stderr(&early).contains("line 2: snap-keyboard naming: the keyboard has not opened"),
        "{}",
        stderr(&early)
    );

    let event = dir.path().join("event.txt");
    fs::write(&event, "wait 1\n\nevent explode\n").unwrap();
    let event = run(&[], &event);
    assert_eq!(event.status.code(), Some(2));
    assert!(
        stderr(&event).contains("line 3: event explode"),
        "{}",
        stderr(&event)
    );
}

#[test]
fn an_output_folder_that_cannot_be_made_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, b"x").unwrap();
    let output = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot create"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read(&file).unwrap(), b"x");
}
