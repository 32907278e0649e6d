//! 3DS jobs on the simulated console: SD titles, the game card, extdata,
//! power cuts, wrong titles.

use keepsake_format::smdh;
use keepsake_testkit::rand::{Rng, RngCore};
use keepsake_testkit::rng;

use super::*;
use crate::platform::{ArchiveId, ArchiveKind, Console, MediaType, SdCard, TitleList};
use crate::sim::{MemTree, SimCard, SimConsole};
use crate::store::{BackupEntry, BackupSource, BackupTitle, Config, title_dir};

const POKEMON_X: u64 = 0x0004_0000_0005_5D00;

fn random_tree(name: &str) -> MemTree {
    let mut rng = rng::for_test(name);
    let mut tree = MemTree::new();
    tree.create_dir_all("/data/slots").unwrap();
    for (i, dir) in ["/", "/data", "/data/slots"].iter().enumerate() {
        for f in 0..3 {
            let mut bytes = vec![0; rng.random_range(0..5000)];
            rng.fill_bytes(&mut bytes);
            let path = if *dir == "/" {
                format!("/file{i}{f}.bin")
            } else {
                format!("{dir}/file{i}{f}.bin")
            };
            tree.write(&path, &bytes).unwrap();
        }
    }
    tree
}

fn console_with(id: ArchiveId, tree: MemTree) -> SimConsole {
    let mut sim = SimConsole::new();
    sim.archives.insert(id, tree);
    sim.titles.install(
        id.media,
        id.title_id,
        smdh::build("Pokémon X", "Pokémon X", "Nintendo"),
    );
    if id.media == MediaType::Card {
        sim.card.insert(SimCard::Ctr {
            title_id: id.title_id,
        });
    }
    sim
}

fn title_of(sim: &mut SimConsole, id: ArchiveId) -> BackupTitle {
    let bytes = sim.titles.smdh(id.media, id.title_id).unwrap();
    let smdh = smdh::Smdh::parse(&bytes).unwrap();
    BackupTitle::Ctr {
        title_id: id.title_id,
        short_title: smdh.short_title(smdh::Language::English),
    }
}

macro_rules! run_job {
    ($sim:expr, $job:expr) => {{
        let mut steps = 0u32;
        loop {
            steps += 1;
            assert!(steps < 10_000, "job does not finish");
            match $job.step(&mut $sim.devices()) {
                Ok(Step::Working(_)) => continue,
                Ok(Step::Finished(report)) => break Ok(report),
                Err(e) => break Err(e),
            }
        }
    }};
}

fn sd_tree(sim: &SimConsole, folder: &str) -> MemTree {
    let mut tree = MemTree::new();
    let prefix = format!("{folder}/");
    for (path, bytes) in sim.sd.tree().files() {
        if let Some(rel) = path.strip_prefix(&prefix) {
            let rel = format!("/{rel}");
            let parent = &rel[..rel.rfind('/').unwrap()];
            if !parent.is_empty() {
                tree.create_dir_all(parent).unwrap();
            }
            tree.write(&rel, bytes).unwrap();
        }
    }
    tree
}

fn entry(path: &str) -> BackupEntry {
    BackupEntry {
        name: path.rsplit('/').next().unwrap().to_owned(),
        path: path.to_owned(),
        source: BackupSource::Folder,
    }
}

fn backup_and_restore(id: ArchiveId) {
    let original = random_tree(&format!("original {id:?}"));
    let mut sim = console_with(id, original.clone());
    let title = title_of(&mut sim, id);
    let dir = title_dir(&Config::default(), &title, id.kind);
    let root = match id.kind {
        ArchiveKind::SaveData => "saves",
        ArchiveKind::ExtData => "extdata",
        other => panic!("{other:?} is covered by system_save_tests.rs"),
    };
    assert_eq!(dir, format!("/3ds/Checkpoint/{root}/0x0055D Pokémon X"));

    let mut job = CtrBackupJob::new(id, &dir, "20260101-000000");
    let report = run_job!(sim, job).unwrap();
    assert_eq!(report.files, 9);
    assert_eq!(sd_tree(&sim, &report.folder).files(), original.files());

    // The game changes its save: a file goes, one changes, one appears.
    let mut played = original.clone();
    played.remove_file("/file00.bin").unwrap();
    played.write("/data/file11.bin", b"changed").unwrap();
    played.write("/new.bin", b"new").unwrap();
    sim.archives.insert(id, played.clone());

    let mut job = CtrRestoreJob::new(id, &dir, entry(&report.folder));
    let restored = run_job!(sim, job).unwrap();
    assert_eq!(sim.archives.committed(id).unwrap(), &original);
    assert_eq!(restored.files_written, 9);
    assert_eq!(restored.files_verified, 9);
    // Save data: 3 root files and /data; extdata, file by file: the 9
    // files of the played tree, then /data/slots and /data.
    let cleared = match id.kind {
        ArchiveKind::SaveData => 4,
        _ => played.files().len() as u64 + 2,
    };
    assert_eq!(restored.entries_cleared, cleared);
    assert_eq!(sd_tree(&sim, &restored.auto_backup).files(), played.files());
    let save_data = id.kind == ArchiveKind::SaveData;
    assert_eq!(restored.committed, save_data);
    // The title never had a secure value, so the backup kept none and the
    // restore deleted the system's, as Checkpoint does.
    let expected = if save_data && id.media == MediaType::Sd {
        RestoredSecureValue::Deleted
    } else {
        RestoredSecureValue::NotApplicable
    };
    assert_eq!(restored.secure_value, expected);
    let resets = if save_data {
        vec![(id.title_id, id.media)]
    } else {
        vec![]
    };
    assert_eq!(sim.archives.secure_value_resets(), &resets[..]);
}

