//! `keepsake 3ds`: 3DS cartridge save flash on the PC: what a file is, wear
//! leveling off and on, decryption and encryption.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::{Args, Subcommand};
use keepsake_format::ctr::crypto::cipher::{self, CounterMode};
use keepsake_format::ctr::crypto::sign;
use keepsake_format::ctr::crypto::xorpad::{self, PAD_LEN, Xorpad};
use keepsake_format::ctr::detect::{Container, detect};
use keepsake_format::ctr::wear::{self, Check, Decoded, Report};

use crate::failure::{FailWith, Failure, plural};
use crate::files::{Force, read_input};
use crate::hint::{self, Family};

#[derive(Subcommand)]
#[command(after_help = "\
Examples:
  keepsake 3ds info card.bin
  keepsake 3ds unwear card.bin -o card.logical
  keepsake 3ds decrypt card.logical -o card.disa --xorpad auto
  keepsake 3ds encrypt card.disa -o edited.logical --xorpad card.logical
  keepsake 3ds rewear edited.logical --like card.bin -o card-new.bin")]
pub enum Command {
    /// Say what a file is (raw wear-leveled flash V1/V2, encrypted image,
    /// plaintext DISA/DIFF) and list every structural check.
    #[command(
        after_help = "Examples:\n  keepsake 3ds info card.bin\n  keepsake 3ds info save.disa"
    )]
    Info {
        /// The file to inspect: a raw flash dump, a logical image or a
        /// plaintext DISA/DIFF image.
        file: PathBuf,
    },
    /// Undo wear leveling: turn a raw flash dump into the logical image.
    #[command(
        after_help = "Examples:\n  keepsake 3ds unwear card.bin -o card.logical\n  \
                      keepsake 3ds unwear damaged.bin -o recovered.logical --salvage\n  \
                      keepsake 3ds unwear card.bin -o card.logical --force"
    )]
    Unwear {
        /// The raw flash dump (128 KiB, 512 KiB or 1 MiB).
        input: PathBuf,
        /// Where to write the logical image.
        #[arg(short, long)]
        output: PathBuf,
        /// Write the logical image even when checks fail; what could not be
        /// trusted is listed on stderr.
        #[arg(long)]
        salvage: bool,
        #[command(flatten)]
        force: Force,
    },
    /// Redo wear leveling: lay a logical image out like an original dump,
    /// keeping its block placement and counters.
    #[command(
        after_help = "Example:\n  keepsake 3ds rewear edited.logical --like card.bin -o card-new.bin"
    )]
    Rewear {
        /// The logical image to write.
        logical: PathBuf,
        /// The raw flash dump whose layout to follow.
        #[arg(long)]
        like: PathBuf,
        /// Where to write the new raw flash image.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        force: Force,
    },
    /// Decrypt a logical image (AES-128-CTR, or the repeating keystream
    /// recovered from the image itself).
    #[command(
        after_help = "Examples:\n  keepsake 3ds decrypt card.logical -o card.disa --xorpad auto\n  \
                      keepsake 3ds decrypt card.logical -o card.disa --key 000102030405060708090a0b0c0d0e0f \
                      --ctr 00000000000000000000000000000000\n  \
                      keepsake 3ds decrypt card.logical -o card.disa --xorpad other-save-of-same-card.logical"
    )]
    Decrypt {
        /// The encrypted logical image (run `unwear` on a raw dump first).
        input: PathBuf,
        /// Where to write the plaintext DISA image.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        keys: KeyArgs,
        #[command(flatten)]
        force: Force,
    },
    /// Encrypt a plaintext DISA image back into a logical image.
    #[command(
        after_help = "Examples:\n  keepsake 3ds encrypt card.disa -o card.logical --xorpad original.logical\n  \
                      keepsake 3ds encrypt card.disa -o card.logical --key 000102030405060708090a0b0c0d0e0f \
                      --ctr 00000000000000000000000000000000 --repeating"
    )]
    Encrypt {
        /// The plaintext DISA image.
        input: PathBuf,
        /// Where to write the encrypted logical image.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        keys: KeyArgs,
        #[command(flatten)]
        force: Force,
    },
}

/// Which keystream to use.
#[derive(Args)]
#[group(required = true, multiple = true)]
pub struct KeyArgs {
    /// AES-128 key, 32 hex digits.
    #[arg(long, requires = "ctr", conflicts_with = "xorpad")]
    key: Option<String>,
    /// Initial counter, 32 hex digits.
    #[arg(long, requires = "key")]
    ctr: Option<String>,
    /// The counter restarts every 0x200 bytes (old cartridges).
    #[arg(long, requires = "key")]
    repeating: bool,
    /// `auto` to recover the repeating keystream from the input itself, or an
    /// encrypted image of the same cartridge to recover it from.
    #[arg(long, value_name = "auto|FILE")]
    xorpad: Option<String>,
}

