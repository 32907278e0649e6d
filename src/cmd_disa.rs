//! `keepsake disa` and `keepsake diff`: 3DS save containers on the PC —
//! inspect, list, extract, verify, format and import.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use keepsake_format::ctr::container::Container;
use keepsake_format::ctr::crypto::sign::{ExtdataFile, Key, SignatureKind};
use keepsake_format::ctr::partition::{LevelReport, PartitionReport};
use keepsake_format::ctr::savefs::format::SaveFormat;
use keepsake_format::ctr::savefs::{Node, ReadFileError, SaveFs, encode_name};
use keepsake_format::ctr::{diff, disa};
use keepsake_format::storage::{ReadAt, WriteAt};

use crate::failure::{FailWith, Failure, plural};
use crate::file_storage::{FileStorage, copy_sparse};
use crate::files::{Force, SyncedBatch, TempOutput, ensure_not_an_input, read_input};
use crate::hint::{self, Family};

#[derive(Subcommand)]
#[command(after_help = "\
Examples:
  keepsake disa info save.disa
  keepsake disa ls save.disa
  keepsake disa extract save.disa save-files/
  keepsake disa verify save.disa
  keepsake disa format new.disa --size 512K
  keepsake disa import save.disa save-files/ -o save-edited.disa
  keepsake disa rm save.disa old.bin -o save-edited.disa")]
pub enum DisaCommand {
    /// Show the header, partitions, filesystem and CMAC of a save.
    #[command(after_help = "Examples:\n  keepsake disa info save.disa\n  \
                      keepsake disa info save.disa --key 000102030405060708090a0b0c0d0e0f --sign nand:00020082\n\n\
                      Exit code 2 when a key is given and the CMAC does not match.")]
    Info {
        /// The plaintext DISA save (run `keepsake 3ds decrypt` on a cartridge's first).
        image: PathBuf,
        #[command(flatten)]
        signing: Signing,
    },
    /// List every directory and file with its size.
    #[command(after_help = "Example:\n  keepsake disa ls save.disa")]
    Ls {
        /// The plaintext DISA save.
        image: PathBuf,
    },
    /// Extract every file into DIR (created if needed; it must be empty
    /// unless --force is given); every block is checked first. A file with a
    /// corrupt or never-written block is named with the offset and left out;
    /// the others are extracted, and the exit code is 2.
    #[command(after_help = "Examples:\n  keepsake disa extract save.disa out/\n  \
                      keepsake disa extract save.disa out/ --force")]
    Extract {
        /// The plaintext DISA save.
        image: PathBuf,
        /// The folder to write the files into.
        dir: PathBuf,
        /// Extract into a folder that is not empty, replacing files of the same name.
        #[arg(long)]
        force: bool,
    },
    /// Check every hash at every level (never-written blocks are counted
    /// apart from corrupt ones), then walk the filesystem and read every
    /// file as `ls` and `extract` do. Exit code 2 when anything is corrupt, a
    /// file cannot be read, or the CMAC does not match the key given.
    #[command(after_help = "Examples:\n  keepsake disa verify save.disa\n  \
                      keepsake disa verify save.disa --key 000102030405060708090a0b0c0d0e0f --sign cart")]
    Verify {
        /// The plaintext DISA save.
        image: PathBuf,
        #[command(flatten)]
        signing: Signing,
    },
    /// Create a new, empty save image.
    #[command(
        after_help = "Examples:\n  keepsake disa format new.disa --size 512K\n  \
                      keepsake disa format sys.disa --size 1M --block-size 4096 --partitions 1 --max-files 30\n  \
                      keepsake disa format new.disa --size 512K --force"
    )]
    Format {
        /// Where to write the new image.
        output: PathBuf,
        /// Size of the image (bytes; K and M suffixes allowed).
        #[arg(long, value_parser = parse_size)]
        size: u64,
        /// Filesystem block size: 512 (game saves) or 4096 (system saves).
        #[arg(long, default_value_t = 512, value_parser = parse_block_size)]
        block_size: u32,
        /// 1: everything duplicated in one partition; 2: file data in a
        /// second partition, stored once.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
        partitions: u8,
        /// How many directories the filesystem can hold.
        #[arg(long, default_value_t = 10)]
        max_dirs: u32,
        /// How many files the filesystem can hold.
        #[arg(long, default_value_t = 10)]
        max_files: u32,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        force: Force,
    },
    /// Copy a directory tree into a save (new files are added, existing
    /// ones replaced) and write the result to OUTPUT.
    #[command(
        after_help = "Examples:\n  keepsake disa import save.disa files/ -o save-new.disa\n  \
                      keepsake disa import save.disa files/ -o save-new.disa --force"
    )]
    Import {
        /// The plaintext DISA save to start from (it is not changed).
        image: PathBuf,
        /// The folder whose tree is copied into the save.
        dir: PathBuf,
        /// Where to write the changed save.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        force: Force,
    },
    /// Delete files (or empty directories) from a save and write the result
    /// to OUTPUT.
    #[command(
        after_help = "Example:\n  keepsake disa rm save.disa old.bin logs/day1.txt -o save-new.disa"
    )]
    Rm {
        /// The plaintext DISA save to start from (it is not changed).
        image: PathBuf,
        /// Paths inside the save.
        #[arg(required = true)]
        paths: Vec<String>,
        /// Where to write the changed save.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        force: Force,
    },
}

