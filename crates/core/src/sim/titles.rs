//! The simulated title list: title ids with their SMDH bytes, per medium.

use std::collections::BTreeMap;

use crate::platform::{MediaType, TitleError, TitleList};

/// Installed titles.
#[derive(Debug, Default)]
pub struct SimTitles {
    titles: BTreeMap<(MediaType, u64), Vec<u8>>,
}

impl SimTitles {
    /// No titles.
    pub fn new() -> Self {
        Self::default()
    }

    /// Installs a title with its SMDH.
    pub fn install(&mut self, media: MediaType, title_id: u64, smdh: Vec<u8>) {
        self.titles.insert((media, title_id), smdh);
    }

    /// Removes a title (the card's, when it is ejected).
    pub fn remove(&mut self, media: MediaType, title_id: u64) {
        self.titles.remove(&(media, title_id));
    }
}

impl TitleList for SimTitles {
    fn titles(&mut self, media: MediaType) -> Result<Vec<u64>, TitleError> {
        Ok(self
            .titles
            .keys()
            .filter(|(m, _)| *m == media)
            .map(|&(_, id)| id)
            .collect())
    }

    fn smdh(&mut self, media: MediaType, title_id: u64) -> Result<Vec<u8>, TitleError> {
        self.titles
            .get(&(media, title_id))
            .cloned()
            .ok_or(TitleError::NotInstalled { title_id, media })
    }
}
