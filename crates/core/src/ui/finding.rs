//! Finding a title in a long list: favourites, a filter and an order,
//! which the model remembers across starts in `config.json`
//! (`app/title_view.rs`).
//!
//! The list is ordered as Checkpoint orders it (`3ds/source/loader.cpp`
//! `sortLists`: favourites first, then by name, the cartridge above all):
//! the cartridge, then the favourites, then installed titles, then folders
//! that only hold backups, each group by name or by title id. The filter
//! only hides rows: the screens still find a hidden title by its key (the
//! cartridge's name in the header, a backup list whose title is filtered
//! out).
//!
//! Controls on the title list: X marks or unmarks a favourite, R shows the
//! next filter, L+R the other order. By touch: a row's icon (where the
//! favourite's mark shows) marks or unmarks it, the list's heading's left
//! half shows the next filter and its right half the other order. The
//! heading names R and L+R and shows the filter and order in force.

use super::display::{Align, DrawCmd, TextSize};
use super::model::{
    AppModel, Outcome, Refusal, TitleFilter, TitleInfo, TitleKey, TitleSort, TitleSource,
    TitleView, is_system_title,
};
use super::palette::Role;
use super::state::{Return, Ui, View, natural_cmp};

/// Touching a title row left of this x (its icon, where the favourite's
/// mark shows) marks or unmarks it.
pub(crate) const MARK_COLUMN: u16 = 26;

/// The list from every title: all of them in the list's order, and the
/// ones `view`'s filter shows.
pub(crate) fn arrange(
    mut titles: Vec<TitleInfo>,
    view: &TitleView,
) -> (Vec<TitleInfo>, Vec<TitleInfo>) {
    let favourite = |t: &TitleInfo| is_favourite(view, &t.key);
    let id = |t: &TitleInfo| view.ids.get(&t.key).copied().unwrap_or(u64::MAX);
    titles.sort_by(|a, b| {
        (!a.source.is_cartridge())
            .cmp(&!b.source.is_cartridge())
            .then_with(|| favourite(b).cmp(&favourite(a)))
            .then_with(|| a.source.list_rank().cmp(&b.source.list_rank()))
            .then_with(|| match view.sort {
                TitleSort::Name => natural_cmp(&a.name, &b.name),
                TitleSort::TitleId => id(a).cmp(&id(b)),
            })
            .then_with(|| natural_cmp(&a.name, &b.name))
            .then_with(|| a.key.cmp(&b.key))
    });
    let shown = titles.iter().filter(|t| shows(view, t)).cloned().collect();
    (titles, shown)
}

/// Whether `view`'s filter shows `title`.
fn shows(view: &TitleView, title: &TitleInfo) -> bool {
    let system = view
        .ids
        .get(&title.key)
        .is_some_and(|&id| is_system_title(id));
    match view.filter {
        TitleFilter::All => true,
        TitleFilter::Cartridge => title.source.is_cartridge(),
        TitleFilter::Installed => {
            let installed = matches!(
                title.source,
                TitleSource::SdCard
                    | TitleSource::GbaVc
                    | TitleSource::MaybeGbaVc
                    | TitleSource::DsiWare
            );
            installed && !system
        }
        TitleFilter::System => system || title.source == TitleSource::System,
        TitleFilter::HasBackups => title.backup_count > 0,
    }
}

pub(crate) fn is_favourite(view: &TitleView, key: &TitleKey) -> bool {
    view.ids
        .get(key)
        .is_some_and(|id| view.favourites.contains(id))
}

/// The filter in words, as a notice says it.
fn describe(filter: TitleFilter) -> &'static str {
    match filter {
        TitleFilter::All => "every title",
        TitleFilter::Cartridge => "only the cartridge",
        TitleFilter::Installed => "only installed titles",
        TitleFilter::System => "only system titles",
        TitleFilter::HasBackups => "only titles with backups",
    }
}

impl Ui {
    pub(crate) fn toggle_favourite(&mut self, model: &mut dyn AppModel) {
        let Some(title) = self.selected_title() else {
            self.say("No title to mark: the list is empty.");
            return;
        };
        let (key, name) = (title.key.clone(), title.name.clone());
        let favourite = !is_favourite(&self.title_view, &key);
        let saved = model.set_favourite(&key, favourite);
        self.after_change(
            saved,
            if favourite {
                format!("\"{name}\" is a favourite: it is listed first.")
            } else {
                format!("\"{name}\" is no longer a favourite.")
            },
        );
    }