#[derive(Subcommand)]
#[command(after_help = "\
Examples:
  keepsake diff info 00000001
  keepsake diff ls 00000001
  keepsake diff extract 00000001 contents.bin
  keepsake diff verify 00000001
  keepsake diff format new.bin --size 64K --unique-id 0x1234
  keepsake diff import 00000001 contents.bin -o 00000001.new")]
pub enum DiffCommand {
    /// Show the header, partition and CMAC of an extdata (DIFF) image.
    #[command(after_help = "Example:\n  keepsake diff info 00000001\n\n\
                      Exit code 2 when a key is given and the CMAC does not match.")]
    Info {
        /// The plaintext DIFF image (an extdata file).
        image: PathBuf,
        #[command(flatten)]
        signing: Signing,
    },
    /// Show the payload (the extdata file's contents) and its size.
    #[command(after_help = "Example:\n  keepsake diff ls 00000001")]
    Ls {
        /// The plaintext DIFF image.
        image: PathBuf,
    },
    /// Write the payload to OUTPUT, every block checked.
    #[command(
        after_help = "Examples:\n  keepsake diff extract 00000001 contents.bin\n  \
                      keepsake diff extract 00000001 contents.bin --force"
    )]
    Extract {
        /// The plaintext DIFF image.
        image: PathBuf,
        /// Where to write the payload.
        output: PathBuf,
        #[command(flatten)]
        force: Force,
    },
    /// Check every hash at every level. Exit code 2 when anything is corrupt,
    /// a payload block was never written (`extract` needs them all), or the
    /// CMAC does not match the key given.
    #[command(after_help = "Example:\n  keepsake diff verify 00000001")]
    Verify {
        /// The plaintext DIFF image.
        image: PathBuf,
        #[command(flatten)]
        signing: Signing,
    },
    /// Create a DIFF image holding SIZE zero bytes.
    #[command(
        after_help = "Examples:\n  keepsake diff format new.bin --size 64K --unique-id 0x1234\n  \
                      keepsake diff format new.bin --size 64K --force"
    )]
    Format {
        /// Where to write the new image.
        output: PathBuf,
        /// Size of the payload (bytes; K and M suffixes allowed).
        #[arg(long, value_parser = parse_size)]
        size: u64,
        /// The image's unique id (decimal, or hex with 0x).
        #[arg(long, default_value = "0", value_parser = parse_u64)]
        unique_id: u64,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        force: Force,
    },
    /// Build a new DIFF image holding FILE, with IMAGE's unique id.
    #[command(
        after_help = "Examples:\n  keepsake diff import 00000001 contents.bin -o 00000001.new\n  \
                      keepsake diff import 00000001 contents.bin -o 00000001.new --force"
    )]
    Import {
        /// The DIFF image whose unique id the new one keeps (it is not changed).
        image: PathBuf,
        /// The file whose contents become the payload.
        file: PathBuf,
        /// Where to write the new image.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        force: Force,
    },
}

/// The CMAC key and what the image is (which decides what is signed).
#[derive(Args)]
pub struct Signing {
    /// AES-CMAC key (32 hex digits) to check the CMAC, and to sign what is written.
    #[arg(long, value_parser = parse_key, requires = "sign")]
    key: Option<Key>,
    /// What the image is: cart, sd:TITLEID, nand:SAVEID, ext:EXTDATAID:DIR:FILE,
    /// ext:EXTDATAID:quota or db:DBID (ids in hex).
    #[arg(long, value_parser = parse_kind, requires = "key")]
    sign: Option<SignatureKind>,
}

impl Signing {
    fn pair(&self) -> Option<(Key, SignatureKind)> {
        Some((self.key?, self.sign?))
    }
}

fn parse_hex_u64(text: &str) -> anyhow::Result<u64> {
    u64::from_str_radix(text.trim_start_matches("0x"), 16)
        .map_err(|e| anyhow!("\"{text}\" is not a hex id: {e}"))
}

