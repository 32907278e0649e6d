//! Batches on the simulated console: a failing title in the middle, a
//! cartridge pulled before its turn, a cancel half-way.

use std::collections::BTreeMap;

use super::*;
use crate::nds_card::identify;
use crate::platform::{ArchiveKind, Console, SdCard};
use crate::sim::{MemTree, SimCard, SimChip, SimConsole, SimNdsCard, nds_rom_header};

fn sd_save(title_id: u64) -> ArchiveId {
    ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id,
    }
}

/// A save tree of a few files whose bytes are made from `seed`.
fn tree(seed: u8) -> MemTree {
    let mut tree = MemTree::new();
    tree.create_dir_all("/slot").unwrap();
    tree.write("/main", &[seed; 700]).unwrap();
    tree.write("/slot/1.bin", &vec![seed.wrapping_mul(3); 40_000])
        .unwrap();
    tree
}

/// The files under `folder` on the SD card, by their path inside it.
fn files_under(sim: &SimConsole, folder: &str) -> BTreeMap<String, Vec<u8>> {
    let prefix = format!("{folder}/");
    sim.sd
        .tree()
        .files()
        .iter()
        .filter_map(|(path, bytes)| {
            Some((format!("/{}", path.strip_prefix(&prefix)?), bytes.clone()))
        })
        .collect()
}

fn nds_card(title: &str, code: &str, save: &[u8]) -> SimCard {
    SimCard::Nds(SimNdsCard {
        header: nds_rom_header(title, code),
        banner: Vec::new(),
        chip: SimChip::eeprom(0x2000, save),
        infrared: false,
    })
}

fn ctr_target(title_id: u64) -> BatchTarget {
    BatchTarget::Ctr {
        archive: sd_save(title_id),
        title_dir: format!("/saves/{title_id:X}"),
    }
}

fn run(sim: &mut SimConsole, job: &mut BatchBackupJob) -> BatchBackupReport {
    for _ in 0..10_000 {
        if let Step::Finished(report) = job.step(&mut sim.devices()).unwrap() {
            return report;
        }
    }
    panic!("the batch did not finish");
}

#[test]
fn a_save_never_made_fails_alone_and_the_titles_around_it_are_backed_up() {
    let mut sim = SimConsole::new();
    let ids = [
        0x0004_0000_0010_0100,
        0x0004_0000_0010_0200,
        0x0004_0000_0010_0300,
    ];
    sim.archives.insert(sd_save(ids[0]), tree(1));
    sim.archives.insert_unformatted(sd_save(ids[1]));
    sim.archives.insert(sd_save(ids[2]), tree(2));
    let mut job = BatchBackupJob::new(ids.iter().map(|&id| ctr_target(id)).collect());
    let report = run(&mut sim, &mut job);
    assert!(!report.cancelled);
    assert_eq!(report.titles.len(), 3);
    assert!(matches!(
        report.titles[1],
        TitleResult::Failed(JobError::Archive(
            crate::platform::ArchiveError::NotFormatted(_)
        ))
    ));
    for (i, seed) in [(0, 1), (2, 2)] {
        let folder = report.titles[i].folder().expect("backed up");
        // Named by the clock when its turn came, in the title's folder.
        let name = folder
            .strip_prefix(&format!("/saves/{:X}/", ids[i]))
            .unwrap();
        assert!(name.starts_with("20260101-0000"), "{name}");
        // Independent of the job: the trees the archives were given.
        let expected: BTreeMap<String, Vec<u8>> = [
            ("/main".to_string(), vec![seed; 700]),
            ("/slot/1.bin".to_string(), vec![seed * 3; 40_000]),
        ]
        .into();
        assert_eq!(files_under(&sim, folder), expected);
    }
    assert_eq!(
        sim.sd.kind_of(&format!("/saves/{:X}", ids[1])).unwrap(),
        None
    );
    assert_eq!(job.step(&mut sim.devices()), Err(JobError::Ended));
}