    pub(crate) fn next_filter(&mut self, model: &mut dyn AppModel) {
        let filter = self.title_view.filter.next();
        let saved = model.set_title_view(filter, self.title_view.sort);
        self.after_change(saved, format!("Showing {}.", describe(filter)));
    }

    pub(crate) fn next_sort(&mut self, model: &mut dyn AppModel) {
        let sort = self.title_view.sort.next();
        let saved = model.set_title_view(self.title_view.filter, sort);
        self.after_change(saved, format!("Sorted {}.", sort.label()));
    }

    /// Re-reads the list (at the end of this frame) and says what changed,
    /// or why it will not be remembered.
    fn after_change(&mut self, saved: Result<(), Refusal>, done: String) {
        self.generation = None;
        match saved {
            Ok(()) => self.say(done),
            Err(refusal) => {
                self.return_to = Return::Titles;
                self.view = View::Result(Outcome::from_refusal(
                    format!("{done} Not remembered"),
                    refusal,
                ));
            }
        }
    }

    /// The list heading's left side: the filter (R) and how many it shows.
    pub(crate) fn filter_heading(&self) -> String {
        format!(
            "R: {} ({})",
            self.title_view.filter.label(),
            self.titles.len()
        )
    }

    /// The list heading's right side: the order (L+R).
    pub(crate) fn sort_heading(&self) -> String {
        format!("L+R: {}", self.title_view.sort.label())
    }

    /// What the top screen says when the filter hides every title.
    pub(crate) fn nothing_shown(&self) -> Option<String> {
        (self.titles.is_empty() && !self.all_titles.is_empty()).then(|| {
            let mut text = format!(
                "No titles to show with the filter \"{}\" ({} hidden).",
                self.title_view.filter.label(),
                self.all_titles.len()
            );
            if self.title_view.filter == TitleFilter::System && !self.title_view.system_data_listed
            {
                text.push_str(
                    " System saves and shared extdata are listed once Settings > System data is on.",
                );
            }
            text.push_str(" Press R, or tap the list's heading, for the next filter.");
            text
        })
    }

    pub(crate) fn favourite(&self, key: &TitleKey) -> bool {
        is_favourite(&self.title_view, key)
    }
}

/// The favourite's mark on a list row: a gold pip with a star, over the
/// icon's corner (as Checkpoint marks its grid).
pub(crate) fn favourite_pip(cmds: &mut Vec<DrawCmd>, x: u16, y: u16) {
    cmds.push(DrawCmd::Rect {
        x: x as i16,
        y: y as i16,
        w: 10,
        h: 11,
        color: Role::Favourite,
    });
    cmds.push(DrawCmd::Text {
        x: x as i16 + 2,
        y: y as i16 + 1,
        text: "*".into(),
        size: TextSize::Small,
        color: Role::BadgeText,
        align: Align::Left,
        max_width: None,
    });
}

/// The favourite's badge beside a title's details.
pub(crate) fn favourite_badge(cmds: &mut Vec<DrawCmd>, x: u16, y: u16) {
    let label = "* FAVOURITE";
    let w = label.len() as u16 * TextSize::Small.advance() + 8;
    cmds.push(DrawCmd::Rect {
        x: x as i16,
        y: y as i16,
        w,
        h: 14,
        color: Role::Favourite,
    });
    cmds.push(DrawCmd::Text {
        x: (x + w / 2) as i16,
        y: y as i16 + 2,
        text: label.into(),
        size: TextSize::Small,
        color: Role::BadgeText,
        align: Align::Center,
        max_width: None,
    });
}