fn parse_u64(text: &str) -> anyhow::Result<u64> {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).map_err(Into::into),
        None => text.parse().map_err(Into::into),
    }
}

fn parse_size(text: &str) -> anyhow::Result<u64> {
    let (digits, unit) = match text.chars().last() {
        Some('K' | 'k') => (&text[..text.len() - 1], 1024),
        Some('M' | 'm') => (&text[..text.len() - 1], 1024 * 1024),
        _ => (text, 1),
    };
    parse_u64(digits)?
        .checked_mul(unit)
        .ok_or_else(|| anyhow!("{text} is too large"))
}

fn parse_block_size(text: &str) -> anyhow::Result<u32> {
    match text {
        "512" => Ok(512),
        "4096" => Ok(4096),
        _ => bail!("the block size is 512 or 4096"),
    }
}

fn parse_key(text: &str) -> anyhow::Result<Key> {
    let digits: Vec<u8> = text.bytes().collect();
    if digits.len() != 32 {
        bail!("a key is 32 hex digits, got {}", digits.len());
    }
    let mut key = [0u8; 16];
    for (i, pair) in digits.chunks(2).enumerate() {
        let pair = std::str::from_utf8(pair)?;
        key[i] = u8::from_str_radix(pair, 16).map_err(|_| anyhow!("\"{pair}\" is not hex"))?;
    }
    Ok(key)
}

fn parse_kind(text: &str) -> anyhow::Result<SignatureKind> {
    let parts: Vec<&str> = text.split(':').collect();
    let id32 = |t: &str| -> anyhow::Result<u32> { Ok(u32::try_from(parse_hex_u64(t)?)?) };
    Ok(match parts.as_slice() {
        ["cart"] => SignatureKind::Cartridge,
        ["sd", id] => SignatureKind::Sd {
            title_id: parse_hex_u64(id)?,
        },
        ["nand", id] => SignatureKind::Nand { save_id: id32(id)? },
        ["ext", id, "quota"] => SignatureKind::Extdata {
            extdata_id: parse_hex_u64(id)?,
            file: ExtdataFile::Quota,
        },
        ["ext", id, dir, file] => SignatureKind::Extdata {
            extdata_id: parse_hex_u64(id)?,
            file: ExtdataFile::Device {
                directory_id: id32(dir)?,
                file_id: id32(file)?,
            },
        },
        ["db", id] => SignatureKind::TitleDatabase {
            database_id: id32(id)?,
        },
        _ => bail!(
            "unknown kind \"{text}\": use cart, sd:ID, nand:ID, ext:ID:DIR:FILE, ext:ID:quota or db:ID"
        ),
    })
}

/// Images from this size up get progress bars.
const PROGRESS_FROM: u64 = 8 << 20;

fn progress_bar(total: u64, what: &str) -> ProgressBar {
    if total < PROGRESS_FROM {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec})")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

fn open_disa(path: &Path) -> Result<Container<FileStorage>, Failure> {
    disa::open(FileStorage::open(path)?)
        .map_err(|e| not_readable(path, "DISA save", e, Family::Disa))
}

fn open_diff(path: &Path) -> Result<Container<FileStorage>, Failure> {
    diff::open(FileStorage::open(path)?)
        .map_err(|e| not_readable(path, "DIFF image", e, Family::Diff))
}

/// The failure of an extraction from a mapped image that another program
/// asked to write to while `path` was being extracted: its bytes may not be
/// the ones that were checked, so nothing of the batch is put in place (the
/// batch, dropped, removes its temporary files).
fn changed_while_read(image: &Path, path: &str) -> Failure {
    Failure::input(anyhow!(
        "another program opened {} for writing while {path} was being extracted from it, so no file was put in place; run the extraction again once nothing writes to the image",
        image.display()
    ))
}

/// "X is not a readable WHAT: why", with what to run instead when the file
/// is another kind of save.
fn not_readable(path: &Path, what: &str, error: impl std::fmt::Display, family: Family) -> Failure {
    let hint = hint::for_file(path, family).map_or_else(String::new, |h| format!("; {h}"));
    Failure::input(anyhow!(
        "{} is not a readable {what}: {error}{hint}",
        path.display()
    ))
}

