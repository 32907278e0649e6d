//! Backing up several titles at once, as Checkpoint 5 does (its
//! `3ds/source/MainScreen.cpp`: Y tags a title, holding Y tags all, A backs
//! up the tagged ones, B clears them).
//!
//! Keepsake's Y exports the NDS cartridge's save and X marks a favourite,
//! so marking is a mode of its own: L+Y on the title list enters it with the
//! selected title marked. There A marks or unmarks a title, X marks every
//! title shown (or none, when all are), R and L+R filter and order the list
//! as outside, L+A backs up the marked titles and B leaves. A tap on a row
//! marks or unmarks it. Restores stay one at a time.
//!
//! The backup runs as one job (see `app/batch_run.rs`): the job screen says
//! which title of how many and that title's progress; holding B cancels,
//! keeping the backups already made. Its result is a list of the titles,
//! each marked as backed up or not; the top screen gives the selected
//! title's folder, or what went wrong and what to do.

use std::collections::BTreeSet;

use super::controls::Control;
use super::input::{Buttons, FrameInput};
use super::model::{AppModel, BatchOutcome, JobKind, Outcome, Progress, TitleKey, TitleSource};
use super::state::{Action, JobView, ListCursor, Return, Ui, View};

/// The screens of a backup of several titles (the job itself shows on the
/// job screen).
#[derive(Clone, Debug)]
pub(crate) enum Batch {
    /// Titles being marked on the title list.
    Marking(BTreeSet<TitleKey>),
    /// The result: each title and how its backup ended.
    Done(BatchOutcome, ListCursor),
}

const fn button(keys: &'static str, label: &'static str, action: Action) -> Control {
    Control {
        keys,
        label,
        action: Some(action),
    }
}

/// Whether a title can be marked: it has a save to back up.
fn markable(source: TitleSource) -> bool {
    source != TitleSource::BackupsOnly
}

impl Ui {
    /// What the marking and the result screens let the user do.
    pub(crate) fn batch_controls(batch: &Batch) -> Vec<Control> {
        match batch {
            Batch::Marking(_) => vec![
                button("A", "Mark", Action::Mark),
                button("X", "All", Action::MarkAll),
                button("L+A", "Backup", Action::Backup),
                button("B", "Back", Action::Back),
            ],
            Batch::Done(..) => vec![
                Control {
                    keys: "Up/Down",
                    label: "Choose",
                    action: None,
                },
                button("A", "Continue", Action::Dismiss),
            ],
        }
    }

    /// The keys of the marking and the result screens.
    pub(crate) fn batch_key(batch: &Batch, input: &FrameInput) -> Option<Action> {
        let (p, held) = (input.pressed, input.held);
        match batch {
            Batch::Marking(_) => {
                if p.contains(Buttons::A) {
                    Some(if held.contains(Buttons::L) {
                        Action::Backup
                    } else {
                        Action::Mark
                    })
                } else if p.contains(Buttons::X) {
                    Some(Action::MarkAll)
                } else if p.contains(Buttons::R) {
                    Some(if held.contains(Buttons::L) {
                        Action::NextSort
                    } else {
                        Action::NextFilter
                    })
                } else if p.contains(Buttons::B) {
                    Some(Action::Back)
                } else {
                    None
                }
            }
            Batch::Done(..) => {
                (p.contains(Buttons::A) || p.contains(Buttons::B)).then_some(Action::Dismiss)
            }
        }
    }

    /// The marked titles, while marking.
    pub(crate) fn marked(&self) -> Option<&BTreeSet<TitleKey>> {
        match &self.view {
            View::Batch(Batch::Marking(marked)) => Some(marked),
            _ => None,
        }
    }

    /// L+Y on the title list: marking starts, with the selected title.
    pub(crate) fn start_marking(&mut self) {
        let mut marked = BTreeSet::new();
        if let Some(title) = self.selected_title().filter(|t| markable(t.source)) {
            marked.insert(title.key.clone());
        }
        self.view = View::Batch(Batch::Marking(marked));
        self.say("A marks, X marks all, L+A backs up the marked titles.");
    }

