//! Parsing /3ds/Keepsake/journal.json never panics, and what it accepts is
//! written back as the same record.

use keepsake_core::store::journal;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(record) = journal::parse(data) {
        let again = journal::to_json(&record).expect("an accepted record serializes");
        assert_eq!(journal::parse(&again).ok(), Some(record));
    }
}