fn cmac_line<S: ReadAt>(storage: &S, signing: &Signing) -> Result<(String, bool), Failure> {
    let stored = disa::read_cmac(storage).bad_input("reading the CMAC")?;
    if stored.iter().all(|&b| b == 0) {
        return Ok(("CMAC: absent (all zero)".into(), signing.pair().is_none()));
    }
    match signing.pair() {
        None => Ok((
            "CMAC: present, unchecked (needs the console's key: --key and --sign)".into(),
            true,
        )),
        Some((key, kind)) => {
            let ok = disa::cmac_matches(storage, &key, &kind).bad_input("checking the CMAC")?;
            Ok((
                format!(
                    "CMAC: {}",
                    if ok {
                        "valid"
                    } else {
                        "INVALID for this key and kind"
                    }
                ),
                ok,
            ))
        }
    }
}

fn describe_partitions<S: ReadAt>(out: &mut String, container: &Container<S>, names: &[&str]) {
    let layout = container.layout();
    let _ = writeln!(
        out,
        "partition table: {} copy at {:#x}, {:#x} bytes, SHA-256 matches",
        if layout.active_table == 0 {
            "primary"
        } else {
            "secondary"
        },
        if layout.active_table == 0 {
            layout.primary_table
        } else {
            layout.secondary_table
        },
        layout.table_len
    );
    for (i, p) in container.partitions().iter().enumerate() {
        let (offset, size) = p.placement();
        let d = p.descriptor();
        let _ = writeln!(
            out,
            "partition {i} ({}): {:#x} bytes at {:#x}; payload {} bytes in {}-byte blocks, {}; DPFS level 1 copy {}",
            names.get(i).unwrap_or(&"?"),
            size,
            offset,
            p.len(),
            p.block_len(),
            if d.difi.external_level4.is_some() {
                "stored once (outside DPFS)"
            } else {
                "duplicated by DPFS"
            },
            d.difi.dpfs_selector
        );
    }
}

fn level_line(level: usize, r: &LevelReport) -> String {
    let mut line = format!(
        "  IVFC level {level}: {}, {} ok, {} never written",
        plural(r.blocks as usize, "block", "blocks"),
        r.verified,
        r.never_written
    );
    if !r.failed.is_empty() {
        let shown: Vec<String> = r.failed.iter().take(8).map(u64::to_string).collect();
        let more = if r.failed.len() > 8 { ", ..." } else { "" };
        let _ = write!(
            line,
            ", {} FAILED (blocks {}{more})",
            r.failed.len(),
            shown.join(", ")
        );
    }
    if r.unverifiable > 0 {
        let _ = write!(
            line,
            ", {} unverifiable (under a failed hash block)",
            r.unverifiable
        );
    }
    line
}

/// Verifies every hash of every partition, remembering what it found so
/// that a filesystem check afterwards reads without hashing again.
fn verify_container<S: ReadAt + Sync>(
    container: &mut Container<S>,
    names: &[&str],
) -> Result<(String, bool, Vec<PartitionReport>), Failure> {
    let total: u64 = container.partitions().iter().map(|p| p.len()).sum();
    let bar = progress_bar(total, "verifying");
    let reports: Vec<PartitionReport> = container
        .verify_remembering(&|done| bar.set_position(done))
        .bad_input("verifying")?;
    bar.finish_and_clear();
    let mut out = String::new();
    let mut sound = true;
    for (i, report) in reports.iter().enumerate() {
        let _ = writeln!(out, "partition {i} ({}):", names.get(i).unwrap_or(&"?"));
        for (level, r) in report.levels.iter().enumerate() {
            let _ = writeln!(out, "{}", level_line(level + 1, r));
        }
        sound &= report.is_sound();
    }
    Ok((out, sound, reports))
}

/// Walks the filesystem and reads every file, as `ls` and `extract` do, so
/// that `verify` calls an image sound only when both would work on it
/// (blocks never written are fine until a file needs one).
fn check_filesystem<S: ReadAt>(container: Container<S>) -> (String, bool) {
    let mut fs = match SaveFs::open(container) {
        Ok(fs) => fs,
        Err(e) => return (format!("filesystem: cannot be opened: {e}\n"), false),
    };
    match fs.check() {
        Err(e) => (
            format!("filesystem: the directory tree cannot be read: {e}\n"),
            false,
        ),
        Ok(check) => {
            let mut out = format!(
                "filesystem: {}, {}",
                plural(check.dirs as usize, "directory", "directories"),
                plural(check.files as usize, "file", "files")
            );
            if check.unreadable.is_empty() {
                out.push_str(", every file readable\n");
            } else {
                let _ = writeln!(
                    out,
                    "; {} of {} cannot be read:",
                    check.unreadable.len(),
                    plural(check.files as usize, "file", "files")
                );
                for (_, error) in &check.unreadable {
                    let _ = writeln!(out, "  {error}");
                }
            }
            (out, check.unreadable.is_empty())
        }
    }
}