pub fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Info { file } => info(&file),
        Command::Unwear {
            input,
            output,
            salvage,
            force,
        } => unwear(&input, &output, salvage, force),
        Command::Rewear {
            logical,
            like,
            output,
            force,
        } => rewear(&logical, &like, &output, force),
        Command::Decrypt {
            input,
            output,
            keys,
            force,
        } => decrypt(&input, &output, &keys, force),
        Command::Encrypt {
            input,
            output,
            keys,
            force,
        } => encrypt(&input, &output, &keys, force),
    }
}

fn info(path: &Path) -> Result<(), Failure> {
    let bytes = read_input(path)?;
    let container = detect(&bytes);
    let mut out = format!("{}: {container}\n", path.display());
    match &container {
        Container::WearLeveled { .. } => {
            let decoded = wear::decode(&bytes).bad_input(path.display())?;
            describe_flash(&decoded, &mut out);
            let inner = detect(&decoded.logical);
            let _ = writeln!(out, "logical image: {inner}");
            if let Container::EncryptedRepeating(recovered) = &inner {
                describe_plaintext_header(&decrypted(&decoded.logical, &recovered.pad), &mut out);
            }
        }
        Container::EncryptedRepeating(recovered) => {
            let _ = writeln!(out, "erased (0xFF) chunks skipped: {}", recovered.erased);
            describe_plaintext_header(&decrypted(&bytes, &recovered.pad), &mut out);
        }
        Container::Disa | Container::Diff => describe_plaintext_header(&bytes, &mut out),
        Container::Unknown { .. } => {
            print!("{out}");
            let hint = hint::for_file(path, Family::Ctr)
                .map_or_else(String::new, |hint| format!("; {hint}"));
            return Err(Failure::input(anyhow!(
                "{} is not a 3DS save image Keepsake recognizes{hint}",
                path.display()
            )));
        }
    }
    print!("{out}");
    Ok(())
}

fn decrypted(image: &[u8], pad: &Xorpad) -> Vec<u8> {
    let mut plain = image.to_vec();
    pad.apply(&mut plain);
    plain
}

fn describe_flash(decoded: &Decoded, out: &mut String) {
    let layout = &decoded.layout;
    let g = &layout.geometry;
    let initialized = layout.blocks[..g.logical_blocks()]
        .iter()
        .filter(|b| b.initialized)
        .count();
    let counters: Vec<String> = layout.counters.iter().map(|c| format!("{c:02x}")).collect();
    let _ = writeln!(
        out,
        "counters: {}\nvirtual blocks: {} logical + 1 spare, {initialized} written\n\
         logical image: {}\njournal entries replayed: {}",
        counters.join(" "),
        g.logical_blocks(),
        plural(g.logical_len(), "byte", "bytes"),
        decoded.report.journal_replayed
    );
    describe_report(&decoded.report, out);
}

fn describe_report(report: &Report, out: &mut String) {
    let _ = writeln!(out, "checks:");
    for finding in &report.findings {
        let _ = writeln!(out, "  {finding}");
    }
    if report.untrusted.is_empty() {
        let _ = writeln!(out, "every logical byte is verified");
    } else {
        let _ = writeln!(
            out,
            "untrusted logical bytes: {} in {}:",
            report.untrusted_bytes(),
            plural(report.untrusted.len(), "range", "ranges")
        );
        for range in &report.untrusted {
            let _ = writeln!(out, "  {range}");
        }
    }
}

fn describe_plaintext_header(image: &[u8], out: &mut String) {
    let (Ok(header), Ok(cmac)) = (sign::image_header(image), sign::stored_cmac(image)) else {
        return;
    };
    let magic = String::from_utf8_lossy(&header[..4]);
    let version = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes"));
    let unused_zero = image[sign::CMAC_LEN..sign::HEADER_OFFSET]
        .iter()
        .all(|&b| b == 0);
    let _ = writeln!(
        out,
        "header: {magic} version {version:#x}\nAES-CMAC at 0x0: {}\n0x10..0x100 {}",
        hex(&cmac),
        if unused_zero { "zero" } else { "not zero" }
    );
}

