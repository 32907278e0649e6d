//! What to tell a user who gave a command the wrong kind of file.
//!
//! Each command family reads one kind of save: `nds` NDS saves, `3ds` raw or
//! encrypted cartridge flash, `disa` plaintext saves, `diff` plaintext
//! extdata. When a file fails to open, these say which command reads what
//! it is, from its content (never its name), so the error can end with the
//! command to run instead.

use std::io::Read;
use std::path::Path;

use keepsake_format::ctr::detect::{Container as CtrKind, detect};
use keepsake_format::nds::{Container as NdsKind, SaveFile};

/// What a file is, as far as the command families are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An NDS save in a container that says so (.dsv, .duc, no$gba).
    NdsContainer,
    Disa,
    Diff,
    WearLeveled,
    Encrypted,
    Unknown,
}

/// The largest file read whole to tell its kind: the largest 3DS
/// cartridge flash is 1 MiB and the largest NDS save 8 MiB.
const READ_LIMIT: u64 = 8 << 20;

/// Tells the kind of `bytes`.
pub fn kind_of(bytes: &[u8]) -> Kind {
    match detect(bytes) {
        CtrKind::Disa => return Kind::Disa,
        CtrKind::Diff => return Kind::Diff,
        CtrKind::WearLeveled { .. } => return Kind::WearLeveled,
        CtrKind::EncryptedRepeating(_) => return Kind::Encrypted,
        CtrKind::Unknown { .. } => {}
    }
    match SaveFile::parse(bytes) {
        Ok(save) if save.container != NdsKind::Raw => Kind::NdsContainer,
        _ => Kind::Unknown,
    }
}

/// Tells the kind of the file at `path`, reading at most [`READ_LIMIT`]
/// bytes; an unreadable file is [`Kind::Unknown`].
pub fn kind_of_file(path: &Path) -> Kind {
    let mut bytes = Vec::new();
    match std::fs::File::open(path).and_then(|f| f.take(READ_LIMIT + 1).read_to_end(&mut bytes)) {
        Ok(_) if bytes.len() as u64 <= READ_LIMIT => kind_of(&bytes),
        _ => Kind::Unknown,
    }
}

/// The command family a command belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Nds,
    Ctr,
    Disa,
    Diff,
}

/// What to run instead, when `kind` is not what `family` reads.
pub fn instead(kind: Kind, family: Family) -> Option<&'static str> {
    let hint = match kind {
        Kind::NdsContainer => "this is an NDS save: use `keepsake nds`",
        Kind::Disa => "this is a plaintext 3DS save (DISA): use `keepsake disa`",
        Kind::Diff => "this is a plaintext 3DS extdata image (DIFF): use `keepsake diff`",
        Kind::WearLeveled => {
            "this is a raw 3DS cartridge flash dump: run `keepsake 3ds unwear` on it first"
        }
        Kind::Encrypted => "this looks encrypted: run `keepsake 3ds decrypt` on it first",
        Kind::Unknown => return None,
    };
    let fits = match family {
        Family::Nds => kind == Kind::NdsContainer,
        Family::Ctr => matches!(kind, Kind::WearLeveled | Kind::Encrypted),
        Family::Disa => kind == Kind::Disa,
        Family::Diff => kind == Kind::Diff,
    };
    (!fits).then_some(hint)
}

/// The hint for the file at `path` given to a command of `family`.
pub fn for_file(path: &Path, family: Family) -> Option<&'static str> {
    instead(kind_of_file(path), family)
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_format::nds::dsv;

    #[test]
    fn every_kind_points_to_the_family_that_reads_it() {
        let dsv = dsv::encode(&[0x42; 512]).unwrap();
        assert_eq!(kind_of(&dsv), Kind::NdsContainer);
        assert_eq!(
            instead(Kind::NdsContainer, Family::Disa),
            Some("this is an NDS save: use `keepsake nds`")
        );
        assert_eq!(instead(Kind::NdsContainer, Family::Nds), None);
        let mut disa = vec![0u8; 0x1000];
        disa[0x100..0x104].copy_from_slice(b"DISA");
        assert_eq!(kind_of(&disa), Kind::Disa);
        assert_eq!(instead(Kind::Disa, Family::Disa), None);
        assert!(
            instead(Kind::Disa, Family::Diff)
                .unwrap()
                .contains("keepsake disa")
        );
        assert!(
            instead(Kind::Encrypted, Family::Disa)
                .unwrap()
                .contains("3ds decrypt")
        );
        assert_eq!(instead(Kind::Encrypted, Family::Ctr), None);
        // A raw NDS image has no mark of its own: no hint either way.
        assert_eq!(kind_of(&[0x42; 512]), Kind::Unknown);
        assert_eq!(instead(Kind::Unknown, Family::Disa), None);
    }
}