pub fn run_disa(command: DisaCommand) -> Result<(), Failure> {
    match command {
        DisaCommand::Info { image, signing } => {
            let container = open_disa(&image)?;
            let mut out = format!(
                "{}: DISA save, {} bytes\n",
                image.display(),
                container.storage().size()
            );
            let (cmac, cmac_ok) = cmac_line(container.storage(), &signing)?;
            let _ = writeln!(out, "{cmac}");
            describe_partitions(&mut out, &container, &["SAVE", "DATA"]);
            let mut fs = SaveFs::open(container).bad_input("reading the filesystem")?;
            let info = *fs.info();
            let listing = fs.walk().bad_input("walking the filesystem")?;
            let files = listing.iter().filter(|l| l.size.is_some()).count();
            let _ = writeln!(
                out,
                "filesystem: {}-byte blocks, {} ({} free); {} of {}, {} of {}; buckets {} / {}",
                info.block_len,
                plural(info.data_blocks as usize, "data block", "data blocks"),
                fs.free_blocks().bad_input("reading the FAT")?,
                listing.len() - files,
                plural(info.max_dirs as usize, "directory", "directories"),
                files,
                plural(info.max_files as usize, "file", "files"),
                info.dir_buckets,
                info.file_buckets
            );
            print!("{out}");
            cmac_verdict(cmac_ok, &image)
        }
        DisaCommand::Ls { image } => {
            let mut fs = SaveFs::open(open_disa(&image)?).bad_input("reading the filesystem")?;
            for entry in fs.walk().bad_input("walking the filesystem")? {
                match entry.size {
                    Some(size) => println!("{size:>12}  {}", entry.path),
                    None => println!("{:>12}  {}/", "-", entry.path),
                }
            }
            Ok(())
        }
        DisaCommand::Extract { image, dir, force } => {
            Force { force }.check_dir(&dir)?;
            // Mapped where that is safe: each file's bytes are checked and
            // written out where they sit, without a copy in between.
            let container = disa::open(FileStorage::open_mapped(&image)?)
                .map_err(|e| not_readable(&image, "DISA save", e, Family::Disa))?;
            let mut fs = SaveFs::open(container).bad_input("reading the filesystem")?;
            let listing = fs.walk().bad_input("walking the filesystem")?;
            let total: u64 = listing.iter().filter_map(|l| l.size).sum();
            let bar = progress_bar(total, "extracting");
            fs::create_dir_all(&dir).failed(format!("cannot create {}", dir.display()))?;
            let mut unreadable = Vec::new();
            let mut batch = SyncedBatch::new();
            for entry in &listing {
                let target = safe_join(&dir, &entry.path)?;
                let file = match entry.node {
                    Node::Dir(_) => {
                        fs::create_dir_all(&target)
                            .failed(format!("cannot create {}", target.display()))?;
                        continue;
                    }
                    Node::File(f) => f,
                };
                let mut out = SyncedBatch::create(&target, &[&image])?;
                match fs.read_file_with(file, &entry.path, |bytes| {
                    bar.inc(bytes.len() as u64);
                    out.write(bytes)
                }) {
                    Ok(()) => {
                        if !fs.disa().storage().unchanged() {
                            return Err(changed_while_read(&image, &entry.path));
                        }
                        batch.add(out);
                    }
                    // A file that cannot be read is reported (its
                    // temporary file removed); the others are still
                    // extracted.
                    Err(ReadFileError::Fs(error)) => unreadable.push(error.to_string()),
                    Err(ReadFileError::Sink(failure)) => return Err(failure),
                }
            }
            batch.finish()?;
            bar.finish_and_clear();
            if !unreadable.is_empty() {
                let files = listing.iter().filter(|l| l.size.is_some()).count();
                return Err(Failure::input(anyhow!(
                    "{} of {} in {} cannot be read (the others were extracted into {}):\n  {}",
                    unreadable.len(),
                    plural(files, "file", "files"),
                    image.display(),
                    dir.display(),
                    unreadable.join("\n  ")
                )));
            }
            println!(
                "extracted {} ({}) into {}",
                plural(listing.len(), "entry", "entries"),
                plural(total as usize, "byte", "bytes"),
                dir.display()
            );
            Ok(())
        }
        DisaCommand::Verify { image, signing } => {
            let mut container = open_disa(&image)?;
            let (cmac, cmac_ok) = cmac_line(container.storage(), &signing)?;
            let (text, sound, _) = verify_container(&mut container, &["SAVE", "DATA"])?;
            let (fs_text, readable) = check_filesystem(container);
            print!("{cmac}\n{text}{fs_text}");
            let unreadable =
                (!readable).then_some("the filesystem cannot be read whole (see above)");
            finish_verify(sound, unreadable, cmac_ok, &image)
        }
        DisaCommand::Format {
            output,
            size,
            block_size,
            partitions,
            max_dirs,
            max_files,
            signing,
            force,
        } => {
            force.check(&output, &[])?;
            let format = SaveFormat::new(block_size, max_dirs, max_files, partitions == 1);
            let fs = format.format(size).bad_input("formatting")?;
            let blocks = fs.info().data_blocks;
            let bytes = write_checked(fs, &signing, &output, &[], force)?;
            println!(
                "wrote {} ({}, {}, {} of {block_size} bytes)",
                output.display(),
                plural(bytes.len(), "byte", "bytes"),
                plural(usize::from(partitions), "partition", "partitions"),
                plural(blocks as usize, "data block", "data blocks")
            );
            Ok(())
        }
        DisaCommand::Import {
            image,
            dir,
            output,
            signing,
            force,
        } => {
            force.check(&output, &[&image, &dir])?;
            let (mut fs, temp) = open_for_change(&image, &output)?;
            let mut files = Vec::new();
            collect_tree(&dir, "", &mut files)?;
            let total: u64 = files
                .iter()
                .filter_map(|(_, p)| p.as_ref())
                .map(|p| fs::metadata(p).map_or(0, |m| m.len()))
                .sum();
            let bar = progress_bar(total, "importing");
            for (path, source) in &files {
                match source {
                    None => match fs.lookup(path) {
                        Ok(Node::Dir(_)) => {}
                        _ => {
                            fs.create_dir(path).bad_input(format!("creating {path}"))?;
                        }
                    },
                    Some(source) => {
                        let data = read_input(source)?;
                        fs.write_file(path, &data)
                            .bad_input(format!("importing {}", source.display()))?;
                        bar.inc(data.len() as u64);
                    }
                }
            }
            bar.finish_and_clear();
            let cmac = write_changed(fs, temp, &signing, &output, &[&image, &dir], force)?;
            println!(
                "imported {} into {}",
                plural(files.len(), "entry", "entries"),
                output.display()
            );
            warn_if_stale(&cmac, &signing);
            Ok(())
        }
        DisaCommand::Rm {
            image,
            paths,
            output,
            signing,
            force,
        } => {
            force.check(&output, &[&image])?;
            let (mut fs, temp) = open_for_change(&image, &output)?;
            for path in &paths {
                fs.remove(path).bad_input(format!("removing {path}"))?;
            }
            let cmac = write_changed(fs, temp, &signing, &output, &[&image], force)?;
            println!(
                "removed {}; wrote {}",
                plural(paths.len(), "entry", "entries"),
                output.display()
            );
            warn_if_stale(&cmac, &signing);
            Ok(())
        }
    }
}