fn unwear(input: &Path, output: &Path, salvage: bool, force: Force) -> Result<(), Failure> {
    force.check(output, &[input])?;
    let bytes = read_input(input)?;
    let decoded = wear::decode(&bytes).map_err(|e| {
        let hint = hint::instead(hint::kind_of(&bytes), Family::Ctr)
            .map_or_else(String::new, |hint| format!("; {hint}"));
        Failure::input(anyhow!("{}: {e}{hint}", input.display()))
    })?;
    let failures: Vec<String> = decoded.report.failures().map(|e| e.to_string()).collect();
    if !failures.is_empty() && !salvage {
        return Err(Failure::input(anyhow!(
            "{} failed {}, first: {}; nothing written. Run `keepsake 3ds info` for the \
             full report, or pass --salvage to write what can be decoded",
            input.display(),
            plural(failures.len(), "check", "checks"),
            failures[0]
        )));
    }
    force.write(output, &decoded.logical, &[input])?;
    if !failures.is_empty() {
        let mut report = String::new();
        describe_report(&decoded.report, &mut report);
        eprint!("{report}");
    }
    println!(
        "wrote {} ({}, {} replayed)",
        output.display(),
        plural(decoded.logical.len(), "byte", "bytes"),
        plural(
            decoded.report.journal_replayed,
            "journal entry",
            "journal entries"
        )
    );
    Ok(())
}

fn rewear(logical_path: &Path, like: &Path, output: &Path, force: Force) -> Result<(), Failure> {
    force.check(output, &[logical_path, like])?;
    let logical = read_input(logical_path)?;
    let original = read_input(like)?;
    let decoded = wear::decode(&original).bad_input(like.display())?;
    // The layout is only as good as the map and journal it came from; chunk
    // checksums of the old data do not matter here.
    let layout_failure = decoded.report.findings.iter().find(|f| {
        f.outcome.is_err()
            && matches!(
                f.check,
                Check::MapCrc | Check::MapPermutation | Check::Journal
            )
    });
    if let Some(finding) = layout_failure {
        return Err(Failure::input(anyhow!(
            "cannot follow the layout of {}: {finding}",
            like.display()
        )));
    }
    let image = wear::encode(&logical, &decoded.layout).bad_input(logical_path.display())?;
    // Read back what would be written before writing it.
    let check = wear::decode_strict(&image)
        .map_err(|e| Failure::failed(anyhow!("the new image does not decode cleanly: {e}")))?;
    if check != logical {
        return Err(Failure::failed(anyhow!(
            "the new image does not decode back to {}",
            logical_path.display()
        )));
    }
    force.write(output, &image, &[logical_path, like])?;
    println!(
        "wrote {} ({}, laid out like {})",
        output.display(),
        plural(image.len(), "byte", "bytes"),
        like.display()
    );
    Ok(())
}

/// A resolved keystream.
enum Keystream {
    Aes {
        key: [u8; 16],
        ctr: [u8; 16],
        mode: CounterMode,
    },
    Pad(Box<Xorpad>),
}

impl Keystream {
    fn apply(&self, data: &mut [u8]) {
        match self {
            Keystream::Aes { key, ctr, mode } => cipher::apply_keystream(key, ctr, *mode, data),
            Keystream::Pad(pad) => pad.apply(data),
        }
    }
}

fn keystream(
    keys: &KeyArgs,
    encrypted_input: Option<&[u8]>,
    inputs: &mut Vec<PathBuf>,
) -> Result<Keystream, Failure> {
    if let (Some(key), Some(ctr)) = (&keys.key, &keys.ctr) {
        return Ok(Keystream::Aes {
            key: parse_hex16(key).bad_input("--key")?,
            ctr: parse_hex16(ctr).bad_input("--ctr")?,
            mode: if keys.repeating {
                CounterMode::Repeating
            } else {
                CounterMode::Continuous
            },
        });
    }
    let source = keys
        .xorpad
        .as_deref()
        .ok_or_else(|| Failure::input(anyhow!("pass --key and --ctr, or --xorpad")))?;
    if source == "auto" {
        let Some(image) = encrypted_input else {
            return Err(Failure::input(anyhow!(
                "--xorpad auto recovers the keystream from an encrypted input; to encrypt, pass \
                 --xorpad with an encrypted image of the same cartridge"
            )));
        };
        let recovered =
            xorpad::recover(image).bad_input("recovering the keystream from the input")?;
        return Ok(Keystream::Pad(Box::new(recovered.pad)));
    }
    let path = PathBuf::from(source);
    let bytes = read_input(&path)?;
    inputs.push(path.clone());
    let pad = if bytes.len() == PAD_LEN {
        // A pad saved on its own.
        Xorpad(bytes.try_into().expect("0x200 bytes"))
    } else {
        xorpad::recover(&bytes)
            .bad_input(format!("recovering the keystream from {}", path.display()))?
            .pad
    };
    Ok(Keystream::Pad(Box::new(pad)))
}

