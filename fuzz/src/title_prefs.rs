//! The title list's settings in /3ds/Keepsake/config.json (favourites in
//! Checkpoint's form, the filter, the order) and Checkpoint's own
//! config.json, read from untrusted bytes: never a panic; what is read
//! writes back to the same settings with no problem, and every other key
//! is kept.

use keepsake_core::store::Config;
use keepsake_core::store::title_prefs::{
    FAVOURITES_KEY, FILTER_KEY, SORT_KEY, TitlePrefs, checkpoint_favourites,
};

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let _ = checkpoint_favourites(data);
    let Ok(config) = Config::parse(data) else {
        return;
    };
    let (prefs, _) = TitlePrefs::read(&config);
    let mut rewritten = config.clone();
    prefs.write_into(&mut rewritten);
    let (again, problems) = TitlePrefs::read(&rewritten);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(again, prefs);
    for (key, value) in &config.others {
        if ![FAVOURITES_KEY, FILTER_KEY, SORT_KEY].contains(&key.as_str()) {
            assert_eq!(rewritten.others.get(key), Some(value), "{key}");
        }
    }
}
