//! Words the controller's parts share when they refuse a command or
//! report an ending: a refusal with what to do, a store error in those
//! terms, the line that says where the save as it was is kept.

use crate::store::StoreError;
use crate::ui::model::Refusal;

/// A refusal: what stands in the way, and what the user can do about it.
pub(super) fn refusal(reason: impl Into<String>, advice: impl Into<String>) -> Refusal {
    Refusal {
        reason: reason.into(),
        advice: advice.into(),
    }
}

/// The last line of a restore's report: where the save as it was went, or
/// for a put-back, where it came from and where the half-written one went.
pub(super) fn kept_line(auto_backup: &str, put_back_from: Option<&str>) -> String {
    match put_back_from {
        Some(original) => format!(
            "The save is again as it was before the unfinished restore, from {original}. The half-written save is kept in {auto_backup}."
        ),
        None => format!("The save as it was is kept in {auto_backup}."),
    }
}

/// `text` with its first letter upper-case, to open a sentence with a
/// name that is lower-case in the middle of one ("the cartridge").
pub(super) fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A store error as a refusal with what to do.
pub(super) fn store_refusal(e: &StoreError) -> Refusal {
    if let StoreError::DoesNotFit { path, chip, .. } = e {
        let file = path.rsplit('/').next().unwrap_or(path);
        return refusal(
            format!(
                "{file} holds data past what the cartridge's {chip} can store: restoring it would lose that data."
            ),
            "It is probably from a different game or a bigger chip; choose another backup. The keepsake PC tool can show what the file holds.",
        );
    }
    let advice = match e {
        StoreError::NoSaveFile { .. } => {
            "Put the save file in the backup folder, or choose another backup."
        }
        StoreError::SeveralSaveFiles { .. } => "Keep only the save file in the backup folder.",
        StoreError::Unreadable { .. } => {
            "This file is not a save Keepsake can read; choose another backup."
        }
        StoreError::DoesNotFit { .. } => {
            "The backup holds data past the cartridge's chip size, so it is probably from another game or a bigger chip; choose another backup."
        }
        StoreError::WrongGame { .. } => "Choose a backup made from this game.",
        StoreError::Config { .. } => "Fix or delete the settings file, then try again.",
        StoreError::Journal { .. } => {
            "Check that the SD card is in and not write-protected, then try again."
        }
        StoreError::Sd(_) => "Check that the SD card is in and not full, then try again.",
        StoreError::SecureValue { .. } => {
            "Delete that damaged file: the backup then restores as Checkpoint restores it, with the secure value removed."
        }
    };
    refusal(format!("{}.", capitalize(&e.to_string())), advice)
}
