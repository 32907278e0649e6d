//! Reading an NDS backup for a card: find the save file, read its container
//! (raw, `.dsv`, `.duc`, no$gba) and bring it to the chip's size without
//! losing data, all through `keepsake_format::nds`.

use keepsake_format::nds::{self, ChipKind};

use crate::platform::SdCard;
use crate::platform::sd::join;
use crate::store::StoreError;
use crate::store::locate::{BackupEntry, BackupSource, is_twlsavetool_name};
use crate::store::naming::{game_code_of_folder, nds_save_file_name, sanitize, twlsavetool_stem};

/// A backup ready to be written to a chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdsBackupImage {
    /// The file it came from.
    pub path: String,
    /// Its container, for the report (`raw image`, `DeSmuME .dsv`, …).
    pub container: &'static str,
    /// The save's size in the file.
    pub original_len: usize,
    /// The image at the chip's size.
    pub image: Vec<u8>,
}

/// The save file of a backup: the file itself for TWLSaveTool, else in
/// the folder `<header title>.sav`, or the only file there.
pub fn find_save_file(
    sd: &mut dyn SdCard,
    entry: &BackupEntry,
    header_title: &str,
) -> Result<String, StoreError> {
    if matches!(
        entry.source,
        BackupSource::TwlSaveTool | BackupSource::Found { .. }
    ) {
        return Ok(entry.path.clone());
    }
    let expected = nds_save_file_name(header_title);
    let files: Vec<String> = sd
        .list(&entry.path)?
        .into_iter()
        .filter(|e| !e.is_dir)
        .map(|e| e.name)
        .collect();
    if files.contains(&expected) {
        return Ok(join(&entry.path, &expected));
    }
    match files.as_slice() {
        [] => Err(StoreError::NoSaveFile {
            folder: entry.path.clone(),
        }),
        [only] => Ok(join(&entry.path, only)),
        _ => Err(StoreError::SeveralSaveFiles {
            folder: entry.path.clone(),
            expected,
            names: files,
        }),
    }
}

/// Refuses a backup that belongs to another game: its title folder must
/// start with the card's game code (TWLSaveTool files: be named after the
/// card's title).
pub fn check_game(
    entry: &BackupEntry,
    game_code: &str,
    header_title: &str,
) -> Result<(), StoreError> {
    let wrong = |backup: String| StoreError::WrongGame {
        path: entry.path.clone(),
        backup,
        card: format!("{} ({game_code})", sanitize(header_title)),
    };
    match entry.source {
        BackupSource::TwlSaveTool => {
            let stem = twlsavetool_stem(header_title);
            if is_twlsavetool_name(&entry.name, &stem) {
                Ok(())
            } else {
                Err(wrong(entry.name.clone()))
            }
        }
        // Matched when it was found: by the game code of the ROM beside it or
        // in its name, which must still be this card's; or by nothing, and
        // then only offered after the user confirmed it.
        BackupSource::Found {
            game_code: Some(code),
        } => {
            if code == game_code.as_bytes() {
                Ok(())
            } else {
                Err(wrong(String::from_utf8_lossy(&code).into_owned()))
            }
        }
        BackupSource::Found { game_code: None } => Ok(()),
        BackupSource::Folder => {
            let title_folder = entry.path.rsplit('/').nth(1).unwrap_or_default().to_owned();
            match game_code_of_folder(&title_folder) {
                Some(code) if code == game_code => Ok(()),
                _ => Err(wrong(title_folder)),
            }
        }
    }
}

/// Bytes read per call when a save file is loaded.
const LOAD_CHUNK: usize = 64 * 1024;

/// Reading a save file for a chip a few chunks per [`SaveLoad::step`], so
/// that an 8 MiB file does not hold the screen still while it is read.
///
/// Memory: the file is read into one buffer with room for the chip's
/// image, and a save that the container holds as it is (raw, `.dsv`,
/// `.duc`) and that fits the chip becomes the image in that same buffer:
/// an 8 MiB save costs 8 MiB, not three copies. A save larger than the chip
/// (trimmed) or stored compressed (no$gba) is converted into a new buffer.
#[derive(Debug)]
pub struct SaveLoad {
    path: String,
    chip: ChipKind,
    bytes: Vec<u8>,
}

/// Reads one [`SaveLoad::step`] makes at most: 256 KiB, as a job's chunk.
const LOAD_READS_PER_STEP: usize = 4;

impl SaveLoad {
    /// Starts reading `path` for `chip`; reads nothing yet.
    pub fn start(path: &str, chip: ChipKind) -> Self {
        Self {
            path: path.to_owned(),
            chip,
            // Room for the image plus any container's header or footer.
            bytes: Vec::with_capacity(chip.capacity() + LOAD_CHUNK),
        }
    }

