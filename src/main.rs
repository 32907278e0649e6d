//! `keepsake`: the format core of Keepsake on the command line.

mod cmd_3ds;
mod cmd_disa;
mod cmd_nand;
mod cmd_nds;
mod cmd_preview;
mod cmd_sd;
mod failure;
mod files;
mod preview;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use failure::Failure;

/// Keepsake: NDS and 3DS save tools.
#[derive(Parser)]
#[command(name = "keepsake", version, about, long_about = None)]
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
        Command::Sd(command) => cmd_sd::run(command),
        Command::Nand(command) => cmd_nand::run(command),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            failure.exit_code()
        }
    }
}
