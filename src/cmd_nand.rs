//! `keepsake nand`: system saves and extdata from a NAND dump folder (the
//! CTR NAND partition's files, decrypted), with the console's boot9.bin and
//! movable.sed: list, extract, and import into a system save or an extdata
//! archive (whose Quota.dat is kept up to date). The work is
//! shared with `keepsake sd` ([`crate::cmd_sd`]); only where the files lie,
//! their encryption (none) and their signatures differ.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::cmd_sd::{Card, extract, import_extdata, import_save, list, parse_id};
use crate::failure::Failure;
use crate::files::Force;

const AFTER_LIST: &str = "Example:\n  keepsake nand list CTRNAND/ --boot9 boot9.bin";
const AFTER_EXTRACT: &str = "Examples:\n  \
    keepsake nand extract CTRNAND/ --save 00010017 out/ --boot9 boot9.bin\n  \
    keepsake nand extract CTRNAND/ --extdata 00000000f000000b out/ --boot9 boot9.bin";
const AFTER_IMPORT: &str = "Examples:\n  \
    keepsake nand import CTRNAND/ --save 00010017 files/ --boot9 boot9.bin\n  \
    keepsake nand import CTRNAND/ --extdata 00000000f000000b files/ --boot9 boot9.bin\n\n\
    The previous files are kept under NANDROOT/keepsake-backups/<seconds since 1970>/, \
    in the same folders as below data/<ID0>/.";

#[derive(Subcommand)]
#[command(after_help = "Examples:\n  \
    keepsake nand list CTRNAND/ --boot9 boot9.bin\n  \
    keepsake nand extract CTRNAND/ --save 00010017 out/ --boot9 boot9.bin")]
pub enum NandCommand {
    /// List every system save and extdata archive, and whether each
    /// verifies (hashes and CMAC).
    #[command(after_help = AFTER_LIST)]
    List {
        /// The folder holding the CTR NAND partition's files (data/, private/ ...).
        nandroot: PathBuf,
        #[command(flatten)]
        keys: NandKeys,
        /// One JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Extract a system save or an extdata archive into OUTDIR.
    #[command(after_help = AFTER_EXTRACT)]
    Extract {
        /// The folder holding the CTR NAND partition's files (data/, private/ ...).
        nandroot: PathBuf,
        #[command(flatten)]
        archive: NandArchive,
        /// Where to write the files (created if needed; must be empty unless --force).
        outdir: PathBuf,
        #[command(flatten)]
        keys: NandKeys,
        #[command(flatten)]
        force: Force,
    },
    /// Make a system save or an extdata archive hold exactly DIR's tree
    /// (files missing from DIR are removed), signed so the console accepts
    /// it, with the extdata's Quota.dat updated; the previous files are kept.
    #[command(after_help = AFTER_IMPORT)]
    Import {
        /// The folder holding the CTR NAND partition's files (data/, private/ ...).
        nandroot: PathBuf,
        #[command(flatten)]
        archive: NandArchive,
        /// The folder whose tree the save or extdata is to hold exactly.
        dir: PathBuf,
        #[command(flatten)]
        keys: NandKeys,
    },
}

/// The console's key files; movable.sed defaults to the dump's own.
#[derive(Args)]
pub struct NandKeys {
    /// The console's ARM9 boot ROM dump (64 KiB, or its 32 KiB protected half).
    #[arg(long)]
    boot9: PathBuf,
    /// The console's movable.sed [default: NANDROOT/private/movable.sed].
    #[arg(long)]
    movable: Option<PathBuf>,
}

/// Which archive of the dump.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct NandArchive {
    /// A system save, by save id (8 hex digits, e.g. 00010017).
    #[arg(long, value_parser = parse_id, value_name = "SAVEID")]
    save: Option<u64>,
    /// An extdata archive, by extdata id (hex).
    #[arg(long, value_parser = parse_id, value_name = "ID")]
    extdata: Option<u64>,
}

/// A system save id is 32 bits: a longer one would name another save.
fn check_save_id(save: Option<u64>) -> Result<(), Failure> {
    match save {
        Some(id) if id > u64::from(u32::MAX) => Err(Failure::input(anyhow::anyhow!(
            "a system save id has at most 8 hex digits, found {id:x}"
        ))),
        _ => Ok(()),
    }
}

fn open(nandroot: &std::path::Path, keys: &NandKeys) -> Result<Card, Failure> {
    Card::open_nand(nandroot, &keys.boot9, keys.movable.as_deref())
}

pub fn run(command: NandCommand) -> Result<(), Failure> {
    match command {
        NandCommand::List {
            nandroot,
            keys,
            json,
        } => list(&open(&nandroot, &keys)?, json),
        NandCommand::Extract {
            nandroot,
            archive,
            outdir,
            keys,
            force,
        } => {
            check_save_id(archive.save)?;
            force.check_dir(&outdir)?;
            extract(
                &open(&nandroot, &keys)?,
                archive.save,
                archive.extdata,
                &outdir,
            )
        }
        NandCommand::Import {
            nandroot,
            archive,
            dir,
            keys,
        } => {
            check_save_id(archive.save)?;
            let card = open(&nandroot, &keys)?;
            match (archive.save, archive.extdata) {
                (Some(id), _) => import_save(&card, &nandroot, id, &dir),
                (None, Some(id)) => import_extdata(&card, &nandroot, id, &dir),
                (None, None) => Err(Failure::input(anyhow::anyhow!(
                    "pass --save SAVEID or --extdata ID"
                ))),
            }
        }
    }
}