fn finish_verify(
    sound: bool,
    unreadable: Option<&str>,
    cmac_ok: bool,
    image: &Path,
) -> Result<(), Failure> {
    if !sound {
        return Err(Failure::input(anyhow!(
            "{} is corrupt: some blocks fail their hash",
            image.display()
        )));
    }
    if let Some(why) = unreadable {
        return Err(Failure::input(anyhow!("{}: {why}", image.display())));
    }
    cmac_verdict(cmac_ok, image)?;
    println!("{}: every hash matches", image.display());
    Ok(())
}

/// Exit code 2 when a key was given and the CMAC does not match it.
fn cmac_verdict(cmac_ok: bool, image: &Path) -> Result<(), Failure> {
    if cmac_ok {
        Ok(())
    } else {
        Err(Failure::input(anyhow!(
            "{}: the CMAC does not match",
            image.display()
        )))
    }
}

/// A changed image keeps its old CMAC unless a key was given: say so.
fn warn_if_stale(cmac: &[u8; 16], signing: &Signing) {
    if signing.pair().is_none() && cmac.iter().any(|&b| b != 0) {
        eprintln!(
            "note: the image's CMAC was not renewed (it needs the console's key: --key and --sign); \
             a console will reject the image until it is signed again"
        );
    }
}

/// Copies a save to a temporary file beside `output` (which must not be the
/// save itself) and opens the copy to be changed in place, so that the
/// image is never held whole in memory and the input is never touched.
fn open_for_change(
    image: &Path,
    output: &Path,
) -> Result<(SaveFs<FileStorage>, TempOutput), Failure> {
    ensure_not_an_input(output, &[image])?;
    // Refuse what is not a save before copying anything.
    drop(open_disa(image)?);
    let mut source = fs::File::open(image).bad_input(format!("cannot read {}", image.display()))?;
    let len = source
        .metadata()
        .bad_input(format!("cannot read {}", image.display()))?
        .len();
    let cannot_write = || format!("cannot write {}", output.display());
    let (temp, file) = TempOutput::create(output).failed(cannot_write())?;
    copy_sparse(&mut source, &file, len).failed(format!(
        "cannot copy {} beside {}",
        image.display(),
        output.display()
    ))?;
    let storage = FileStorage::over(file).failed(cannot_write())?;
    let container =
        disa::open(storage).map_err(|e| not_readable(image, "DISA save", e, Family::Disa))?;
    let fs = SaveFs::open(container).bad_input("reading the filesystem")?;
    Ok((fs, temp))
}

