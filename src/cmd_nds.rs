//! `keepsake nds`: NDS saves on the PC — what a save file is, and converting
//! it to a cartridge's size or an emulator's container without losing data.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::anyhow;
use clap::{Args, Subcommand, ValueEnum};
use keepsake_format::nds::{
    self, ChipKind, Container, ConvertError, OutputFormat, SaveFile, SizeAnalysis, format_size,
};
use serde::Serialize;

use crate::failure::{FailWith, Failure};
use crate::files::{read_input, write_output};

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
    /// padding, mirroring and the chip sizes each converts to without loss.
    #[command(after_help = "\
Examples:
  keepsake nds info game.sav
  keepsake nds info usa.dsv usa.duc --json

Containers are told apart by content, not by file name: raw images, DeSmuME
.dsv, Action Replay .duc (both layouts) and no$gba saves (stored or
compressed). Exit code 2 when any file cannot be read as an NDS save.")]
    Info(InfoArgs),
    /// Convert an NDS save to a chip size and a container. Growing pads with
    /// 0xFF; shrinking is refused when it would drop anything but padding or a
    /// mirror, unless --force is given.
    #[command(after_help = "\
Examples:
  keepsake nds convert flashcart.sav -o cart.sav             smallest lossless size
  keepsake nds convert game.dsv -o game.sav --size 512K      pad for a flashcart
  keepsake nds convert game.sav -o game.dsv --to dsv         for DeSmuME
  keepsake nds convert odd.sav -o cut.sav --size 8K --force  drop data past 8 KiB

The output is written atomically and never over the input. Exit code 2 when
the input is not an NDS save or the conversion would lose data.")]
    Convert(ConvertArgs),
    /// Make a 512 KiB flashcart save of a game with an 8 KiB EEPROM, then
    /// inspect and convert it, showing each step (nothing to download).
    #[command(after_help = "\
Example:
  keepsake nds demo --out demo-saves")]
    Demo(DemoArgs),
}

