//! `keepsake`: the format core of Keepsake on the command line.

// Every module's `print!`/`println!` go through `stdout`, which survives a
// reader that closes the pipe early (see there). Defined before the modules
// so that they see these instead of std's.
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::stdout::write(format_args!($($arg)*), false)
    };
}
macro_rules! println {
    () => {
        $crate::stdout::write(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::stdout::write(format_args!($($arg)*), true)
    };
}

mod stdout;

mod cmd_3ds;
mod cmd_disa;
mod cmd_gba;
mod cmd_nand;
mod cmd_nds;
mod cmd_preview;
mod cmd_preview_real;
mod cmd_sd;
mod failure;
mod file_storage;
mod files;
mod hint;
mod mapped;
mod preview;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use failure::Failure;

/// Keepsake: NDS and 3DS save tools.
#[derive(Parser)]
#[command(name = "keepsake", version, about, long_about = None, after_help = "\
Examples:
  keepsake nds info game.sav                       what an NDS save is and which chips it fits
  keepsake nds convert flashcart.sav -o cart.sav   a flashcart save at the cartridge's size
  keepsake 3ds unwear card.bin -o card.logical     a 3DS cartridge dump without wear leveling
  keepsake disa extract save.disa files/           the files of a 3DS save
  keepsake gba extract agbsave.bin -o game.sav     the current save of a GBA VC title
  keepsake preview                                 the console app on a simulated console

Results go to stdout, problems to stderr. Exit codes: 0 done, 1 the work
failed, 2 bad input or usage (an existing output needs --force).")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// NDS saves: inspect them, convert between flashcart, emulator and cartridge sizes.
    #[command(subcommand)]
    Nds(cmd_nds::NdsCommand),
    /// 3DS cartridge save flash: inspect, unwear/rewear, decrypt/encrypt.
    #[command(name = "3ds", subcommand)]
    Ctr(cmd_3ds::Command),
    /// Run the console UI on a simulated console and write PNGs of both screens.
    Preview(cmd_preview::PreviewArgs),
    /// 3DS save containers (DISA) and their filesystem: info, ls, extract, verify, format, import.
    #[command(subcommand)]
    Disa(cmd_disa::DisaCommand),
    /// 3DS extdata containers (DIFF): info, ls, extract, verify, format, import.
    #[command(subcommand)]
    Diff(cmd_disa::DiffCommand),
    /// GBA Virtual Console saves: the console's two-slot container and the bare save a backup keeps.
    #[command(subcommand)]
    Gba(cmd_gba::GbaCommand),
    /// Saves and extdata straight from a 3DS's SD card, with the console's boot9.bin and movable.sed.
    #[command(subcommand)]
    Sd(cmd_sd::SdCommand),
    /// System saves and extdata from a NAND dump folder, with the console's boot9.bin and movable.sed.
    #[command(subcommand)]
    Nand(cmd_nand::NandCommand),
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Nds(command) => cmd_nds::run(command),
        Command::Ctr(command) => cmd_3ds::run(command),
        Command::Preview(args) => cmd_preview::run(args),
        Command::Disa(command) => cmd_disa::run_disa(command),
        Command::Diff(command) => cmd_disa::run_diff(command),
        Command::Gba(command) => cmd_gba::run(command),
        Command::Sd(command) => cmd_sd::run(command),
        Command::Nand(command) => cmd_nand::run(command),
    }
}

fn main() -> ExitCode {
    let outcome = run(Cli::parse());
    let unwritten = stdout::finish();
    if let Some(error) = &unwritten {
        eprintln!("error: the results could not all be written to stdout: {error}");
    }
    match outcome {
        Ok(()) if unwritten.is_some() => ExitCode::FAILURE,
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            failure.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command and group: its path, and what its help lacks.
    fn gaps(command: &clap::Command, path: &str, out: &mut Vec<String>) {
        let has_examples = command
            .get_after_help()
            .is_some_and(|help| help.to_string().contains("Example"));
        if !has_examples {
            out.push(format!("{path}: no example in --help"));
        }
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                out.push(format!("{path}: argument {id} is not described"));
            }
        }
        for sub in command.get_subcommands() {
            if sub.get_name() != "help" {
                gaps(sub, &format!("{path} {}", sub.get_name()), out);
            }
        }
    }

    #[test]
    fn every_help_describes_every_argument_and_has_an_example() {
        let mut out = Vec::new();
        gaps(&Cli::command(), "keepsake", &mut out);
        assert!(out.is_empty(), "{}", out.join("\n"));
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
