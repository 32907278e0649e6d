//! `keepsake nds`: NDS saves on the PC — what a save file is, and converting
//! it to a cartridge's size or an emulator's container without losing data.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::anyhow;
use clap::{Args, Subcommand, ValueEnum};
use keepsake_format::nds::{
    self, AutoSize, ChipKind, Container, ConvertError, Fit, OutputFormat, SaveFile, SizeAnalysis,
    StatedSize, format_size,
};
use serde::Serialize;

use crate::failure::{FailWith, Failure, plural};
use crate::files::{Force, read_input};
use crate::hint::{self, Family, Kind};

const NDS_EXAMPLES: &str = "\
Examples:
  keepsake nds info game.sav                    what the file is and which chips it fits
  keepsake nds info saves/*.dsv --json          the same for scripts
  keepsake nds convert flashcart.sav -o cart.sav
                                                512 KiB flashcart save -> the game's real chip size
  keepsake nds convert game.sav -o game.dsv --to dsv
                                                a raw save for DeSmuME
  keepsake nds demo                             try it on a save it makes itself";

#[derive(Subcommand)]
#[command(after_help = NDS_EXAMPLES)]
pub enum NdsCommand {
    /// Show what NDS save files are: container, footer or header fields,
    /// padding, mirroring, and which chip sizes keep the save readable and why.
    #[command(after_help = "\
Examples:
  keepsake nds info game.sav
  keepsake nds info usa.dsv usa.duc --json

Containers are told apart by content, not by file name: raw images, DeSmuME
.dsv, Action Replay .duc (both layouts) and no$gba saves (stored or
compressed). Results go to stdout, problems to stderr. Exit code 2 when any
file cannot be read as an NDS save.")]
    Info(InfoArgs),
    /// Convert an NDS save to a chip size and a container. Growing pads with
    /// 0xFF; shrinking is refused when it would drop anything but erased
    /// bytes (0xFF) or a mirror, unless --allow-loss is given.
    #[command(after_help = "\
Examples:
  keepsake nds convert flashcart.sav -o cart.sav                  smallest size that keeps every byte
  keepsake nds convert game.dsv -o game.sav --size 512K           pad for a flashcart
  keepsake nds convert game.sav -o game.dsv --to dsv              for DeSmuME
  keepsake nds convert odd.sav -o cut.sav --size 8K --allow-loss  drop what lies past 8 KiB
  keepsake nds convert game.sav -o cart.sav --force               replace an existing cart.sav

`auto` never picks a chip smaller than the one a .dsv footer or a .duc header
states, and never drops a run of 0x00 (grown back, a chip holds 0xFF there).
The output is written atomically, never over the input, and never over an
existing file unless --force is given. Exit code 2 when the input is not an
NDS save, the conversion would lose data or the output exists.")]
    Convert(ConvertArgs),
    /// Make a 512 KiB flashcart save of a game with an 8 KiB EEPROM, then
    /// inspect and convert it, showing each step (nothing to download).
    #[command(after_help = "\
Examples:
  keepsake nds demo
  keepsake nds demo --out demo-saves
  keepsake nds demo --out demo-saves --force    run again over an earlier demo's files")]
    Demo(DemoArgs),
}

#[derive(Args)]
pub struct InfoArgs {
    /// Save files to inspect (.sav, .dsv, .duc, no$gba; told apart by content).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print JSON (an array, one object per file) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ConvertArgs {
    /// The save to convert (.sav, .dsv, .duc or no$gba; told apart by content).
    #[arg(value_name = "IN")]
    input: PathBuf,
    /// Where to write the converted save.
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// Chip size: auto (the smallest size that keeps every byte, never below
    /// the size the file's container states), 512, 8K, 64K, 128K, 256K, 512K,
    /// 1M or 8M.
    #[arg(long, default_value = "auto", value_name = "SIZE")]
    size: SizeChoice,
    /// Container to write.
    #[arg(long, value_enum, default_value_t = Target::Raw)]
    to: Target,
    /// Drop what lies past the chosen size even when it is not erased (0xFF)
    /// or a mirror (otherwise refused).
    #[arg(long)]
    allow_loss: bool,
    #[command(flatten)]
    force: Force,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Folder for the demo's files (created if missing; must be empty unless
    /// --force is given). Without it: a new `keepsake-demo` folder in the
    /// system's temporary directory (`keepsake-demo-2`, `-3`, ... when an
    /// earlier run's is there), so no earlier demo is replaced.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace the files of an earlier demo in the folder.
    #[arg(long)]
    force: bool,
}

/// `--size`: a chip, or the smallest chip that loses nothing.
#[derive(Clone, Copy, Debug)]
enum SizeChoice {
    Auto,
    Chip(ChipKind),
}

impl FromStr for SizeChoice {
    type Err = nds::ParseChipError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.trim().eq_ignore_ascii_case("auto") {
            Ok(SizeChoice::Auto)
        } else {
            text.parse().map(SizeChoice::Chip)
        }
    }
}

/// `--to`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Target {
    /// The bare chip image (.sav), as cartridges and flashcarts hold it.
    Raw,
    /// DeSmuME's .dsv: the image and DeSmuME's footer.
    Dsv,
}

impl From<Target> for OutputFormat {
    fn from(target: Target) -> Self {
        match target {
            Target::Raw => OutputFormat::Raw,
            Target::Dsv => OutputFormat::Dsv,
        }
    }
}

pub fn run(command: NdsCommand) -> Result<(), Failure> {
    match command {
        NdsCommand::Info(args) => info(&args),
        NdsCommand::Convert(args) => convert(&args).map(|report| print!("{report}")),
        NdsCommand::Demo(args) => demo(&args),
    }
}

/// A chip in JSON: its name and its size.
#[derive(Serialize)]
struct ChipJson {
    name: String,
    capacity: usize,
}

impl From<ChipKind> for ChipJson {
    fn from(chip: ChipKind) -> Self {
        ChipJson {
            name: chip.label(),
            capacity: chip.capacity(),
        }
    }
}

/// One file in `nds info --json`.
#[derive(Serialize)]
struct InfoJson {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<Container>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload_len: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<SizeAnalysis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lossless: Option<Vec<ChipJson>>,
    /// The size the container states, when it states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    stated: Option<StatedSize>,
    /// What `convert --size auto` would pick.
    #[serde(skip_serializing_if = "Option::is_none")]
    auto: Option<ChipJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// An NDS save file read and parsed, or the failure saying why not (with a
/// hint when the file is a 3DS save).
fn load(path: &Path) -> Result<(Vec<u8>, Container, Vec<u8>), Failure> {
    let bytes = read_input(path)?;
    let kind = hint::kind_of(&bytes);
    if let (Kind::Disa | Kind::Diff | Kind::WearLeveled | Kind::Encrypted, Some(hint)) =
        (kind, hint::instead(kind, Family::Nds))
    {
        return Err(Failure::input(anyhow!(
            "{} is not an NDS save; {hint}",
            path.display()
        )));
    }
    let (container, payload) = match SaveFile::parse(&bytes) {
        Ok(save) => (save.container, save.payload.into_owned()),
        Err(e) => {
            return Err(Failure::input(anyhow!(
                "{} is not a readable NDS save: {e}",
                path.display()
            )));
        }
    };
    Ok((bytes, container, payload))
}

fn info(args: &InfoArgs) -> Result<(), Failure> {
    let mut failures = 0;
    let mut json = Vec::new();
    for path in &args.files {
        match load(path) {
            Ok((_, container, payload)) => {
                let analysis = nds::analyze(&payload);
                let stated = container.stated_size(payload.len());
                let auto = nds::auto_size(&analysis, stated.clone()).ok();
                if args.json {
                    json.push(InfoJson {
                        file: path.display().to_string(),
                        payload_len: Some(payload.len()),
                        lossless: Some(analysis.lossless.iter().map(|&c| c.into()).collect()),
                        container: Some(container),
                        analysis: Some(analysis),
                        stated,
                        auto: auto.map(|a| a.chip.into()),
                        error: None,
                    });
                } else {
                    print!(
                        "{}",
                        describe(path, &container, &analysis, stated.as_ref(), auto.as_ref())
                    );
                }
            }
            Err(failure) => {
                failures += 1;
                if args.json {
                    json.push(InfoJson {
                        file: path.display().to_string(),
                        container: None,
                        payload_len: None,
                        analysis: None,
                        lossless: None,
                        stated: None,
                        auto: None,
                        error: Some(failure.to_string()),
                    });
                } else {
                    eprintln!("error: {failure}");
                }
            }
        }
    }
    if args.json {
        let text = serde_json::to_string_pretty(&json).failed("writing JSON")?;
        println!("{text}");
    }
    match failures {
        0 => Ok(()),
        n => Err(Failure::input(anyhow!(
            "{n} of {} could not be read as an NDS save",
            plural(args.files.len(), "file", "files")
        ))),
    }
}

/// Offsets `first` to `last` in words, for people.
fn span(first: usize, last: usize) -> String {
    if first == last {
        format!("at {first:#x}")
    } else {
        format!("from {first:#x} to {last:#x}")
    }
}

/// Why converting to one chip keeps the save readable, or why not.
fn fit_line(chip: ChipKind, fit: Fit, stated: Option<&StatedSize>) -> String {
    let why = match fit {
        Fit::Exact => "keeps every byte: the same size".to_string(),
        Fit::Grows { added } => format!(
            "keeps every byte: {} of 0xFF added, as an erased chip holds",
            format_size(added)
        ),
        Fit::DropsErased { dropped } => format!(
            "keeps every byte: drops {} of erased bytes (0xFF) past {}",
            format_size(dropped),
            format_size(chip.capacity())
        ),
        Fit::DropsMirrors { unit } => format!(
            "keeps every byte: drops mirrored copies (the save is its first {} repeated)",
            format_size(unit)
        ),
        Fit::Loses(lost) if lost.zeros => format!(
            "not readable as it was: drops {} of 0x00 {} that a chip grown back holds as 0xFF",
            plural(lost.count, "byte", "bytes"),
            span(lost.first_offset, lost.last_offset)
        ),
        Fit::Loses(lost) => format!(
            "loses data: {} other than 0xFF {}",
            plural(lost.count, "byte", "bytes"),
            span(lost.first_offset, lost.last_offset)
        ),
    };
    let below_stated = stated
        .filter(|s| chip < s.chip && fit.is_lossless())
        .map(|s| {
            format!(
                "; but smaller than the {} that {} states, so `auto` does not pick it",
                s.chip, s.source
            )
        })
        .unwrap_or_default();
    format!("    {:<16} {why}{below_stated}", chip.label())
}

/// The human-readable `info` of one save.
fn describe(
    path: &Path,
    container: &Container,
    analysis: &SizeAnalysis,
    stated: Option<&StatedSize>,
    auto: Option<&AutoSize>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", path.display());
    let _ = writeln!(out, "  container:  {}", container.name());
    match container {
        Container::Raw => {}
        Container::Dsv(footer) => {
            let chip = footer
                .chip()
                .map_or_else(|| "not an NDS chip type".to_string(), |c| c.label());
            let _ = writeln!(
                out,
                "  footer:     size {:#x}, padded size {}, type {} ({chip}), address size {}, memory size {}, version {}",
                footer.size,
                footer.padded_size,
                footer.type_code,
                footer.address_size,
                footer.memory_size,
                footer.version
            );
        }
        Container::ActionReplay(header) => {
            let _ = writeln!(
                out,
                "  header:     game name \"{}\", save name \"{}\"",
                header.game_name, header.save_name
            );
        }
        Container::NoCashGba(header) => {
            let _ = writeln!(
                out,
                "  header:     {} bytes unpacked{}",
                header.len,
                header
                    .packed_len
                    .map_or(String::new(), |p| format!(", packed length field {p}"))
            );
        }
    }
    if let Some(stated) = stated {
        let _ = writeln!(out, "  stated:     {}, by {}", stated.chip, stated.source);
    }
    let _ = writeln!(
        out,
        "  payload:    {} ({})",
        plural(analysis.len, "byte", "bytes"),
        format_size(analysis.len)
    );
    let padding = match analysis.padding {
        _ if analysis.blank => format!(
            "the whole save is {:#04x}: blank, nothing was ever saved",
            analysis.padding.map_or(0xFF, |p| p.byte)
        ),
        Some(p) if p.byte == 0x00 => format!(
            "0x00 from {:#x} to the end ({}); data ends at {:#x}; kept, since a chip grown back holds 0xFF there",
            p.start,
            plural(p.len, "byte", "bytes"),
            p.start
        ),
        Some(p) => format!(
            "{:#04x} from {:#x} to the end ({}); data ends at {:#x}",
            p.byte,
            p.start,
            plural(p.len, "byte", "bytes"),
            p.start
        ),
        None => "none (the last byte is data)".to_string(),
    };
    let _ = writeln!(out, "  padding:    {padding}");
    let mirror = match analysis.mirror_of {
        Some(unit) => format!(
            "the save is its first {} repeated {} times",
            format_size(unit),
            analysis.len.div_ceil(unit)
        ),
        None => "none".to_string(),
    };
    let _ = writeln!(out, "  mirroring:  {mirror}");
    let _ = writeln!(out, "  sizes:");
    for fit in &analysis.fits {
        let _ = writeln!(out, "{}", fit_line(fit.chip, fit.fit, stated));
    }
    let chips: Vec<String> = analysis.lossless.iter().map(|c| c.label()).collect();
    let _ = writeln!(out, "  lossless:   {}", chips.join(", "));
    if let Some(chip) = analysis.smallest_lossless() {
        let _ = writeln!(out, "  smallest:   {chip}");
    }
    match auto {
        Some(auto) => {
            let _ = writeln!(out, "  auto:       {} ({})", auto.chip, auto.reason());
        }
        None => {
            let _ = writeln!(
                out,
                "  auto:       none (the save is blank and its container states no size; choose one with --size)"
            );
        }
    }
    out
}

/// Converts as `args` says and returns what to tell the user.
fn convert(args: &ConvertArgs) -> Result<String, Failure> {
    args.force.check(&args.output, &[&args.input])?;
    let (_, container, payload) = load(&args.input)?;
    let analysis = nds::analyze(&payload);
    let stated = container.stated_size(payload.len());
    let (target, auto) = match args.size {
        SizeChoice::Chip(chip) => (chip, None),
        SizeChoice::Auto => {
            let auto = nds::auto_size(&analysis, stated.clone()).map_err(|e| {
                Failure::input(anyhow!(
                    "{}: {e}; choose a size with --size",
                    args.input.display()
                ))
            })?;
            (auto.chip, Some(auto))
        }
    };
    let fit = analysis.fit(target);
    let converted = nds::convert(&payload, target, args.to.into(), args.allow_loss).map_err(
        |error| match error {
            ConvertError::WouldLoseData { .. } => Failure::input(anyhow!(
                "{error}; the smallest size that keeps everything is {} (pass --allow-loss to drop it anyway)",
                analysis
                    .smallest_lossless()
                    .map_or_else(|| "none".to_string(), |c| c.label())
            )),
            ConvertError::Empty => {
                Failure::input(anyhow!("{} holds an empty save", args.input.display()))
            }
        },
    )?;
    args.force.write(&args.output, &converted, &[&args.input])?;

    let mut report = format!(
        "{}: {}, {} save\n",
        args.input.display(),
        container.name(),
        format_size(payload.len())
    );
    let how = match fit {
        Fit::Exact => "same size, nothing added or dropped".to_string(),
        Fit::Grows { .. } => format!("padded from {} with 0xFF", format_size(payload.len())),
        Fit::DropsErased { dropped } => {
            format!("dropped {} of erased bytes (0xFF)", format_size(dropped))
        }
        Fit::DropsMirrors { .. } => format!(
            "dropped {} of mirrored copies",
            format_size(payload.len() - target.capacity())
        ),
        Fit::Loses(lost) => format!(
            "LOSS ALLOWED: dropped {} that were not erased, {}, past {}",
            plural(lost.count, "byte", "bytes"),
            span(lost.first_offset, lost.last_offset),
            format_size(target.capacity())
        ),
    };
    let container_name = match args.to {
        Target::Raw => "raw image",
        Target::Dsv => "DeSmuME .dsv",
    };
    let _ = writeln!(
        report,
        "wrote {}: {container_name}, {target} ({how})",
        args.output.display()
    );
    if let Some(auto) = auto {
        let _ = writeln!(report, "size chosen by auto: {}", auto.reason());
    }
    if matches!(fit, Fit::Loses(_)) {
        eprintln!(
            "warning: --allow-loss dropped bytes that were neither erased nor a mirror; the input {} is unchanged",
            args.input.display()
        );
    }
    Ok(report)
}

/// The demo's game save: 8 KiB of deterministic game-like data (a header,
/// records, a checksum at the end so that the last byte is data).
fn demo_game_save() -> Vec<u8> {
    let mut save = vec![0u8; 8 * 1024];
    save[..16].copy_from_slice(b"KEEPSAKE DEMO 01");
    let mut state: u32 = 0x1234_5678;
    for byte in &mut save[16..8 * 1024 - 4] {
        // xorshift32: varied bytes without a dependency.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *byte = (state >> 24) as u8;
    }
    let sum = save[..8 * 1024 - 4].iter().fold(0u32, |acc, &b| {
        acc.wrapping_mul(31).wrapping_add(u32::from(b))
    });
    save[8 * 1024 - 4..].copy_from_slice(&sum.to_le_bytes());
    save
}

/// The first of `keepsake-demo`, `keepsake-demo-2`, ... in the system's
/// temporary directory that is missing or empty.
fn fresh_demo_dir() -> PathBuf {
    let temp = std::env::temp_dir();
    (1u32..)
        .map(|n| match n {
            1 => temp.join("keepsake-demo"),
            n => temp.join(format!("keepsake-demo-{n}")),
        })
        .find(|dir| std::fs::read_dir(dir).map_or(true, |mut entries| entries.next().is_none()))
        .expect("an unused folder name")
}

fn demo(args: &DemoArgs) -> Result<(), Failure> {
    let out = match &args.out {
        Some(dir) => dir.clone(),
        None => fresh_demo_dir(),
    };
    Force { force: args.force }.check_dir(&out)?;
    // The folder is new, empty, or given over to the demo by --force.
    let replace = Force { force: true };
    std::fs::create_dir_all(&out)
        .failed(format!("cannot create the demo folder {}", out.display()))?;
    let game = demo_game_save();
    let mut flashcart = game.clone();
    flashcart.resize(512 * 1024, 0xFF);
    let flashcart_path = out.join("flashcart.sav");
    replace.write(&flashcart_path, &flashcart, &[])?;
    println!(
        "1. Made {}: a 512 KiB flashcart save of a game whose cartridge has an 8 KiB EEPROM\n   (8 KiB of game data, then 0xFF padding, as flashcarts write it).\n",
        flashcart_path.display()
    );

    println!("2. keepsake nds info {}", flashcart_path.display());
    let save = SaveFile::parse(&flashcart).bad_input("reading the demo save")?;
    let analysis = nds::analyze(&save.payload);
    let auto = nds::auto_size(&analysis, None).ok();
    print!(
        "{}",
        describe(
            &flashcart_path,
            &save.container,
            &analysis,
            None,
            auto.as_ref()
        )
    );
    println!();

    let cart_path = out.join("cartridge.sav");
    println!(
        "3. keepsake nds convert {} -o {}",
        flashcart_path.display(),
        cart_path.display()
    );
    let report = convert(&ConvertArgs {
        input: flashcart_path.clone(),
        output: cart_path.clone(),
        size: SizeChoice::Auto,
        to: Target::Raw,
        allow_loss: false,
        force: replace,
    })?;
    print!("{report}");
    let written = read_input(&cart_path)?;
    if written != game {
        return Err(Failure::failed(anyhow!(
            "the converted save differs from the game's data"
        )));
    }
    println!(
        "   checked: {} is byte for byte the game's 8 KiB.\n",
        cart_path.display()
    );

    let dsv_path = out.join("cartridge.dsv");
    println!(
        "4. keepsake nds convert {} -o {} --to dsv",
        flashcart_path.display(),
        dsv_path.display()
    );
    let report = convert(&ConvertArgs {
        input: flashcart_path.clone(),
        output: dsv_path,
        size: SizeChoice::Auto,
        to: Target::Dsv,
        allow_loss: false,
        force: replace,
    })?;
    print!("{report}");
    println!();

    println!(
        "5. keepsake nds convert {} -o too-small.sav --size 512   (refused: it would lose data)",
        flashcart_path.display()
    );
    let refused = convert(&ConvertArgs {
        input: flashcart_path.clone(),
        output: out.join("too-small.sav"),
        size: SizeChoice::Chip(ChipKind::Eeprom512B),
        to: Target::Raw,
        allow_loss: false,
        force: replace,
    });
    match refused {
        Err(failure) => println!("   error: {failure}"),
        Ok(_) => {
            return Err(Failure::failed(anyhow!(
                "the demo's lossy conversion was not refused"
            )));
        }
    }
    println!(
        "\nDone. The files are in {}; try `keepsake nds info` on them.",
        out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_choice_reads_auto_and_chip_sizes() {
        assert!(matches!("auto".parse(), Ok(SizeChoice::Auto)));
        assert!(matches!("AUTO".parse(), Ok(SizeChoice::Auto)));
        assert!(matches!(
            "8K".parse(),
            Ok(SizeChoice::Chip(ChipKind::Eeprom8K))
        ));
        assert!("3K".parse::<SizeChoice>().is_err());
    }

    #[test]
    fn the_demo_game_save_is_8k_ending_in_data() {
        let save = demo_game_save();
        assert_eq!(save.len(), 8192);
        let analysis = nds::analyze(&save);
        assert_eq!(analysis.padding, None);
        assert_eq!(analysis.smallest_lossless(), Some(ChipKind::Eeprom8K));
    }
}