/// Commits the changes to a save, reads the result back as a fresh reader
/// would (header, every hash, the directory tree) and signs it when a key
/// is given. An image that fails the reading back is never written out.
/// `alongside` runs on a second thread while the image is read back.
fn commit_checked<S: WriteAt + Sync>(
    mut fs: SaveFs<S>,
    signing: &Signing,
    output: &Path,
    alongside: impl FnOnce(&S) + Send,
) -> Result<S, Failure> {
    fs.commit().failed("committing the changes")?;
    let mut storage = fs.into_disa().into_storage();
    let checked = std::thread::scope(|scope| {
        let storage = &storage;
        scope.spawn(move || alongside(storage));
        check_new_image(storage)
    });
    let sound = checked
        .map_err(|e| Failure::failed(anyhow!("{e:#}; nothing written to {}", output.display())))?;
    if !sound {
        return Err(Failure::input(anyhow!(
            "the changed image would still hold blocks that fail their hash: the input is \
             corrupt (`keepsake disa verify` shows where); nothing written to {}",
            output.display()
        )));
    }
    sign(&mut storage, signing)?;
    Ok(storage)
}

/// [`commit_checked`] on an image built in memory, then written. Returns
/// the bytes written.
fn write_checked(
    fs: SaveFs<Vec<u8>>,
    signing: &Signing,
    output: &Path,
    inputs: &[&Path],
    force: Force,
) -> Result<Vec<u8>, Failure> {
    let bytes = commit_checked(fs, signing, output, |_| {})?;
    force.write(output, &bytes, inputs)?;
    Ok(bytes)
}

/// [`commit_checked`] on a copy made by [`open_for_change`], then renamed
/// over `output`. Returns the CMAC the output holds.
fn write_changed(
    fs: SaveFs<FileStorage>,
    temp: TempOutput,
    signing: &Signing,
    output: &Path,
    inputs: &[&Path],
    force: Force,
) -> Result<[u8; 16], Failure> {
    // The disk writes the changed blocks while they are hashed again, so
    // the flush before the rename has little left to wait for. Its own
    // errors are left to that flush, which reports them.
    let storage = commit_checked(fs, signing, output, |storage| {
        let _ = storage.file().sync_data();
    })?;
    let cmac = disa::read_cmac(&storage).failed("reading the new CMAC")?;
    // Checked again: time has passed since the command started.
    force.check(output, inputs)?;
    temp.persist(storage.into_file(), output)
        .failed(format!("cannot write {}", output.display()))?;
    Ok(cmac)
}

/// Opens a freshly built image, walks its directory tree and says whether
/// every hash holds.
fn check_new_image<S: ReadAt + Sync>(storage: &S) -> anyhow::Result<bool> {
    let mut container =
        disa::open(storage).map_err(|e| anyhow!("the new image does not open: {e}"))?;
    // Remembering what it found, so that the walk below hashes no block twice.
    let reports = container
        .verify_remembering(&|_| {})
        .map_err(|e| anyhow!("the new image cannot be verified: {e}"))?;
    let mut fs = SaveFs::open(container)
        .map_err(|e| anyhow!("the new image's filesystem does not open: {e}"))?;
    let check = fs
        .check()
        .map_err(|e| anyhow!("the new image's directory tree is unreadable: {e}"))?;
    Ok(reports.iter().all(PartitionReport::is_sound) && check.unreadable.is_empty())
}

fn sign<S: WriteAt>(storage: &mut S, signing: &Signing) -> Result<(), Failure> {
    if let Some((key, kind)) = signing.pair() {
        disa::resign(storage, &key, &kind).failed("signing")?;
    }
    Ok(())
}

/// `dir` joined with a slash-separated path from an image, refusing
/// anything that could leave `dir`.
fn safe_join(dir: &Path, path: &str) -> Result<PathBuf, Failure> {
    let mut out = dir.to_path_buf();
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains(['\\', ':']) {
            return Err(Failure::input(anyhow!(
                "the image holds an unsafe name \"{path}\"; refusing to extract it"
            )));
        }
        out.push(part);
    }
    Ok(out)
}

