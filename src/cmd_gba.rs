//! `keepsake gba`: GBA Virtual Console saves on the PC — what an AGBSAVE
//! container (as GodMode9 or an older Checkpoint dumps it) holds, and its
//! current save taken out as the bare file Checkpoint 4+ keeps in a backup.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Subcommand;
use keepsake_format::gba_vc::{AgbSaveContainer, Slot, is_valid_save_size};
use keepsake_format::nds::format_size;

use crate::failure::{Failure, plural};
use crate::files::{Force, read_input};

#[derive(Subcommand)]
#[command(after_help = "\
Examples:
  keepsake gba info agbsave.bin                 which slot is current, how often each was saved
  keepsake gba extract agbsave.bin -o game.sav  the current save, as a Checkpoint backup keeps it")]
pub enum GbaCommand {
    /// Show what a GBA VC save file is: a container (its two slots, which one
    /// the game loads, the save size) or a bare GBA save.
    #[command(after_help = "\
Example:
  keepsake gba info agbsave.bin 00000001.sav

Exit code 2 when a file is neither a container with a saved slot nor a bare
GBA save (512 B, 8 KiB, 32 KiB, 64 KiB or 128 KiB).")]
    Info {
        /// Containers or bare saves.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Write the save of a container's current slot as a bare GBA save, the
    /// form Checkpoint 4+ and Keepsake keep in a backup folder.
    #[command(after_help = "\
Examples:
  keepsake gba extract agbsave.bin -o 00000001.sav
  keepsake gba extract agbsave.bin -o 00000001.sav --force    replace an existing file

The output is written atomically, never over the input, and never over an
existing file unless --force is given.")]
    Extract {
        /// The AGBSAVE container.
        input: PathBuf,
        /// Where to write the bare save.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        force: Force,
    },
}

pub fn run(command: GbaCommand) -> Result<(), Failure> {
    match command {
        GbaCommand::Info { files } => {
            let mut refused = 0;
            for (index, file) in files.iter().enumerate() {
                if index > 0 {
                    println!();
                }
                match info(file) {
                    Ok(text) => print!("{text}"),
                    Err(failure) => {
                        refused += 1;
                        eprintln!("error: {failure}");
                    }
                }
            }
            if refused > 0 {
                return Err(Failure::input(anyhow!(
                    "{refused} of {} files could not be read as GBA VC saves",
                    files.len()
                )));
            }
            Ok(())
        }
        GbaCommand::Extract {
            input,
            output,
            force,
        } => extract(&input, &output, force),
    }
}

fn info(path: &Path) -> Result<String, Failure> {
    let bytes = read_input(path)?;
    let mut text = format!("{}\n", path.display());
    if is_valid_save_size(bytes.len() as u64) {
        text += &format!(
            "  a bare GBA save of {}, as a backup keeps it\n",
            format_size(bytes.len())
        );
        return Ok(text);
    }
    let container = AgbSaveContainer::parse(&bytes)
        .map_err(|e| Failure::input(anyhow!("{}: {e}", path.display())))?;
    let current = container.current();
    text += &format!(
        "  GBA VC save container, {} bytes; save size {}\n",
        container.len(),
        format_size(current.save().len())
    );
    text += &format!("  title id {:016X}\n", current.header().title_id());
    text += &slot_line(&current, true);
    if let Some(other) = container.other() {
        text += &slot_line(&other, false);
    }
    Ok(text)
}

fn slot_line(slot: &Slot<'_>, current: bool) -> String {
    format!(
        "  {} slot at {:#x}: saved {}{}\n",
        if slot.is_bottom() { "bottom" } else { "top" },
        slot.offset(),
        plural(slot.header().times_saved() as usize, "time", "times"),
        if current {
            " (current: the game loads this one)"
        } else {
            ""
        }
    )
}

fn extract(input: &Path, output: &Path, force: Force) -> Result<(), Failure> {
    force.check(output, &[input])?;
    let bytes = read_input(input)?;
    if is_valid_save_size(bytes.len() as u64) {
        return Err(Failure::input(anyhow!(
            "{} is already a bare GBA save of {}; nothing to extract",
            input.display(),
            format_size(bytes.len())
        )));
    }
    let container = AgbSaveContainer::parse(&bytes)
        .map_err(|e| Failure::input(anyhow!("{}: {e}", input.display())))?;
    let save = container.current().save();
    force.write(output, save, &[input])?;
    println!(
        "wrote {} ({} save of the current slot)",
        output.display(),
        format_size(save.len())
    );
    Ok(())
}
