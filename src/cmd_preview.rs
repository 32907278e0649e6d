//! `keepsake preview`: runs the console UI on the simulated console with a
//! scripted scenario and writes PNGs of both screens.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Args;
use keepsake_core::store::Theme;
use keepsake_core::ui::Screen;

use crate::cmd_preview_real::{self, RealArgs};
use crate::failure::{FailWith, Failure};
use crate::files;
use crate::preview::scenarios::{self, Scenario};
use crate::preview::{png, raster, runner, script};

#[derive(Args)]
#[command(after_help = "\
Examples:
  keepsake preview                                  all built-in scenarios into preview-out/
  keepsake preview --scenario backup-nds --out shots
  keepsake preview --list                           name and describe the scenarios
  keepsake preview --scenario browse --script my.txt --frame 3
                                                    run your own inputs on a scenario's console
  keepsake preview --theme light                    every scenario in the light theme
  keepsake preview --sd sd-copy --nds-card ASNE:8K:cart.sav --card-out after.sav --script my.txt
                                                    rehearse on a copy of your SD card and a cartridge

Script lines: press A | press L+A | hold B 40 | touch 160 120 | wait 10 |
event NAME | type TEXT (typed when the keyboard next opens) | theme dark|light |
snap NAME | snap-keyboard NAME (the keyboard as it last showed) ('#' starts a
comment).
See `--list` for each scenario's events. A --frame past the run's end is an
error.")]
pub struct PreviewArgs {
    /// Folder for the PNGs (created if missing).
    #[arg(long, default_value = "preview-out")]
    out: PathBuf,
    /// Scenario to run (repeatable); all built-in ones when omitted.
    #[arg(long = "scenario", value_name = "NAME")]
    scenarios: Vec<String>,
    /// A script of inputs to run instead of the scenario's own (needs exactly one --scenario).
    #[arg(long, value_name = "FILE")]
    script: Option<PathBuf>,
    /// Also write this frame number (repeatable; frames count from 1).
    #[arg(long = "frame", value_name = "N")]
    frames: Vec<u64>,
    /// List the built-in scenarios and exit.
    #[arg(long)]
    list: bool,
    /// Run in this theme (dark or light), set as the settings screen saves
    /// it before the first frame (with --sd, into that folder's config.json).
    #[arg(long, value_name = "THEME", value_parser = script::parse_theme)]
    theme: Option<Theme>,
    #[command(flatten)]
    real: RealArgs,
}

pub fn run(args: PreviewArgs) -> Result<(), Failure> {
    if args.real.any() {
        if !args.scenarios.is_empty() || args.list {
            return Err(Failure::input(anyhow!(
                "--sd, --nds-card, --card-out and --no-titles build their own console: leave out --scenario and --list"
            )));
        }
        return cmd_preview_real::run(
            &args.real,
            &args.out,
            args.script.as_deref(),
            &args.frames,
            args.theme,
        );
    }
    let all = scenarios::all();
    if args.list {
        for scenario in &all {
            println!("{:<18} {}", scenario.name, scenario.about);
            if !scenario.events.is_empty() {
                println!("{:<18} events: {}", "", scenario.events.join(", "));
            }
        }
        return Ok(());
    }
    let chosen: Vec<&Scenario> = if args.scenarios.is_empty() {
        all.iter().collect()
    } else {
        args.scenarios
            .iter()
            .map(|name| {
                all.iter().find(|s| s.name == name).ok_or_else(|| {
                    let names: Vec<&str> = all.iter().map(|s| s.name).collect();
                    Failure::input(anyhow!(
                        "there is no scenario \"{name}\"; the scenarios are: {}",
                        names.join(", ")
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    let custom = match &args.script {
        Some(path) => {
            if chosen.len() != 1 {
                return Err(Failure::input(anyhow!(
                    "--script runs on one scenario's console: add --scenario NAME"
                )));
            }
            let text = files::read_input(path)?;
            let text = String::from_utf8(text)
                .bad_input(format!("{} is not UTF-8 text", path.display()))?;
            Some(script::parse(&text).bad_input(format!("in the script {}", path.display()))?)
        }
        None => None,
    };
    std::fs::create_dir_all(&args.out).failed(format!("cannot create {}", args.out.display()))?;

    let inputs: Vec<&Path> = args.script.iter().map(PathBuf::as_path).collect();
    let mut written = 0;
    for scenario in chosen {
        let mut steps = match &custom {
            Some(steps) => steps.clone(),
            None => script::parse(scenario.script).expect("built-in scripts parse"),
        };
        if let Some(theme) = args.theme {
            steps.insert(0, script::Step::Theme(theme, 0));
        }
        let mut world = (scenario.build)();
        let run = runner::run(world.as_mut(), &steps, &args.frames)
            .map_err(|e| Failure::input(anyhow!("scenario {}: {e}", scenario.name)))?;
        if run.snapshots.is_empty() {
            eprintln!(
                "{}: {} frames ran, none was chosen (add snap lines or --frame N)",
                scenario.name, run.frames
            );
        }
        written += write_snapshots(scenario.name, &run, &args.out, &inputs)?;
        if let Some(frame) = run.exited_at {
            eprintln!(
                "{}: the UI exited at frame {frame}; the rest of the script was not run",
                scenario.name
            );
        }
    }
    println!("wrote {written} PNGs to {}", args.out.display());
    Ok(())
}

/// Writes both screens of every snapshot of `run` as `<name>-NN-<snap>-top.png`
/// and `-bottom.png`; returns how many files were written.
pub(crate) fn write_snapshots(
    name: &str,
    run: &runner::Run,
    out: &Path,
    inputs: &[&Path],
) -> Result<usize, Failure> {
    let mut written = 0;
    for (index, snapshot) in run.snapshots.iter().enumerate() {
        for (screen, label) in [(Screen::Top, "top"), (Screen::Bottom, "bottom")] {
            let canvas = raster::render(&snapshot.frame, screen);
            let bytes = png::encode(&canvas).failed("encoding a PNG")?;
            let file = format!("{name}-{:02}-{}-{label}.png", index + 1, snapshot.name);
            files::write_output(&out.join(file), &bytes, inputs)?;
            written += 1;
        }
        println!(
            "{} {:02} {} (frame {})",
            name,
            index + 1,
            snapshot.name,
            snapshot.number
        );
    }
    Ok(written)
}