#[test]
fn an_sd_title_backs_up_and_restores() {
    backup_and_restore(ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: POKEMON_X,
    });
}

#[test]
fn a_3ds_cartridge_backs_up_and_restores() {
    backup_and_restore(ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Card,
        title_id: POKEMON_X,
    });
}

#[test]
fn extdata_backs_up_and_restores_without_commit() {
    backup_and_restore(ArchiveId {
        kind: ArchiveKind::ExtData,
        media: MediaType::Sd,
        title_id: POKEMON_X,
    });
}

#[test]
fn power_lost_at_every_write_of_a_3ds_restore_keeps_the_save_recoverable() {
    let id = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: POKEMON_X,
    };
    let before = random_tree("3ds power before");
    let wanted = random_tree("3ds power wanted");
    let backup_dir = "/3ds/Checkpoint/saves/0x0055D Pokémon X/wanted";
    let fresh = || {
        let mut sim = console_with(id, before.clone());
        for (path, bytes) in wanted.files() {
            let full = format!("{backup_dir}{path}");
            sim.sd
                .create_dir_all(&full[..full.rfind('/').unwrap()])
                .unwrap();
            sim.sd.write(&full, bytes).unwrap();
        }
        sim
    };
    let dir = "/3ds/Checkpoint/saves/0x0055D Pokémon X";

    let mut sim = fresh();
    let start = sim.power.writes();
    let mut job = CtrRestoreJob::new(id, dir, entry(backup_dir));
    run_job!(sim, job).unwrap();
    let total = sim.power.writes() - start;
    assert_eq!(sim.archives.committed(id).unwrap().files(), wanted.files());

    for cut in 1..=total {
        let mut sim = fresh();
        sim.power.cut_after_writes(cut);
        let mut job = CtrRestoreJob::new(id, dir, entry(backup_dir));
        let outcome = run_job!(sim, job);
        sim.power_cycle();
        let now = sim.archives.committed(id).unwrap().clone();
        let autos: Vec<String> = sim
            .sd
            .list(dir)
            .unwrap()
            .into_iter()
            .filter(|e| e.name.ends_with("-auto"))
            .map(|e| format!("{dir}/{}", e.name))
            .collect();
        if now.files() == wanted.files() {
            assert_eq!(autos.len(), 1, "cut {cut}");
        } else {
            assert_eq!(now, before, "cut {cut}: a half-restored archive");
            assert!(outcome.is_err());
        }
        for auto in &autos {
            assert_eq!(sd_tree(&sim, auto).files(), before.files(), "cut {cut}");
        }
    }
}

#[test]
fn a_backup_of_another_title_is_refused() {
    let id = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: POKEMON_X,
    };
    let before = random_tree("3ds wrong title");
    let mut sim = console_with(id, before.clone());
    let other = "/3ds/Checkpoint/saves/0x01648 Pokémon Sun/20200101-000000";
    sim.sd.create_dir_all(other).unwrap();
    sim.sd.write(&format!("{other}/main"), b"sun").unwrap();
    let writes = sim.power.writes();
    let mut job = CtrRestoreJob::new(id, "/3ds/Checkpoint/saves/0x0055D Pokémon X", entry(other));
    let err = run_job!(sim, job).unwrap_err();
    assert_eq!(sim.power.writes(), writes, "nothing written anywhere");
    assert!(err.to_string().contains("0x01648 Pokémon Sun"), "{err}");
    assert_eq!(sim.archives.committed(id).unwrap(), &before);
    assert!(sim.archives.secure_value_resets().is_empty());
}

