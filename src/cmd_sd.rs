//! `keepsake sd`: saves and extdata straight from a 3DS's SD card, with the
//! console's own boot9.bin and movable.sed — list, extract and import, no
//! FUSE.
//!
//! The card's console folder is `SDROOT/Nintendo 3DS/<ID0>/<ID1>/`; ID0 must
//! be the one the keys give. Keys are derived in memory and never printed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::{Args, Subcommand};
use keepsake_format::ctr::bdri::DbKind;
use keepsake_format::ctr::diff;
use keepsake_format::ctr::keys::ConsoleKeys;
use keepsake_format::ctr::nand::{self, system_save_file};
use keepsake_format::ctr::savefs::{Node, ReadFileError};
use keepsake_format::ctr::sd::import::{
    DeviceChange, TreeEntry, replace_extdata_tree, replace_tree,
};
use keepsake_format::ctr::sd::paths::{
    extdata_device_file, extdata_folder, join_halves, parse_half, save_file,
};
use keepsake_format::ctr::sd::{SdError, card, extdata, save, title_db};
use keepsake_format::ctr::vsxe::quota::{Quota, QuotaChange};
use keepsake_format::ctr::vsxe::{ExtEntry, ExtFile};
use serde::Serialize;

use crate::failure::{FailWith, Failure};
use crate::files::{Force, SyncedBatch, read_input, write_output};

const AFTER_LIST: &str = "Example:\n  \
    keepsake sd list /media/SD --boot9 boot9.bin --movable movable.sed\n  \
    keepsake sd list /media/SD --boot9 boot9.bin --movable movable.sed --json";
const AFTER_IMPORT: &str = "Example:\n  \
    keepsake sd import /media/SD --save 00040000000abc00 files/ --boot9 boot9.bin --movable movable.sed\n  \
    keepsake sd import /media/SD --extdata 0000000000000abc files/ --boot9 boot9.bin --movable movable.sed\n\n\
    The previous files are kept under SDROOT/keepsake-backups/<seconds since 1970>/, \
    in the same folders as below the card's ID1 folder.";
const AFTER_EXTRACT: &str = "Examples:\n  \
    keepsake sd extract /media/SD --save 00040000000abc00 out/ --boot9 boot9.bin --movable movable.sed\n  \
    keepsake sd extract /media/SD --extdata 0000000000000abc out/ --boot9 boot9.bin --movable movable.sed --force";

#[derive(Subcommand)]
#[command(after_help = "Examples:\n  \
    keepsake sd list /media/SD --boot9 boot9.bin --movable movable.sed\n  \
    keepsake sd extract /media/SD --save 00040000000abc00 out/ --boot9 boot9.bin --movable movable.sed")]
pub enum SdCommand {
    /// List every title's save and every extdata archive on the card, and
    /// whether each verifies (hashes and CMAC).
    #[command(after_help = AFTER_LIST)]
    List {
        /// The SD card's root (the folder holding 'Nintendo 3DS').
        sdroot: PathBuf,
        #[command(flatten)]
        keys: KeyFiles,
        /// One JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Extract a title's save or an extdata archive into OUTDIR (created if
    /// needed), file by file; every block is checked.
    #[command(after_help = AFTER_EXTRACT)]
    Extract {
        /// The SD card's root (the folder holding 'Nintendo 3DS').
        sdroot: PathBuf,
        #[command(flatten)]
        archive: Archive,
        /// Where to write the files (created if needed; must be empty unless --force).
        outdir: PathBuf,
        #[command(flatten)]
        keys: KeyFiles,
        #[command(flatten)]
        force: Force,
    },
    /// Make a title's save or an extdata archive hold exactly DIR's tree
    /// (files missing from DIR are removed), signed with the console's key
    /// so it accepts it; the previous files are kept.
    #[command(after_help = AFTER_IMPORT)]
    Import {
        /// The SD card's root (the folder holding 'Nintendo 3DS').
        sdroot: PathBuf,
        #[command(flatten)]
        archive: Archive,
        /// The folder whose tree the archive is to hold exactly.
        dir: PathBuf,
        #[command(flatten)]
        keys: KeyFiles,
    },
}

/// The console's key files.
#[derive(Args)]
pub struct KeyFiles {
    /// The console's ARM9 boot ROM dump (64 KiB, or its 32 KiB protected half).
    #[arg(long)]
    boot9: PathBuf,
    /// The console's movable.sed.
    #[arg(long)]
    movable: PathBuf,
}

/// Which archive of the card.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct Archive {
    /// A title's save, by title id (16 hex digits, e.g. 00040000000abc00).
    #[arg(long, value_parser = parse_id, value_name = "TITLEID")]
    save: Option<u64>,
    /// An extdata archive, by extdata id (hex, e.g. 0000000000000abc).
    #[arg(long, value_parser = parse_id, value_name = "ID")]
    extdata: Option<u64>,
}