#[test]
fn a_cartridge_pulled_before_its_turn_fails_and_the_sd_titles_go_on() {
    let mut sim = SimConsole::new();
    let save = vec![0x5A; 0x2000];
    sim.card.insert(nds_card("MOSS KNIGHT", "AMKE", &save));
    let card = identify(&mut sim.card).unwrap();
    let id = 0x0004_0000_0010_0100;
    sim.archives.insert(sd_save(id), tree(7));
    let mut job = BatchBackupJob::new(vec![
        ctr_target(id),
        BatchTarget::Nds {
            card: card.clone(),
            title_dir: "/saves/AMKE MOSS KNIGHT".into(),
        },
        ctr_target(id),
    ]);
    // The first title starts; the card goes before the second's turn.
    job.step(&mut sim.devices()).unwrap();
    assert_eq!(job.position(), (0, 3));
    sim.card.eject();
    let report = run(&mut sim, &mut job);
    assert!(report.titles[0].folder().is_some());
    assert!(
        matches!(report.titles[1], TitleResult::Failed(_)),
        "{:?}",
        report.titles[1]
    );
    // The same title again: a second folder beside the first.
    assert!(report.titles[2].folder().is_some());
    assert_ne!(report.titles[2].folder(), report.titles[0].folder());
    assert_eq!(sim.sd.kind_of("/saves/AMKE MOSS KNIGHT").unwrap(), None);

    // With the card in, the cartridge is backed up: the whole chip.
    sim.card.insert(nds_card("MOSS KNIGHT", "AMKE", &save));
    let mut job = BatchBackupJob::new(vec![BatchTarget::Nds {
        card,
        title_dir: "/saves/AMKE MOSS KNIGHT".into(),
    }]);
    let report = run(&mut sim, &mut job);
    let folder = report.titles[0].folder().unwrap().to_owned();
    assert_eq!(
        sim.sd.read(&format!("{folder}/MOSS KNIGHT.sav")).unwrap(),
        save
    );
}

#[test]
fn cancelling_keeps_the_backups_made_and_drops_the_one_in_progress() {
    let mut sim = SimConsole::new();
    let ids = [
        0x0004_0000_0010_0100,
        0x0004_0000_0010_0200,
        0x0004_0000_0010_0300,
    ];
    for (i, &id) in ids.iter().enumerate() {
        sim.archives.insert(sd_save(id), tree(i as u8 + 1));
    }
    let mut job = BatchBackupJob::new(ids.iter().map(|&id| ctr_target(id)).collect());
    // Until the second title is under way.
    while job.position().0 < 1 {
        job.step(&mut sim.devices()).unwrap();
    }
    for _ in 0..2 {
        job.step(&mut sim.devices()).unwrap();
    }
    job.cancel(&mut sim.devices()).unwrap();
    let Step::Finished(report) = job.step(&mut sim.devices()).unwrap() else {
        panic!("a cancelled batch reports at its next step");
    };
    assert!(report.cancelled);
    assert!(report.titles[0].folder().is_some());
    assert_eq!(report.titles[1], TitleResult::Cancelled);
    assert_eq!(report.titles[2], TitleResult::NotStarted);
    let first = report.titles[0].folder().unwrap();
    assert_eq!(files_under(&sim, first).len(), 2);
    // Nothing of the second or third title, staged or published.
    for id in &ids[1..] {
        assert_eq!(sim.sd.kind_of(&format!("/saves/{id:X}")).unwrap(), None);
    }
    let staged = sim
        .sd
        .tree()
        .files()
        .keys()
        .filter(|p| p.contains("staging"))
        .count();
    assert_eq!(staged, 0, "no staged files left");
    assert_eq!(job.cancel(&mut sim.devices()), Err(JobError::Ended));
}

#[test]
fn a_full_sd_card_fails_each_title_in_turn_and_the_batch_still_ends() {
    let mut sim = SimConsole::new();
    let ids = [0x0004_0000_0010_0100, 0x0004_0000_0010_0200];
    for (i, &id) in ids.iter().enumerate() {
        sim.archives.insert(sd_save(id), tree(i as u8 + 1));
    }
    // Room for the folders, not for a 40 000-byte file.
    sim.sd.set_capacity(sim.sd.used() + 10_000);
    let mut job = BatchBackupJob::new(ids.iter().map(|&id| ctr_target(id)).collect());
    let report = run(&mut sim, &mut job);
    for result in &report.titles {
        assert!(
            matches!(
                result,
                TitleResult::Failed(JobError::Store(crate::store::StoreError::Sd(
                    crate::platform::SdError::Full { .. }
                )))
            ),
            "{result:?}"
        );
    }
    for id in ids {
        assert!(files_under(&sim, &format!("/saves/{id:X}")).is_empty());
    }
}