/// Directories and files under `dir`, parents first, sorted by name:
/// (path in the image, source file or `None` for a directory).
pub(crate) fn collect_tree(
    dir: &Path,
    prefix: &str,
    out: &mut Vec<(String, Option<PathBuf>)>,
) -> Result<(), Failure> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .bad_input(format!("cannot list {}", dir.display()))?
        .collect::<Result<_, _>>()
        .bad_input(format!("cannot list {}", dir.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_str().ok_or_else(|| {
            Failure::input(anyhow!("{}: the name is not UTF-8", entry.path().display()))
        })?;
        encode_name(name).bad_input(format!("{}", entry.path().display()))?;
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry
            .file_type()
            .bad_input(format!("{}", entry.path().display()))?;
        if kind.is_dir() {
            out.push((path.clone(), None));
            collect_tree(&entry.path(), &path, out)?;
        } else {
            out.push((path, Some(entry.path())));
        }
    }
    Ok(())
}

pub fn run_diff(command: DiffCommand) -> Result<(), Failure> {
    match command {
        DiffCommand::Info { image, signing } => {
            let container = open_diff(&image)?;
            let id = diff::unique_id(container.storage()).bad_input("reading the header")?;
            let mut out = format!(
                "{}: DIFF image, {} bytes, unique id {id:#018x}\n",
                image.display(),
                container.storage().size()
            );
            let (cmac, cmac_ok) = cmac_line(container.storage(), &signing)?;
            let _ = writeln!(out, "{cmac}");
            describe_partitions(&mut out, &container, &["payload"]);
            print!("{out}");
            cmac_verdict(cmac_ok, &image)
        }
        DiffCommand::Ls { image } => {
            let container = open_diff(&image)?;
            println!("{:>12}  (payload)", container.partitions()[0].len());
            Ok(())
        }
        DiffCommand::Extract {
            image,
            output,
            force,
        } => {
            force.check(&output, &[&image])?;
            let mut container = open_diff(&image)?;
            let len = container.partitions()[0].len();
            let bar = progress_bar(len, "extracting");
            let mut data = vec![0u8; len as usize];
            // Pieces, so the bar moves; every block is still checked.
            let piece = 4 << 20;
            for start in (0..data.len()).step_by(piece) {
                let end = (start + piece).min(data.len());
                container
                    .read(0, start as u64, &mut data[start..end])
                    .bad_input(format!("reading the payload of {}", image.display()))?;
                bar.set_position(end as u64);
            }
            bar.finish_and_clear();
            force.write(&output, &data, &[&image])?;
            println!(
                "wrote {} ({})",
                output.display(),
                plural(data.len(), "byte", "bytes")
            );
            Ok(())
        }
        DiffCommand::Verify { image, signing } => {
            let mut container = open_diff(&image)?;
            let (cmac, cmac_ok) = cmac_line(container.storage(), &signing)?;
            let (text, sound, reports) = verify_container(&mut container, &["payload"])?;
            print!("{cmac}\n{text}");
            // The payload is one file: `extract` needs every block of it.
            let unwritten = reports[0].levels[3].never_written;
            let unreadable = (unwritten > 0).then_some(
                "payload blocks were never written, so the payload cannot be extracted whole",
            );
            finish_verify(sound, unreadable, cmac_ok, &image)
        }
        DiffCommand::Format {
            output,
            size,
            unique_id,
            signing,
            force,
        } => {
            force.check(&output, &[])?;
            let contents = vec![0u8; usize::try_from(size).bad_input("size")?];
            let mut bytes = diff::build(&contents, unique_id).bad_input("formatting")?;
            sign(&mut bytes, &signing)?;
            force.write(&output, &bytes, &[])?;
            println!(
                "wrote {} ({})",
                output.display(),
                plural(bytes.len(), "byte", "bytes")
            );
            Ok(())
        }
        DiffCommand::Import {
            image,
            file,
            output,
            signing,
            force,
        } => {
            force.check(&output, &[&image, &file])?;
            let unique_id = {
                let container = open_diff(&image)?;
                diff::unique_id(container.storage()).bad_input("reading the header")?
            };
            let contents = read_input(&file)?;
            let mut bytes = diff::build(&contents, unique_id).bad_input("building the image")?;
            sign(&mut bytes, &signing)?;
            force.write(&output, &bytes, &[&image, &file])?;
            println!(
                "wrote {} ({}, payload {})",
                output.display(),
                plural(bytes.len(), "byte", "bytes"),
                plural(contents.len(), "byte", "bytes")
            );
            Ok(())
        }
    }
}