pub(crate) fn parse_id(text: &str) -> anyhow::Result<u64> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(anyhow!("expected up to 16 hex digits, found \"{text}\""));
    }
    Ok(u64::from_str_radix(digits, 16)?)
}

/// An SD card or a NAND dump opened with a console's keys.
pub(crate) struct Card {
    keys: ConsoleKeys,
    /// The console's folder: `SDROOT/Nintendo 3DS/<ID0>/<ID1>` on an SD
    /// card, `NANDROOT/data/<ID0>` in a NAND dump.
    id1_dir: PathBuf,
    /// A NAND dump: system saves instead of titles' saves, nothing
    /// encrypted, extdata with a Quota.dat.
    nand: bool,
}

/// Names of the subfolders of `dir`.
fn folder_names(dir: &Path) -> Result<Vec<String>, Failure> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).bad_input(format!("cannot list {}", dir.display()))? {
        let entry = entry.bad_input(format!("cannot list {}", dir.display()))?;
        if entry.file_type().is_ok_and(|t| t.is_dir())
            && let Ok(name) = entry.file_name().into_string()
        {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

impl Card {
    fn open(sdroot: &Path, files: &KeyFiles) -> Result<Self, Failure> {
        let boot9 = read_input(&files.boot9)?;
        let movable = read_input(&files.movable)?;
        let keys = ConsoleKeys::derive(&boot9, &movable).bad_input("reading the keys")?;
        let n3ds = sdroot.join("Nintendo 3DS");
        if !n3ds.is_dir() {
            return Err(Failure::input(anyhow!(
                "{} has no 'Nintendo 3DS' folder; pass the root of the 3DS's SD card",
                sdroot.display()
            )));
        }
        let id0_names = folder_names(&n3ds)?;
        let id0 = card::find_id0(keys.id0(), &id0_names)
            .bad_input(format!("{}", sdroot.display()))?
            .to_string();
        let id1_names = folder_names(&n3ds.join(&id0))?;
        let id1 = card::find_id1(&id0, &id1_names).bad_input(format!("{}", sdroot.display()))?;
        let id1_dir = n3ds.join(&id0).join(id1);
        Ok(Card {
            keys,
            id1_dir,
            nand: false,
        })
    }

    /// Opens a NAND dump folder (the CTR NAND partition's files); its own
    /// `private/movable.sed` serves unless another is given.
    pub(crate) fn open_nand(
        nandroot: &Path,
        boot9: &Path,
        movable: Option<&Path>,
    ) -> Result<Self, Failure> {
        let default_movable = nandroot.join("private").join("movable.sed");
        let boot9 = read_input(boot9)?;
        let movable = read_input(movable.unwrap_or(&default_movable))?;
        let keys = ConsoleKeys::derive(&boot9, &movable).bad_input("reading the keys")?;
        let data = nandroot.join("data");
        if !data.is_dir() {
            return Err(Failure::input(anyhow!(
                "{} has no 'data' folder; pass the folder holding the CTR NAND partition's files",
                nandroot.display()
            )));
        }
        let id0_names = folder_names(&data)?;
        let id0 = card::find_id0_in("the NAND dump", "data", keys.id0(), &id0_names)
            .bad_input(format!("{}", nandroot.display()))?
            .to_string();
        Ok(Card {
            keys,
            id1_dir: data.join(id0),
            nand: true,
        })
    }

    /// Components of save `id`'s file.
    fn save_components(&self, id: u64) -> Vec<String> {
        if self.nand {
            system_save_file(id as u32)
        } else {
            save_file(id)
        }
    }

    /// How save `id` is named in messages.
    fn save_name(&self, id: u64) -> String {
        if self.nand {
            format!("system save {id:08x}")
        } else {
            format!("save of title {id:016x}")
        }
    }

    fn save_from_bytes(&self, id: u64, bytes: Vec<u8>) -> Result<save::SdSave, SdError> {
        if self.nand {
            nand::open_system_save(&self.keys, id as u32, bytes)
        } else {
            save::open(&self.keys, id, bytes)
        }
    }

    fn seal_save(&self, id: u64, plain: Vec<u8>) -> Vec<u8> {
        if self.nand {
            nand::seal_system_save(&self.keys, id as u32, plain)
        } else {
            save::seal(&self.keys, id, plain)
        }
    }

    fn path_of(&self, components: &[String]) -> PathBuf {
        components
            .iter()
            .fold(self.id1_dir.clone(), |p, c| p.join(c))
    }

    fn read(&self, components: &[String]) -> Result<Vec<u8>, Failure> {
        read_input(&self.path_of(components))
    }

    /// Ids named by `<8 hex>/<8 hex>` folders under `top` (`title` or
    /// `extdata`) for which `has` holds, sorted.
    fn ids_under(&self, top: &str, has: impl Fn(u64) -> bool) -> Result<Vec<u64>, Failure> {
        let dir = self.id1_dir.join(top);
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut ids = Vec::new();
        for high in folder_names(&dir)? {
            if parse_half(&high).is_none() {
                continue;
            }
            for low in folder_names(&dir.join(&high))? {
                if let Some(id) = join_halves(&high, &low)
                    && has(id)
                {
                    ids.push(id);
                }
            }
        }
        ids.sort_unstable();
        Ok(ids)
    }

    fn saves(&self) -> Result<Vec<u64>, Failure> {
        if !self.nand {
            return self.ids_under("title", |id| self.path_of(&save_file(id)).is_file());
        }
        let dir = self.id1_dir.join("sysdata");
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<u64> = folder_names(&dir)?
            .iter()
            .filter_map(|name| parse_half(name))
            .map(u64::from)
            .filter(|&id| self.path_of(&system_save_file(id as u32)).is_file())
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    fn extdata_ids(&self) -> Result<Vec<u64>, Failure> {
        self.ids_under("extdata", |id| {
            self.path_of(&extdata_device_file(id, extdata::META_INDEX))
                .is_file()
        })
    }

    /// The file at `components`, or an error saying the card has no `what`.
    fn read_archive_file(&self, components: &[String], what: String) -> Result<Vec<u8>, Failure> {
        let path = self.path_of(components);
        if !path.is_file() {
            return Err(Failure::input(anyhow!(
                "the card has no {what} (looked for {})",
                path.display()
            )));
        }
        read_input(&path)
    }

    fn open_save(&self, id: u64) -> Result<save::SdSave, Failure> {
        let bytes = self.read_archive_file(&self.save_components(id), self.save_name(id))?;
        self.save_from_bytes(id, bytes)
            .bad_input("opening the save")
    }

    fn open_extdata(&self, id: u64) -> Result<extdata::SdExtdata, Failure> {
        let bytes = self.read_archive_file(
            &extdata_device_file(id, extdata::META_INDEX),
            format!("extdata {id:016x}"),
        )?;
        self.extdata_from_bytes(id, bytes)
            .bad_input("opening the extdata")
    }

    fn extdata_from_bytes(&self, id: u64, bytes: Vec<u8>) -> Result<extdata::SdExtdata, SdError> {
        if self.nand {
            extdata::open_plain(&self.keys, id, bytes)
        } else {
            extdata::open(&self.keys, id, bytes)
        }
    }

    /// Signs (and on an SD card encrypts) device file `index`.
    fn seal_ext(&self, id: u64, index: u32, plain: Vec<u8>) -> Vec<u8> {
        if self.nand {
            extdata::seal_plain(&self.keys, id, index, plain)
        } else {
            extdata::seal(&self.keys, id, index, plain)
        }
    }

    fn ext_file_from_bytes(
        &self,
        id: u64,
        file: &ExtFile,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<(Vec<u8>, bool), SdError> {
        if self.nand {
            extdata::read_file_plain(&self.keys, id, file, name, bytes)
        } else {
            extdata::read_file(&self.keys, id, file, name, bytes)
        }
    }

    /// The contents of an extdata file and whether its CMAC is good. A file
    /// without a device file is empty, as the console treats it.
    fn read_ext_file(&self, id: u64, entry: &ExtEntry) -> Result<(Vec<u8>, bool), Failure> {
        let file = entry.file.expect("called on files only");
        let components = extdata_device_file(id, file.device_index);
        if !self.path_of(&components).exists() {
            return Ok((Vec::new(), true));
        }
        let bytes = self.read(&components)?;
        self.ext_file_from_bytes(id, &file, &entry.path, bytes)
            .bad_input("reading the extdata")
    }
}

/// One line of `sd list`.
#[derive(Serialize)]
struct ListEntry {
    kind: &'static str,
    /// 16 hex digits.
    id: String,
    /// Size of the save file in bytes (saves only).
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    files: Option<usize>,
    /// Title version (installed titles only).
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u16>,
    verifies: bool,
    /// Why it does not verify or could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

fn list_save(card: &Card, title_id: u64) -> ListEntry {
    let size = fs::metadata(card.path_of(&card.save_components(title_id)))
        .ok()
        .map(|m| m.len());
    let mut entry = ListEntry {
        kind: if card.nand { "system-save" } else { "save" },
        id: if card.nand {
            format!("{title_id:08x}")
        } else {
            format!("{title_id:016x}")
        },
        size,
        files: None,
        version: None,
        verifies: false,
        problem: None,
    };
    let result = (|| -> Result<(), Failure> {
        let mut opened = card.open_save(title_id)?;
        let listing = opened.fs.walk().bad_input("walking the filesystem")?;
        entry.files = Some(listing.iter().filter(|l| l.size.is_some()).count());
        // Every block in use is checked: the metadata when the save opened,
        // each file's blocks as it is read. Blocks no file uses are not:
        // tools and the console leave them unwritten, and on the card an
        // unwritten hash decrypts to noise that cannot be told from damage.
        for file in &listing {
            if let Node::File(f) = file.node {
                opened
                    .fs
                    .read_file(f, &file.path)
                    .bad_input("reading the save")?;
            }
        }
        if opened.cmac_ok {
            entry.verifies = true;
        } else {
            entry.problem = Some("the CMAC does not match".into());
        }
        Ok(())
    })();
    if let Err(failure) = result {
        entry.problem = Some(failure.to_string());
    }
    entry
}

fn list_extdata(card: &Card, id: u64) -> ListEntry {
    let mut entry = ListEntry {
        kind: "extdata",
        id: format!("{id:016x}"),
        size: None,
        files: None,
        version: None,
        verifies: false,
        problem: None,
    };
    let result = (|| -> Result<(), Failure> {
        let mut opened = card.open_extdata(id)?;
        let listing = opened.vsxe.walk().bad_input("walking the extdata")?;
        let files: Vec<&ExtEntry> = listing.iter().filter(|e| e.file.is_some()).collect();
        entry.files = Some(files.len());
        let mut problem = (!opened.cmac_ok).then(|| "the metadata's CMAC does not match".into());
        let quota = card.path_of(&nand::quota_file(id));
        if card.nand && quota.is_file() {
            let (_, quota_ok) = nand::read_quota(&card.keys, id, read_input(&quota)?)
                .bad_input("reading Quota.dat")?;
            if !quota_ok && problem.is_none() {
                problem = Some("Quota.dat: the CMAC does not match".into());
            }
        }
        // Reading a file checks every block of its device file.
        for file in files {
            let (_, cmac_ok) = card.read_ext_file(id, file)?;
            if !cmac_ok && problem.is_none() {
                problem = Some(format!("{}: the CMAC does not match", file.path));
            }
        }
        entry.verifies = problem.is_none();
        entry.problem = problem;
        Ok(())
    })();
    if let Err(failure) = result {
        entry.problem = Some(failure.to_string());
    }
    entry
}

/// The titles the SD card's title.db lists (installed) and its import.db
/// lists (being installed), one entry each, or one entry per database saying
/// why it cannot be read.
fn list_titles(card: &Card) -> Vec<ListEntry> {
    let mut entries = Vec::new();
    if card.nand {
        return entries;
    }
    for (db, kind) in [(DbKind::SdTitle, "title"), (DbKind::SdImport, "importing")] {
        let components = title_db::db_file(db);
        let path = card.path_of(&components);
        if !path.is_file() {
            continue;
        }
        let name = components.join("/");
        let result = read_input(&path).and_then(|bytes| {
            title_db::read(&card.keys, db, bytes).bad_input(format!("reading {name}"))
        });
        match result {
            Ok((titles, cmac_ok)) => entries.extend(titles.iter().map(|t| ListEntry {
                kind,
                id: format!("{:016x}", t.title_id),
                size: Some(t.size),
                files: None,
                version: Some(t.version),
                verifies: cmac_ok,
                problem: (!cmac_ok).then(|| format!("{name}: the CMAC does not match")),
            })),
            Err(failure) => entries.push(ListEntry {
                kind: "title-db",
                id: name,
                size: None,
                files: None,
                version: None,
                verifies: false,
                problem: Some(failure.to_string()),
            }),
        }
    }
    entries
}

fn list_line(e: &ListEntry) -> String {
    let size = e.size.map_or(String::new(), |s| format!("{s} bytes"));
    let files = match (e.files, e.version) {
        (Some(n), _) => crate::failure::plural(n, "file", "files"),
        (None, Some(v)) => format!("v{v}"),
        (None, None) => "? files".to_string(),
    };
    let state = if e.verifies {
        "verifies".to_string()
    } else {
        format!(
            "does not verify: {}",
            e.problem.as_deref().unwrap_or("unknown")
        )
    };
    format!(
        "{:<16}  {:<11}  {size:>13}  {files:>9}  {state}",
        e.id, e.kind
    )
}

/// `dir` joined with a slash-separated path from an archive, refusing
/// anything that could leave `dir`.
fn safe_join(dir: &Path, path: &str) -> Result<PathBuf, Failure> {
    let mut out = dir.to_path_buf();
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains(['\\', ':']) {
            return Err(Failure::input(anyhow!(
                "the archive holds an unsafe name \"{path}\"; refusing to extract it"
            )));
        }
        out.push(part);
    }
    Ok(out)
}

fn create_dir(path: &Path) -> Result<(), Failure> {
    fs::create_dir_all(path).failed(format!("cannot create {}", path.display()))
}

fn extract_save(card: &Card, title_id: u64, outdir: &Path) -> Result<(usize, u64), Failure> {
    let source = card.path_of(&card.save_components(title_id));
    let mut opened = card.open_save(title_id)?;
    if !opened.cmac_ok {
        eprintln!(
            "warning: {}: the CMAC does not match; the console would refuse this save as it is",
            source.display()
        );
    }
    let listing = opened.fs.walk().bad_input("walking the filesystem")?;
    create_dir(outdir)?;
    let mut bytes = 0;
    let mut batch = SyncedBatch::new();
    for entry in &listing {
        let target = safe_join(outdir, &entry.path)?;
        match entry.node {
            Node::Dir(_) => create_dir(&target)?,
            Node::File(f) => {
                // Checked and written from the decrypted image itself,
                // without a copy of each file in between.
                let mut out = SyncedBatch::create(&target, &[&source])?;
                match opened.fs.read_file_with(f, &entry.path, |piece| {
                    bytes += piece.len() as u64;
                    out.write(piece)
                }) {
                    Ok(()) => batch.add(out),
                    Err(ReadFileError::Fs(e)) => {
                        return Err(Failure::input(
                            anyhow::Error::new(e)
                                .context(format!("extracting from {}", source.display())),
                        ));
                    }
                    Err(ReadFileError::Sink(failure)) => return Err(failure),
                }
            }
        }
    }
    batch.finish()?;
    Ok((listing.len(), bytes))
}

fn extract_extdata(card: &Card, id: u64, outdir: &Path) -> Result<(usize, u64), Failure> {
    let folder = card.path_of(&extdata_folder(id));
    let mut opened = card.open_extdata(id)?;
    if !opened.cmac_ok {
        eprintln!(
            "warning: {}: the metadata's CMAC does not match",
            folder.display()
        );
    }
    let listing = opened.vsxe.walk().bad_input("walking the extdata")?;
    create_dir(outdir)?;
    let mut bytes = 0;
    let mut batch = SyncedBatch::new();
    for entry in &listing {
        let target = safe_join(outdir, &entry.path)?;
        if entry.file.is_none() {
            create_dir(&target)?;
            continue;
        }
        let (data, cmac_ok) = card.read_ext_file(id, entry)?;
        if !cmac_ok {
            eprintln!(
                "warning: {}: the CMAC of its device file does not match",
                entry.path
            );
        }
        let source = card.path_of(&extdata_device_file(
            id,
            entry.file.expect("a file").device_index,
        ));
        batch.write(&target, &data, &[&source])?;
        bytes += data.len() as u64;
    }
    batch.finish()?;
    Ok((listing.len(), bytes))
}

/// DIR's directories and files, parents first, sorted by name, with the
/// files' contents: the walk `disa import` uses, each file read.
fn collect_tree(dir: &Path, prefix: &str, out: &mut Vec<TreeEntry>) -> Result<(), Failure> {
    let mut walked = Vec::new();
    crate::cmd_disa::collect_tree(dir, prefix, &mut walked)?;
    for (path, source) in walked {
        let data = match source {
            Some(file) => Some(read_input(&file)?),
            None => None,
        };
        out.push(TreeEntry { path, data });
    }
    Ok(())
}

/// Whether `found` (as read back) is exactly `tree`.
fn same_tree(mut found: Vec<TreeEntry>, tree: &[TreeEntry]) -> anyhow::Result<()> {
    found.sort_by(|a, b| a.path.cmp(&b.path));
    let mut want = tree.to_vec();
    want.sort_by(|a, b| a.path.cmp(&b.path));
    if found != want {
        return Err(anyhow!("it does not read back as the imported tree"));
    }
    Ok(())
}

/// Whether the save holds exactly `tree`, read back as a fresh reader would.
fn holds_exactly(opened: &mut save::SdSave, tree: &[TreeEntry]) -> anyhow::Result<()> {
    let listing = opened.fs.walk()?;
    let mut found = Vec::new();
    for entry in &listing {
        let data = match entry.node {
            Node::Dir(_) => None,
            Node::File(f) => Some(opened.fs.read_file(f, &entry.path)?),
        };
        found.push(TreeEntry {
            path: entry.path.clone(),
            data,
        });
    }
    same_tree(found, tree)?;
    if !opened.cmac_ok {
        return Err(anyhow!("the new save's CMAC does not verify"));
    }
    Ok(())
}

/// The folder that keeps the previous versions of the files an import
/// changes: `SDROOT/keepsake-backups/<seconds>/`, outside the folders the
/// console reads; the files go in the same folders as below ID1.
fn backup_root(sdroot: &Path) -> PathBuf {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut stamp = seconds.to_string();
    let mut n = 1;
    while sdroot.join("keepsake-backups").join(&stamp).exists() {
        n += 1;
        stamp = format!("{seconds}-{n}");
    }
    sdroot.join("keepsake-backups").join(stamp)
}

/// Keeps `bytes`, the previous contents of the file at `components`, under
/// `root`; returns where.
fn keep_backup(root: &Path, components: &[String], bytes: &[u8]) -> Result<PathBuf, Failure> {
    let path = components.iter().fold(root.to_path_buf(), |p, c| p.join(c));
    if let Some(parent) = path.parent() {
        create_dir(parent)?;
    }
    write_output(&path, bytes, &[])?;
    Ok(path)
}

pub(crate) fn import_save(
    card: &Card,
    sdroot: &Path,
    title_id: u64,
    dir: &Path,
) -> Result<(), Failure> {
    let components = card.save_components(title_id);
    let target = card.path_of(&components);
    let mut tree = Vec::new();
    collect_tree(dir, "", &mut tree)?;
    let old = card.read_archive_file(&components, card.save_name(title_id))?;
    let mut opened = card
        .save_from_bytes(title_id, old.clone())
        .bad_input("opening the save")?;
    replace_tree(&mut opened.fs, &tree).bad_input(format!("importing {}", dir.display()))?;
    opened.fs.commit().failed("committing the changes")?;
    let sealed = card.seal_save(title_id, opened.fs.into_disa().into_storage());
    // Read the result back from its encrypted bytes before anything is
    // written: it must decrypt, verify and hold exactly the tree.
    let mut check = card
        .save_from_bytes(title_id, sealed.clone())
        .failed("reading the new save back")?;
    holds_exactly(&mut check, &tree).failed("checking the new save; nothing was written")?;
    let backup = keep_backup(&backup_root(sdroot), &components, &old)?;
    write_output(&target, &sealed, &[dir])?;
    eprintln!(
        "imported {} entries into the {}; the previous save file is kept at {}",
        tree.len(),
        card.save_name(title_id),
        backup.display()
    );
    Ok(())
}

/// The NAND archive's `Quota.dat` after the import: its previous bytes,
/// what it will say, and its new bytes. Deletions are counted first, then
/// each device file written (a replaced one as deleted, then created).
fn new_quota(
    card: &Card,
    id: u64,
    writes: &BTreeMap<u32, Vec<u8>>,
    deletes: &[u32],
) -> Result<(Vec<u8>, Quota, Vec<u8>), Failure> {
    let components = nand::quota_file(id);
    let old = card.read_archive_file(&components, format!("Quota.dat of extdata {id:016x}"))?;
    let (mut quota, _) =
        nand::read_quota(&card.keys, id, old.clone()).bad_input("reading Quota.dat")?;
    let on_disk = |index: u32| {
        fs::metadata(card.path_of(&extdata_device_file(id, index)))
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    };
    let mut changes = Vec::new();
    for &index in deletes.iter().chain(writes.keys()) {
        if let Some(len) = on_disk(index) {
            changes.push(QuotaChange::Delete { index, len });
        }
    }
    for (&index, bytes) in writes {
        changes.push(QuotaChange::Create {
            index,
            len: bytes.len() as u64,
        });
    }
    for change in changes {
        quota
            .apply(change)
            .bad_input("importing; nothing was written")?;
    }
    let sealed =
        nand::seal_quota(&card.keys, id, old.clone(), &quota).bad_input("writing Quota.dat")?;
    Ok((old, quota, sealed))
}

pub(crate) fn import_extdata(
    card: &Card,
    sdroot: &Path,
    id: u64,
    dir: &Path,
) -> Result<(), Failure> {
    let mut tree = Vec::new();
    collect_tree(dir, "", &mut tree)?;
    let meta_components = extdata_device_file(id, extdata::META_INDEX);
    let old_meta = card.read_archive_file(&meta_components, format!("extdata {id:016x}"))?;
    let mut opened = card
        .extdata_from_bytes(id, old_meta.clone())
        .bad_input("opening the extdata")?;
    let changes = replace_extdata_tree(&mut opened.vsxe, &tree)
        .bad_input(format!("importing {}", dir.display()))?;
    opened.vsxe.commit().failed("committing the changes")?;
    let new_meta = card.seal_ext(
        id,
        extdata::META_INDEX,
        opened.vsxe.into_meta().into_storage(),
    );
    // The device files as they will be: written ones by index, deleted ones.
    let mut writes: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    let mut deletes: Vec<u32> = Vec::new();
    for (index, change) in changes {
        match change {
            DeviceChange::Write {
                unique_id,
                contents,
            } => {
                let plain = diff::build(&contents, unique_id).failed("building a device file")?;
                writes.insert(index, card.seal_ext(id, index, plain));
            }
            DeviceChange::Delete => {
                if card.path_of(&extdata_device_file(id, index)).exists() {
                    deletes.push(index);
                }
            }
        }
    }
    // On NAND the archive's Quota.dat accounts for every device file's
    // size: a replaced file gives its blocks back and takes the new ones.
    let quota = if card.nand {
        Some(new_quota(card, id, &writes, &deletes)?)
    } else {
        None
    };
    // Read everything back from the bytes to be written before writing: it
    // must decrypt, verify and hold exactly the tree.
    let check = (|| -> anyhow::Result<()> {
        if let Some((_, want, new_bytes)) = &quota {
            let (found, cmac_ok) = nand::read_quota(&card.keys, id, new_bytes.clone())?;
            if !cmac_ok || found != *want {
                return Err(anyhow!("the new Quota.dat does not read back as written"));
            }
        }
        let mut opened = card.extdata_from_bytes(id, new_meta.clone())?;
        if !opened.cmac_ok {
            return Err(anyhow!("the new metadata's CMAC does not verify"));
        }
        let mut found = Vec::new();
        for entry in opened.vsxe.walk()? {
            let Some(file) = entry.file else {
                found.push(TreeEntry {
                    path: entry.path,
                    data: None,
                });
                continue;
            };
            let components = extdata_device_file(id, file.device_index);
            let bytes = match writes.get(&file.device_index) {
                Some(bytes) => Some(bytes.clone()),
                None if deletes.contains(&file.device_index) => None,
                None => card
                    .path_of(&components)
                    .is_file()
                    .then(|| fs::read(card.path_of(&components)))
                    .transpose()?,
            };
            let data = match bytes {
                Some(bytes) => {
                    let (data, cmac_ok) =
                        card.ext_file_from_bytes(id, &file, &entry.path, bytes)?;
                    if !cmac_ok {
                        return Err(anyhow!("{}: the CMAC does not verify", entry.path));
                    }
                    data
                }
                None => Vec::new(),
            };
            found.push(TreeEntry {
                path: entry.path,
                data: Some(data),
            });
        }
        same_tree(found, &tree)
    })();
    check.failed("checking the new extdata; nothing was written")?;
    // Keep every file that changes, then write the device files, then the
    // metadata that names them, and delete what is gone last.
    let root = backup_root(sdroot);
    keep_backup(&root, &meta_components, &old_meta)?;
    for &index in writes.keys().chain(&deletes) {
        let components = extdata_device_file(id, index);
        let path = card.path_of(&components);
        if path.is_file() {
            keep_backup(&root, &components, &read_input(&path)?)?;
        }
    }
    for (index, bytes) in &writes {
        let path = card.path_of(&extdata_device_file(id, *index));
        if let Some(parent) = path.parent() {
            create_dir(parent)?;
        }
        write_output(&path, bytes, &[dir])?;
    }
    write_output(&card.path_of(&meta_components), &new_meta, &[dir])?;
    if let Some((old_quota, _, new_bytes)) = &quota {
        let components = nand::quota_file(id);
        keep_backup(&root, &components, old_quota)?;
        write_output(&card.path_of(&components), new_bytes, &[dir])?;
    }
    for index in &deletes {
        let path = card.path_of(&extdata_device_file(id, *index));
        fs::remove_file(&path).failed(format!("cannot delete {}", path.display()))?;
    }
    eprintln!(
        "imported {} entries into extdata {id:016x} ({} device files written, {} deleted); \
         the previous files are kept under {}",
        tree.len(),
        writes.len(),
        deletes.len(),
        root.display()
    );
    Ok(())
}

/// `list`: every save and extdata archive, as text or JSON.
pub(crate) fn list(card: &Card, json: bool) -> Result<(), Failure> {
    let mut entries: Vec<ListEntry> = Vec::new();
    for id in card.saves()? {
        entries.push(list_save(card, id));
    }
    for id in card.extdata_ids()? {
        entries.push(list_extdata(card, id));
    }
    entries.extend(list_titles(card));
    if json {
        let text = serde_json::to_string_pretty(&entries).failed("writing JSON")?;
        println!("{text}");
    } else {
        println!("{}", card.id1_dir.display());
        for entry in &entries {
            println!("{}", list_line(entry));
        }
        if entries.is_empty() {
            println!("(no saves and no extdata)");
        }
    }
    Ok(())
}

/// `extract`: one save (`save`) or extdata archive (`extdata`) into `outdir`.
pub(crate) fn extract(
    card: &Card,
    save: Option<u64>,
    extdata: Option<u64>,
    outdir: &Path,
) -> Result<(), Failure> {
    let (what, (entries, bytes)) = match (save, extdata) {
        (Some(id), _) => (card.save_name(id), extract_save(card, id, outdir)?),
        (None, Some(id)) => (
            format!("extdata {id:016x}"),
            extract_extdata(card, id, outdir)?,
        ),
        (None, None) => {
            return Err(Failure::input(anyhow!("pass --save or --extdata")));
        }
    };
    eprintln!(
        "extracted {entries} entries ({bytes} bytes) of the {what} into {}",
        outdir.display()
    );
    Ok(())
}

pub fn run(command: SdCommand) -> Result<(), Failure> {
    match command {
        SdCommand::List { sdroot, keys, json } => list(&Card::open(&sdroot, &keys)?, json),
        SdCommand::Extract {
            sdroot,
            archive,
            outdir,
            keys,
            force,
        } => {
            force.check_dir(&outdir)?;
            extract(
                &Card::open(&sdroot, &keys)?,
                archive.save,
                archive.extdata,
                &outdir,
            )
        }
        SdCommand::Import {
            sdroot,
            archive,
            dir,
            keys,
        } => {
            let card = Card::open(&sdroot, &keys)?;
            match (archive.save, archive.extdata) {
                (Some(title_id), _) => import_save(&card, &sdroot, title_id, &dir),
                (None, Some(id)) => import_extdata(&card, &sdroot, id, &dir),
                (None, None) => Err(Failure::input(anyhow!(
                    "pass --save TITLEID or --extdata ID"
                ))),
            }
        }
    }
}
