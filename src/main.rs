//! `keepsake`: the format core of Keepsake on the command line.

mod failure;
mod files;

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
enum Command {}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {}
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