    /// Bytes of the file read so far.
    pub fn read_so_far(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Reads on; the save converted for the chip once the file is read.
    pub fn step(&mut self, sd: &mut dyn SdCard) -> Result<Option<NdsBackupImage>, StoreError> {
        let mut chunk = vec![0; LOAD_CHUNK];
        for _ in 0..LOAD_READS_PER_STEP {
            let n = sd.read_at(&self.path, self.bytes.len() as u64, &mut chunk)?;
            if n == 0 {
                let bytes = std::mem::take(&mut self.bytes);
                return convert_for_chip(bytes, &self.path, self.chip).map(Some);
            }
            self.bytes.extend_from_slice(&chunk[..n]);
        }
        Ok(None)
    }
}

/// Reads and converts a save file for a `chip` in one go (see [`SaveLoad`]
/// for the same in steps).
pub fn load_for_chip(
    sd: &mut dyn SdCard,
    path: &str,
    chip: ChipKind,
) -> Result<NdsBackupImage, StoreError> {
    let mut load = SaveLoad::start(path, chip);
    loop {
        if let Some(image) = load.step(sd)? {
            return Ok(image);
        }
    }
}

/// Turns a whole save file's `bytes` into the chip's image, in place where
/// the container allows.
fn convert_for_chip(
    mut bytes: Vec<u8>,
    path: &str,
    chip: ChipKind,
) -> Result<NdsBackupImage, StoreError> {
    let capacity = chip.capacity();
    let save = nds::SaveFile::parse(&bytes).map_err(|source| StoreError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let container = save.container.name();
    let original_len = save.payload.len();
    // Where a stored-as-is payload lies in the file, from the addresses of
    // the two slices (no unsafe: only their difference is used).
    let in_place = match &save.payload {
        std::borrow::Cow::Borrowed(payload) if !payload.is_empty() && payload.len() <= capacity => {
            Some(payload.as_ptr() as usize - bytes.as_ptr() as usize)
        }
        _ => None,
    };
    let image = match in_place {
        Some(start) => {
            drop(save);
            bytes.truncate(start + original_len);
            bytes.drain(..start);
            // As `nds::resize` pads a smaller save: with 0xFF, erased flash.
            bytes.resize(capacity, 0xFF);
            bytes
        }
        None => {
            nds::resize(&save.payload, chip, false).map_err(|source| StoreError::DoesNotFit {
                path: path.to_owned(),
                chip,
                source,
            })?
        }
    };
    Ok(NdsBackupImage {
        path: path.to_owned(),
        container,
        original_len,
        image,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{PowerSupply, SimSd};

    fn folder(path: &str) -> BackupEntry {
        BackupEntry {
            name: path.rsplit('/').next().unwrap().into(),
            path: path.into(),
            source: BackupSource::Folder,
        }
    }

    #[test]
    fn a_dsv_fixture_in_a_backup_folder_loads_at_chip_size() {
        let dsv = keepsake_testkit::fixture_or_skip!("nds/sonic-rush/usa.dsv");
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        let dir = "/3ds/Checkpoint/saves/ASNE SONICRUSH/old";
        sd.create_dir_all(dir).unwrap();
        sd.write(&format!("{dir}/from-desmume.dsv"), &dsv).unwrap();
        let entry = folder(dir);
        check_game(&entry, "ASNE", "SONICRUSH").unwrap();
        let file = find_save_file(&mut sd, &entry, "SONICRUSH").unwrap();
        let loaded = load_for_chip(&mut sd, &file, ChipKind::Eeprom8K).unwrap();
        assert_eq!(loaded.container, "DeSmuME .dsv");
        assert_eq!(loaded.image.len(), 8192);
        // A .dsv is the raw image followed by the footer.
        assert_eq!(&loaded.image[..], &dsv[..8192]);
    }

    #[test]
    fn a_smaller_save_is_padded_in_place_and_a_larger_one_trimmed() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        sd.create_dir_all("/b").unwrap();
        let small: Vec<u8> = (0..8192u32).map(|i| (i % 251) as u8).collect();
        sd.write("/b/small.sav", &small).unwrap();
        let loaded = load_for_chip(&mut sd, "/b/small.sav", ChipKind::Flash256K).unwrap();
        assert_eq!(loaded.original_len, 8192);
        assert_eq!(loaded.image.len(), 256 * 1024);
        assert_eq!(&loaded.image[..8192], &small[..]);
        assert!(loaded.image[8192..].iter().all(|&b| b == 0xFF));

        // 64 KiB whose tail is erased flash: it fits an 8 KiB chip.
        let mut large = small.clone();
        large.resize(64 * 1024, 0xFF);
        sd.write("/b/large.sav", &large).unwrap();
        let loaded = load_for_chip(&mut sd, "/b/large.sav", ChipKind::Eeprom8K).unwrap();
        assert_eq!(loaded.original_len, 64 * 1024);
        assert_eq!(loaded.image, small);
    }

    #[test]
    fn wrong_games_and_crowded_folders_are_refused() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        let dir = "/3ds/Checkpoint/saves/AXXE OTHER/x";
        sd.create_dir_all(dir).unwrap();
        sd.write(&format!("{dir}/a.sav"), &[0; 512]).unwrap();
        sd.write(&format!("{dir}/b.sav"), &[0; 512]).unwrap();
        let entry = folder(dir);
        assert!(matches!(
            check_game(&entry, "ASNE", "SONICRUSH"),
            Err(StoreError::WrongGame { .. })
        ));
        assert!(matches!(
            find_save_file(&mut sd, &entry, "OTHER"),
            Err(StoreError::SeveralSaveFiles { .. })
        ));
        sd.write(&format!("{dir}/OTHER.sav"), &[0; 512]).unwrap();
        assert_eq!(
            find_save_file(&mut sd, &entry, "OTHER").unwrap(),
            format!("{dir}/OTHER.sav")
        );
    }

    #[test]
    fn a_save_too_big_for_the_chip_is_refused() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        sd.create_dir_all("/d").unwrap();
        let big: Vec<u8> = (0..65536u32).map(|i| (i * 7 % 251) as u8).collect();
        sd.write("/d/big.sav", &big).unwrap();
        assert!(matches!(
            load_for_chip(&mut sd, "/d/big.sav", ChipKind::Eeprom8K),
            Err(StoreError::DoesNotFit {
                chip: ChipKind::Eeprom8K,
                ..
            })
        ));
    }
}