#[derive(Args)]
pub struct InfoArgs {
    /// Save files to inspect.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print JSON (an array, one object per file) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ConvertArgs {
    /// The save to convert.
    #[arg(value_name = "IN")]
    input: PathBuf,
    /// Where to write the converted save.
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// Chip size: auto (the smallest size that keeps every byte), 512, 8K,
    /// 64K, 128K, 256K, 512K, 1M or 8M.
    #[arg(long, default_value = "auto", value_name = "SIZE")]
    size: SizeChoice,
    /// Container to write.
    #[arg(long, value_enum, default_value_t = Target::Raw)]
    to: Target,
    /// Drop data past the chosen size if needed (otherwise refused).
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Folder for the demo's files (created if missing).
    #[arg(long, value_name = "DIR", default_value_os_t = std::env::temp_dir().join("keepsake-demo"))]
    out: PathBuf,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn info(args: &InfoArgs) -> Result<(), Failure> {
    let mut failures = 0;
    let mut json = Vec::new();
    for path in &args.files {
        let loaded = read_input(path).and_then(|bytes| {
            let save = SaveFile::parse(&bytes)
                .map(|save| (save.container, save.payload.into_owned()))
                .bad_input(format!("{} is not a readable NDS save", path.display()))?;
            Ok(save)
        });
        match loaded {
            Ok((container, payload)) => {
                let analysis = nds::analyze(&payload);
                if args.json {
                    json.push(InfoJson {
                        file: path.display().to_string(),
                        payload_len: Some(payload.len()),
                        lossless: Some(analysis.lossless.iter().map(|&c| c.into()).collect()),
                        container: Some(container),
                        analysis: Some(analysis),
                        error: None,
                    });
                } else {
                    print!("{}", describe(path, &container, &analysis));
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
            "{n} of {} files could not be read as NDS saves",
            args.files.len()
        ))),
    }
}

/// The human-readable `info` of one save.
fn describe(path: &Path, container: &Container, analysis: &SizeAnalysis) -> String {
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
                "  header:     game name {:?}, save name {:?}",
                header.game_name, header.save_name
            );
        }
        Container::NoCashGba(header) => {
            let _ = writeln!(
                out,
                "  header:     {:?}, {} bytes unpacked{}",
                header.compression,
                header.len,
                header
                    .packed_len
                    .map_or(String::new(), |p| format!(", packed length field {p}"))
            );
        }
    }
    let _ = writeln!(
        out,
        "  payload:    {} bytes ({})",
        analysis.len,
        format_size(analysis.len)
    );
    let padding = match analysis.padding {
        _ if analysis.blank => format!(
            "the whole save is {:#04x}: blank, nothing was ever saved",
            analysis.padding.map_or(0xFF, |p| p.byte)
        ),
        Some(p) => format!(
            "{:#04x} from {:#x} to the end ({} bytes); data ends at {:#x}",
            p.byte, p.start, p.len, p.start
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
    let chips: Vec<String> = analysis.lossless.iter().map(|c| c.label()).collect();
    let _ = writeln!(out, "  lossless:   {}", chips.join(", "));
    if let Some(chip) = analysis.smallest_lossless() {
        let _ = writeln!(out, "  smallest:   {chip}");
    }
    out
}

/// Converts as `args` says and returns what to tell the user.
fn convert(args: &ConvertArgs) -> Result<String, Failure> {
    let bytes = read_input(&args.input)?;
    let save = SaveFile::parse(&bytes).bad_input(format!(
        "{} is not a readable NDS save",
        args.input.display()
    ))?;
    let analysis = nds::analyze(&save.payload);
    let target = match args.size {
        SizeChoice::Chip(chip) => chip,
        SizeChoice::Auto if analysis.blank => {
            return Err(Failure::input(anyhow!(
                "{} is blank (every byte is padding), so nothing tells its chip size; choose one with --size",
                args.input.display()
            )));
        }
        SizeChoice::Auto => analysis
            .smallest_lossless()
            .ok_or_else(|| Failure::input(anyhow!("no NDS save chip holds this save")))?,
    };
    let lost = nds::lost_bytes(&save.payload, target.capacity());
    let converted = nds::convert(&save.payload, target, args.to.into(), args.force).map_err(
        |error| match error {
            ConvertError::WouldLoseData { .. } => Failure::input(anyhow!(
                "{error}; the smallest size that keeps everything is {} (pass --force to drop the data anyway)",
                analysis
                    .smallest_lossless()
                    .map_or_else(|| "none".to_string(), |c| c.label())
            )),
            ConvertError::Empty => Failure::input(anyhow!("{} holds an empty save", args.input.display())),
        },
    )?;
    write_output(&args.output, &converted, &[&args.input])?;

    let mut report = format!(
        "{}: {}, {} save\n",
        args.input.display(),
        save.container.name(),
        format_size(save.payload.len())
    );
    let how = match save.payload.len().cmp(&target.capacity()) {
        std::cmp::Ordering::Less => {
            format!("padded from {} with 0xFF", format_size(save.payload.len()))
        }
        std::cmp::Ordering::Equal => "same size, nothing added or dropped".to_string(),
        std::cmp::Ordering::Greater => match lost {
            Some(lost) => format!(
                "FORCED: dropped {} bytes of data ({:#x}..={:#x}) past {}",
                lost.count,
                lost.first_offset,
                lost.last_offset,
                format_size(target.capacity())
            ),
            None if analysis
                .mirror_of
                .is_some_and(|m| target.capacity() % m == 0)
                && analysis.content_end() > target.capacity() =>
            {
                format!(
                    "dropped {} of mirrored copies",
                    format_size(save.payload.len() - target.capacity())
                )
            }
            None => format!(
                "dropped {} of padding",
                format_size(save.payload.len() - target.capacity())
            ),
        },
    };
    let container = match args.to {
        Target::Raw => "raw image",
        Target::Dsv => "DeSmuME .dsv",
    };
    let _ = writeln!(
        report,
        "wrote {}: {container}, {target} ({how})",
        args.output.display()
    );
    if lost.is_some() && args.force {
        eprintln!(
            "warning: --force dropped data that was neither padding nor a mirror; the input {} is unchanged",
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

fn demo(args: &DemoArgs) -> Result<(), Failure> {
    std::fs::create_dir_all(&args.out).failed(format!(
        "cannot create the demo folder {}",
        args.out.display()
    ))?;
    let game = demo_game_save();
    let mut flashcart = game.clone();
    flashcart.resize(512 * 1024, 0xFF);
    let flashcart_path = args.out.join("flashcart.sav");
    write_output(&flashcart_path, &flashcart, &[])?;
    println!(
        "1. Made {}: a 512 KiB flashcart save of a game whose cartridge has an 8 KiB EEPROM\n   (8 KiB of game data, then 0xFF padding, as flashcarts write it).\n",
        flashcart_path.display()
    );

    println!("2. keepsake nds info {}", flashcart_path.display());
    let save = SaveFile::parse(&flashcart).bad_input("reading the demo save")?;
    let analysis = nds::analyze(&save.payload);
    print!("{}", describe(&flashcart_path, &save.container, &analysis));
    println!();

    let cart_path = args.out.join("cartridge.sav");
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
        force: false,
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

    let dsv_path = args.out.join("cartridge.dsv");
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
        force: false,
    })?;
    print!("{report}");
    println!();

    println!(
        "5. keepsake nds convert {} -o too-small.sav --size 512   (refused: it would lose data)",
        flashcart_path.display()
    );
    let refused = convert(&ConvertArgs {
        input: flashcart_path.clone(),
        output: args.out.join("too-small.sav"),
        size: SizeChoice::Chip(ChipKind::Eeprom512B),
        to: Target::Raw,
        force: false,
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
        args.out.display()
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