/// The keys of the favourites among `titles`, for tests.
#[cfg(test)]
pub(crate) fn favourite_keys(
    titles: &[TitleInfo],
    view: &TitleView,
) -> std::collections::BTreeSet<TitleKey> {
    titles
        .iter()
        .filter(|t| is_favourite(view, &t.key))
        .map(|t| t.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-listed set of titles: a cartridge, three installed games, a
    /// system application and a folder of backups, with their ids.
    fn hand_listed() -> (Vec<TitleInfo>, TitleView) {
        let rows: [(&str, &str, TitleSource, u64, usize); 6] = [
            (
                "nds:AMKE",
                "MOSS KNIGHT",
                TitleSource::NdsCartridge,
                0x0000_444E_414D_4B45,
                1,
            ),
            (
                "ctr:sd:1",
                "Pocket Garden",
                TitleSource::SdCard,
                0x0004_0000_0010_0100,
                0,
            ),
            (
                "ctr:sd:2",
                "comet kart",
                TitleSource::SdCard,
                0x0004_0000_0010_0300,
                2,
            ),
            (
                "ctr:sd:3",
                "Harbor Tales 10",
                TitleSource::SdCard,
                0x0004_0000_0010_0200,
                0,
            ),
            (
                "ctr:sd:4",
                "System Settings",
                TitleSource::SdCard,
                0x0004_0010_0002_0000,
                0,
            ),
            (
                "folder:x",
                "Aardvark",
                TitleSource::BackupsOnly,
                0x0004_0000_0000_0100,
                3,
            ),
        ];
        let mut view = TitleView::default();
        let titles = rows
            .iter()
            .map(|&(key, name, source, id, backups)| {
                view.ids.insert(TitleKey(key.into()), id);
                TitleInfo {
                    key: TitleKey(key.into()),
                    name: name.into(),
                    publisher: String::new(),
                    id_label: "Title ID",
                    id_text: String::new(),
                    source,
                    save_kind: None,
                    icon: None,
                    backup_count: backups,
                }
            })
            .collect();
        (titles, view)
    }

    fn names(titles: &[TitleInfo]) -> Vec<&str> {
        titles.iter().map(|t| t.name.as_str()).collect()
    }

    #[test]
    fn the_order_is_cartridge_favourites_then_the_rest_by_name_or_id() {
        let (titles, mut view) = hand_listed();
        let (all, shown) = arrange(titles.clone(), &view);
        assert_eq!(
            names(&all),
            [
                "MOSS KNIGHT",
                "comet kart",
                "Harbor Tales 10",
                "Pocket Garden",
                "System Settings",
                "Aardvark"
            ]
        );
        assert_eq!(names(&shown), names(&all));

        view.sort = TitleSort::TitleId;
        let (all, _) = arrange(titles.clone(), &view);
        assert_eq!(
            names(&all),
            [
                "MOSS KNIGHT",
                "Pocket Garden",
                "Harbor Tales 10",
                "comet kart",
                "System Settings",
                "Aardvark"
            ]
        );

        // Favourites come right after the cartridge, in the same order.
        view.sort = TitleSort::Name;
        view.favourites = [0x0004_0000_0010_0100, 0x0004_0000_0000_0100].into();
        let (all, _) = arrange(titles, &view);
        assert_eq!(
            names(&all),
            [
                "MOSS KNIGHT",
                "Pocket Garden",
                "Aardvark",
                "comet kart",
                "Harbor Tales 10",
                "System Settings"
            ]
        );
        assert_eq!(
            favourite_keys(&all, &view),
            [TitleKey("ctr:sd:1".into()), TitleKey("folder:x".into())].into()
        );
    }

    #[test]
    fn each_filter_shows_its_titles() {
        let (titles, mut view) = hand_listed();
        let expected: [(TitleFilter, &[&str]); 5] = [
            (
                TitleFilter::All,
                &[
                    "MOSS KNIGHT",
                    "comet kart",
                    "Harbor Tales 10",
                    "Pocket Garden",
                    "System Settings",
                    "Aardvark",
                ],
            ),
            (TitleFilter::Cartridge, &["MOSS KNIGHT"]),
            (
                TitleFilter::Installed,
                &["comet kart", "Harbor Tales 10", "Pocket Garden"],
            ),
            (TitleFilter::System, &["System Settings"]),
            (
                TitleFilter::HasBackups,
                &["MOSS KNIGHT", "comet kart", "Aardvark"],
            ),
        ];
        for (filter, names_shown) in expected {
            view.filter = filter;
            let (all, shown) = arrange(titles.clone(), &view);
            assert_eq!(all.len(), 6, "{filter:?} hides, never drops");
            assert_eq!(names(&shown), names_shown, "{filter:?}");
        }
    }
}