fn refuse_raw_flash(bytes: &[u8], path: &Path) -> Result<(), Failure> {
    if let Container::WearLeveled { .. } = detect(bytes) {
        return Err(Failure::input(anyhow!(
            "{} is a raw wear-leveled flash dump; run `keepsake 3ds unwear` on it first",
            path.display()
        )));
    }
    Ok(())
}

fn decrypt(input: &Path, output: &Path, keys: &KeyArgs, force: Force) -> Result<(), Failure> {
    force.check(output, &[input])?;
    let mut data = read_input(input)?;
    refuse_raw_flash(&data, input)?;
    if let Some(hint) = already_plaintext(&data) {
        return Err(Failure::input(anyhow!(
            "{} is not encrypted: {hint}; nothing written",
            input.display()
        )));
    }
    let mut inputs = vec![input.to_path_buf()];
    let keystream = keystream(keys, Some(&data), &mut inputs)?;
    keystream.apply(&mut data);
    match data.get(0x100..0x104) {
        Some(b"DISA") | Some(b"DIFF") => {}
        found => {
            return Err(Failure::input(anyhow!(
                "the decrypted data has no DISA/DIFF magic at 0x100 (found {}): wrong key, \
                 counter or keystream; nothing written",
                found.map_or_else(|| "nothing: the file is too short".to_string(), hex_spaced)
            )));
        }
    }
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    force.write(output, &data, &inputs)?;
    println!(
        "wrote {} ({}, plaintext)",
        output.display(),
        plural(data.len(), "byte", "bytes")
    );
    Ok(())
}

fn encrypt(input: &Path, output: &Path, keys: &KeyArgs, force: Force) -> Result<(), Failure> {
    force.check(output, &[input])?;
    let mut data = read_input(input)?;
    if !matches!(detect(&data), Container::Disa | Container::Diff) {
        let hint = hint::instead(hint::kind_of(&data), Family::Disa)
            .map_or_else(String::new, |hint| format!("; {hint}"));
        return Err(Failure::input(anyhow!(
            "{} is not a plaintext DISA/DIFF image (no magic at 0x100); encrypting it would \
             produce an unreadable save{hint}",
            input.display()
        )));
    }
    let mut inputs = vec![input.to_path_buf()];
    let keystream = keystream(keys, None, &mut inputs)?;
    keystream.apply(&mut data);
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    force.write(output, &data, &inputs)?;
    println!(
        "wrote {} ({}, encrypted)",
        output.display(),
        plural(data.len(), "byte", "bytes")
    );
    Ok(())
}

fn parse_hex16(text: &str) -> anyhow::Result<[u8; 16]> {
    let digits: String = text
        .trim_start_matches("0x")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':' && *c != '-')
        .collect();
    if !digits.is_ascii() || digits.len() != 32 {
        return Err(anyhow!("expected 32 hex digits (16 bytes), got \"{text}\""));
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16)
            .map_err(|_| anyhow!("\"{text}\" is not hexadecimal"))?;
    }
    Ok(out)
}

/// When `data` is already a plaintext DISA/DIFF image: what to do instead.
fn already_plaintext(data: &[u8]) -> Option<&'static str> {
    match detect(data) {
        Container::Disa => Some("it is a plaintext DISA save already: use `keepsake disa`"),
        Container::Diff => Some("it is a plaintext DIFF image already: use `keepsake diff`"),
        _ => None,
    }
}

/// Bytes as hex pairs separated by spaces: "cc 03 e9 90".
fn hex_spaced(bytes: &[u8]) -> String {
    let pairs: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    pairs.join(" ")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys_parse_with_or_without_separators() {
        let expected: [u8; 16] = core::array::from_fn(|i| i as u8);
        assert_eq!(
            parse_hex16("000102030405060708090a0b0c0d0e0f").unwrap(),
            expected
        );
        assert_eq!(
            parse_hex16("00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F").unwrap(),
            expected
        );
        assert!(parse_hex16("0001").is_err());
        assert!(parse_hex16("zz0102030405060708090a0b0c0d0e0f").is_err());
        assert!(parse_hex16("é00102030405060708090a0b0c0d0e").is_err());
    }
}