#[test]
fn an_automatic_backup_the_sd_card_garbles_stops_a_3ds_restore_before_the_archive_changes() {
    for media in [MediaType::Sd, MediaType::Card] {
        let id = ArchiveId {
            kind: ArchiveKind::SaveData,
            media,
            title_id: POKEMON_X,
        };
        let before = random_tree("3ds garbled auto");
        let mut sim = console_with(id, before.clone());
        let dir = "/3ds/Checkpoint/saves/0x0055D Pokémon X";
        let wanted = format!("{dir}/wanted");
        sim.sd.create_dir_all(&wanted).unwrap();
        sim.sd.write(&format!("{wanted}/main"), b"wanted").unwrap();
        sim.sd.garble_next_write();
        let mut job = CtrRestoreJob::new(id, dir, entry(&wanted));
        let err = run_job!(sim, job).unwrap_err();
        assert!(matches!(err, JobError::BackupNotKept { .. }), "{err}");
        assert_eq!(job.auto_backup(), "");
        assert_eq!(sim.archives.committed(id).unwrap(), &before, "{media:?}");
        assert!(sim.archives.secure_value_resets().is_empty());
        let folders: Vec<String> = sim
            .sd
            .list(dir)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(
            folders,
            ["wanted"],
            "{media:?}: nothing half-made published"
        );
        assert!(
            sim.sd
                .list(crate::store::naming::STAGING_DIR)
                .unwrap()
                .is_empty(),
            "{media:?}: the staged copy is dropped"
        );
    }
}

#[test]
fn a_3ds_backup_cancelled_leaves_nothing_and_a_swapped_card_is_noticed() {
    let id = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Card,
        title_id: POKEMON_X,
    };
    let mut sim = console_with(id, random_tree("3ds cancel"));
    let dir = "/3ds/Checkpoint/saves/0x0055D Pokémon X";
    let mut job = CtrBackupJob::new(id, dir, "x");
    job.step(&mut sim.devices()).unwrap();
    job.step(&mut sim.devices()).unwrap();
    job.cancel(&mut sim.devices()).unwrap();
    assert_eq!(sim.sd.kind_of(dir).unwrap(), None);
    assert!(
        sim.sd
            .list(crate::store::naming::STAGING_DIR)
            .unwrap()
            .is_empty()
    );

    let mut job = CtrBackupJob::new(id, dir, "x");
    let folder = run_job!(sim, job).unwrap().folder;
    sim.card.insert(SimCard::Ctr {
        title_id: 0x0004_0000_0016_4800,
    });
    let mut job = CtrRestoreJob::new(id, dir, entry(&folder));
    assert!(matches!(
        run_job!(sim, job),
        Err(JobError::CardChanged { .. })
    ));
}

#[test]
fn an_extdata_clear_that_stops_half_way_names_what_is_left() {
    let id = ArchiveId {
        kind: ArchiveKind::ExtData,
        media: MediaType::Sd,
        title_id: POKEMON_X,
    };
    let original = random_tree("extdata clear stops");
    let mut sim = console_with(id, original.clone());
    let title = title_of(&mut sim, id);
    let dir = title_dir(&Config::default(), &title, id.kind);
    let mut job = CtrBackupJob::new(id, &dir, "20260101-000000");
    let report = run_job!(sim, job).unwrap();

    sim.archives.fail_deleting("/data/file11.bin");
    let mut job = CtrRestoreJob::new(id, &dir, entry(&report.folder));
    let error = run_job!(sim, job).unwrap_err();
    let JobError::ClearStopped {
        path,
        left,
        auto_backup,
        ..
    } = &error
    else {
        panic!("expected a stopped clear, got {error:?}");
    };
    assert_eq!(path, "/data/file11.bin");
    // Files go in sorted order: /data/file10.bin went, /data/file11.bin
    // stayed, and so did everything after it.
    assert!(
        left.starts_with("/data/file11.bin, /data/file12.bin"),
        "{left}"
    );
    assert!(left.ends_with("and 3 more"), "{left}");
    let committed = sim.archives.committed(id).unwrap();
    assert!(committed.read("/data/file10.bin").is_err());
    assert!(committed.read("/data/file11.bin").is_ok());
    // The automatic backup holds the extdata as it was.
    assert_eq!(sd_tree(&sim, auto_backup).files(), original.files());
    assert!(error.to_string().contains(auto_backup.as_str()));
}

#[test]
fn a_restore_onto_a_game_never_started_is_refused_before_any_write() {
    let id = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: POKEMON_X,
    };
    let mut sim = console_with(id, random_tree("never started"));
    let title = title_of(&mut sim, id);
    let dir = title_dir(&Config::default(), &title, id.kind);
    let mut job = CtrBackupJob::new(id, &dir, "20260101-000000");
    let report = run_job!(sim, job).unwrap();
    // The game is deleted and reinstalled, and not started since:
    // Checkpoint neither lists nor formats such a save; it is refused.
    sim.archives.insert_unformatted(id);
    let mut job = CtrRestoreJob::new(id, &dir, entry(&report.folder));
    let error = run_job!(sim, job).unwrap_err();
    assert_eq!(
        error,
        JobError::Archive(crate::platform::ArchiveError::NotFormatted(id))
    );
    assert!(sim.archives.committed(id).is_none());
    assert_eq!(sim.archives.commits(), 0);
}
