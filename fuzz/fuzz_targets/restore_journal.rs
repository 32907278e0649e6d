#![no_main]
//! Parsing /3ds/Keepsake/journal.json never panics, and what it accepts is
//! written back as the same record.

use keepsake_core::store::journal;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(record) = journal::parse(data) {
        let again = journal::to_json(&record).expect("an accepted record serializes");
        assert_eq!(journal::parse(&again).ok(), Some(record));
    }
});