    /// Marks or unmarks the selected title.
    pub(crate) fn toggle_mark(&mut self) {
        let Some(title) = self.selected_title() else {
            return;
        };
        if !markable(title.source) {
            let text = format!("\"{}\" has backups only: nothing to back up.", title.name);
            self.say(text);
            return;
        }
        let key = title.key.clone();
        if let View::Batch(Batch::Marking(marked)) = &mut self.view {
            if !marked.remove(&key) {
                marked.insert(key);
            }
        }
    }

    /// Marks every title shown that can be backed up; when all of them
    /// already are, unmarks them.
    pub(crate) fn mark_all(&mut self) {
        let shown: Vec<TitleKey> = self
            .titles
            .iter()
            .filter(|t| markable(t.source))
            .map(|t| t.key.clone())
            .collect();
        if let View::Batch(Batch::Marking(marked)) = &mut self.view {
            if shown.iter().all(|k| marked.contains(k)) {
                for key in &shown {
                    marked.remove(key);
                }
            } else {
                marked.extend(shown);
            }
        }
    }

    /// L+A while marking: the marked titles, in the list's order, backed up
    /// in one job.
    pub(crate) fn start_batch(&mut self, model: &mut dyn AppModel) {
        let Some(marked) = self.marked() else {
            return;
        };
        // In the order of the whole list, those the filter hides too.
        let titles: Vec<(TitleKey, String)> = self
            .all_titles
            .iter()
            .filter(|t| marked.contains(&t.key))
            .map(|t| (t.key.clone(), t.name.clone()))
            .collect();
        if titles.is_empty() {
            self.say("Mark titles with A first (X marks all of them).");
            return;
        }
        let keys: Vec<TitleKey> = titles.iter().map(|(k, _)| k.clone()).collect();
        let names: Vec<&str> = titles.iter().map(|(_, n)| n.as_str()).collect();
        let settings = model.settings();
        let mut facts = vec![("Titles", names.join(", "))];
        if let Some(root) = settings.backup_roots.get(settings.backup_root) {
            facts.push(("To", root.clone()));
        }
        self.return_to = Return::Titles;
        match model.start_batch_backup(&keys) {
            Ok(()) => {
                self.cancel_hold = 0;
                self.view = View::Job(JobView {
                    kind: JobKind::Backup,
                    title_name: format!("{} titles", keys.len()),
                    progress: Progress::default(),
                    cancel_requested: false,
                    facts,
                });
            }
            Err(refusal) => {
                self.view =
                    View::Result(Outcome::from_refusal("The backup could not start", refusal));
            }
        }
    }

    /// A tap on row `index` of the marking or result list.
    pub(crate) fn batch_touch(&mut self, index: usize) -> Option<Action> {
        match &mut self.view {
            View::Batch(Batch::Marking(_)) => {
                if index >= self.titles.len() {
                    return None;
                }
                self.title_cursor.select(index, self.titles.len());
                Some(Action::Mark)
            }
            View::Batch(Batch::Done(outcome, cursor)) => {
                if index < outcome.titles.len() {
                    cursor.select(index, outcome.titles.len());
                }
                None
            }
            _ => None,
        }
    }

    /// Up/Down (and Left/Right by a page) on the marking or result list.
    pub(crate) fn batch_move(&mut self, delta: isize) {
        match &mut self.view {
            View::Batch(Batch::Marking(_)) => {
                self.title_cursor.move_by(delta, self.titles.len(), true)
            }
            View::Batch(Batch::Done(outcome, cursor)) => {
                cursor.move_by(delta, outcome.titles.len(), true)
            }
            _ => {}
        }
    }
}

impl Batch {
    /// The result screen of `outcome`, its first failure selected (what
    /// needs the user's attention).
    pub(crate) fn done(outcome: BatchOutcome) -> Self {
        let mut cursor = ListCursor::default();
        let first_failed = outcome.titles.iter().position(|(_, o)| !o.succeeded);
        cursor.select(first_failed.unwrap_or(0), outcome.titles.len());
        Batch::Done(outcome, cursor)
    }
}
