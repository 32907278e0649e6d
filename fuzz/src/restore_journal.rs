//! Parsing /3ds/Keepsake/journal.json never panics, what it accepts is
//! written back as the same record, and checking the way back it names
//! (sizes, paths and all from the file) never panics either.

use keepsake_core::platform::SdCard;
use keepsake_core::sim::{PowerSupply, SimSd};
use keepsake_core::store::journal;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(record) = journal::parse(data) {
        let again = journal::to_json(&record).expect("an accepted record serializes");
        assert_eq!(journal::parse(&again).ok(), Some(record.clone()));
        // Once as it is, once pointed at a folder that exists, holding a
        // file the record may name.
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        sd.create_dir_all("/a")
            .expect("the simulated card has room");
        sd.write("/a/f", b"keepsake")
            .expect("the simulated card has room");
        let _ = journal::check_way_back(&mut sd, &record);
        let mut pointed = record;
        pointed.automatic_backup = "/a".into();
        let _ = journal::check_way_back(&mut sd, &pointed);
    }
}
