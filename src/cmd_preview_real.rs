//! `keepsake preview` on real inputs: `--sd DIR`, `--nds-card CODE:CHIP[:IMAGE]`,
//! `--card-out FILE`, `--no-titles`. The console UI runs on a simulated
//! console whose SD card is a folder and whose cartridges hold real saves,
//! so a user rehearses on a PC what the console will do with their files.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::anyhow;
use clap::Args;
use keepsake_core::app::demo;
use keepsake_core::platform::SdCard;
use keepsake_core::platform::sd::join;
use keepsake_core::sim::{SimCard, SimNdsCard, nds_rom_header};
use keepsake_core::store::found_saves::{RomHeader, SdScan};
use keepsake_core::store::naming::CHECKPOINT_SAVES;

use crate::cmd_preview::write_snapshots;
use crate::failure::{FailWith, Failure};
use crate::files;
use crate::preview::card_spec::{self, CardSpec};
use crate::preview::dir_sd::DirSd;
use crate::preview::real::{RealWorld, Setup};
use crate::preview::{runner, script};
use keepsake_core::store::Theme;

/// Bytes of a ROM read for its header.
const ROM_HEADER_LEN: usize = 0x200;

/// The name of the PNGs of a run on real inputs.
const RUN_NAME: &str = "sd";

#[derive(Args, Debug, Default)]
pub struct RealArgs {
    /// The simulated console's SD card is this folder: the app reads and
    /// writes there (point it at a copy of your card).
    #[arg(long, value_name = "DIR")]
    sd: Option<PathBuf>,
    /// An NDS cartridge: game code, save chip (8K, 512K, eeprom8k,
    /// flash512k...) and the save it holds (blank if omitted). Its header is
    /// that of a ROM of the game code on --sd, else synthesized. Repeatable:
    /// `event card-out` / `event card-in` swap them in order.
    #[arg(long = "nds-card", value_name = "CODE:CHIP[:IMAGE]")]
    nds_cards: Vec<CardSpec>,
    /// Write the cartridge chip's contents here when the run ends.
    #[arg(long, value_name = "FILE")]
    card_out: Option<PathBuf>,
    /// Replace the --card-out file if it exists.
    #[arg(long)]
    force: bool,
    /// No installed SD titles (by default a few sample titles are installed).
    #[arg(long)]
    no_titles: bool,
}

impl RealArgs {
    /// Whether any real input was given.
    pub fn any(&self) -> bool {
        self.sd.is_some() || !self.nds_cards.is_empty() || self.card_out.is_some() || self.no_titles
    }
}

/// The headers of the DS ROMs on the SD card folder, as the console's
/// "Find saves on the SD card" finds them.
fn rom_headers(sd: &mut DirSd) -> Vec<Vec<u8>> {
    let mut scan = SdScan::new();
    while !scan.step(sd) {}
    let mut headers = Vec::new();
    for folder in scan.rom_folders() {
        for entry in sd.list(folder).unwrap_or_default() {
            if !entry.is_dir && entry.name.to_ascii_lowercase().ends_with(".nds") {
                let path = join(folder, &entry.name);
                if let Ok(header) = sd.read_prefix(&path, ROM_HEADER_LEN) {
                    if RomHeader::parse(&path, &header).is_some() {
                        headers.push(header);
                    }
                }
            }
        }
    }
    headers
}

/// The title Checkpoint's backup folder of `game_code` gives the game
/// (`ASNE SONICRUSH` -> `SONICRUSH`), when there is one on the SD card.
fn title_of_backups(sd: &mut DirSd, game_code: &str) -> Option<String> {
    let prefix = format!("{game_code} ");
    sd.list(CHECKPOINT_SAVES)
        .ok()?
        .into_iter()
        .filter(|e| e.is_dir)
        .find_map(|e| e.name.strip_prefix(&prefix).map(str::to_owned))
        .filter(|title| !title.is_empty() && title.len() <= 12 && title.is_ascii())
}

/// The cartridge for `spec`: the header of the first ROM of its game code
/// on the SD card (the cartridge the ROM was dumped from), else one
/// synthesized with the title of its Checkpoint backup folder or the game
/// code as the title; a sample banner; its chip holding the image.
fn cartridge(
    spec: &CardSpec,
    roms: &[Vec<u8>],
    sd: Option<&mut DirSd>,
) -> Result<SimCard, Failure> {
    let bytes = match &spec.image {
        Some(path) => Some(
            files::read_input(path)
                .map_err(|e| Failure::input(anyhow!("--nds-card {}: {e}", spec.game_code)))?,
        ),
        None => None,
    };
    let image = card_spec::chip_image(spec, bytes.as_deref()).map_err(|e| {
        let path = spec.image.as_deref().unwrap_or(Path::new(""));
        Failure::input(anyhow!(
            "--nds-card {}: {}: {e}",
            spec.game_code,
            path.display()
        ))
    })?;
    Ok(SimCard::Nds(SimNdsCard {
        header: roms
            .iter()
            .find(|h| h[0x0C..0x10] == *spec.game_code.as_bytes())
            .cloned()
            .unwrap_or_else(|| {
                let title = sd
                    .and_then(|sd| title_of_backups(sd, &spec.game_code))
                    .unwrap_or_else(|| spec.game_code.clone());
                nds_rom_header(&title, &spec.game_code)
            }),
        banner: demo::sample_banner(200),
        chip: card_spec::sim_chip(spec.chip, &image),
        infrared: spec.game_code.starts_with('I'),
    }))
}

pub fn run(
    args: &RealArgs,
    out: &Path,
    script_path: Option<&Path>,
    frames: &[u64],
    theme: Option<Theme>,
) -> Result<(), Failure> {
    let mut sd = match &args.sd {
        Some(dir) => Some(DirSd::new(dir).map_err(|e| {
            Failure::input(anyhow!(
                "--sd {}: {e}; give an existing folder",
                dir.display()
            ))
        })?),
        None => None,
    };
    if let Some(card_out) = &args.card_out {
        if args.nds_cards.is_empty() {
            return Err(Failure::input(anyhow!(
                "--card-out needs a cartridge: add --nds-card CODE:CHIP[:IMAGE]"
            )));
        }
        if card_out.exists() && !args.force {
            return Err(Failure::input(anyhow!(
                "--card-out {}: the file exists; pass --force to replace it",
                card_out.display()
            )));
        }
    }
    let roms = match (&mut sd, args.nds_cards.is_empty()) {
        (Some(sd), false) => rom_headers(sd),
        _ => Vec::new(),
    };
    let cards = args
        .nds_cards
        .iter()
        .map(|spec| cartridge(spec, &roms, sd.as_mut()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut steps = match script_path {
        Some(path) => {
            let text = files::read_input(path)?;
            let text = String::from_utf8(text)
                .bad_input(format!("{} is not UTF-8 text", path.display()))?;
            script::parse(&text).bad_input(format!("in the script {}", path.display()))?
        }
        None => script::parse("snap start").expect("a one-line script parses"),
    };
    if let Some(theme) = theme {
        steps.insert(0, script::Step::Theme(theme, 0));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut world = RealWorld::new(Setup {
        sd,
        cards,
        titles: !args.no_titles,
        now,
    });
    std::fs::create_dir_all(out).failed(format!("cannot create {}", out.display()))?;
    let run = runner::run(&mut world, &steps, frames)
        .map_err(|e| Failure::input(anyhow!("the script: {e}")))?;
    let mut inputs: Vec<&Path> = script_path.into_iter().collect();
    inputs.extend(args.nds_cards.iter().filter_map(|c| c.image.as_deref()));
    let written = write_snapshots(RUN_NAME, &run, out, &inputs)?;
    if let Some(frame) = run.exited_at {
        eprintln!("the UI exited at frame {frame}; the rest of the script was not run");
    }
    if let Some(card_out) = &args.card_out {
        let contents = world
            .chip_contents()
            .ok_or_else(|| Failure::failed(anyhow!("no NDS cartridge was left to read")))?;
        files::write_output(card_out, &contents, &inputs)?;
        println!(
            "wrote the chip's {} bytes to {}",
            contents.len(),
            card_out.display()
        );
    }
    println!("wrote {written} PNGs to {}", out.display());
    Ok(())
}
