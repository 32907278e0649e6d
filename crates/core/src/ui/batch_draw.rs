//! Drawing the marking and result screens of a backup of several titles
//! (`ui/batch.rs`): the title list with a box on each row that can be
//! marked, and the result as a list of the titles, each with a green or
//! red square, the selected one's folder or failure on the top screen.

use super::super::batch::Batch;
use super::super::display::{Align, BOTTOM_WIDTH, DrawCmd, TOP_WIDTH, TextSize};
use super::super::model::{BatchOutcome, TitleSource};
use super::super::palette::Role;
use super::super::state::{ListCursor, Ui};
use super::super::theme::*;
use super::Painter;

/// Where a row's name starts, after its box and its icon.
const NAME_X: u16 = 48;

impl Ui {
    pub(super) fn draw_batch(
        &self,
        top: &mut Painter<'_>,
        bottom: &mut Painter<'_>,
        batch: &Batch,
        slot: String,
    ) {
        match batch {
            Batch::Marking(marked) => {
                top.header(TOP_WIDTH, "Back up several titles", slot);
                let count = marked.len();
                let heading = match count {
                    0 => "No title marked yet".to_string(),
                    1 => "1 title marked".to_string(),
                    n => format!("{n} titles marked"),
                };
                top.text(16, 38, heading, TextSize::Large, Role::Text);
                // In the list's order, as they will be backed up.
                let names: Vec<&str> = self
                    .all_titles
                    .iter()
                    .filter(|t| marked.contains(&t.key))
                    .map(|t| t.name.as_str())
                    .collect();
                let mut y = 66;
                if !names.is_empty() {
                    y = top.paragraph_until(
                        16,
                        y,
                        &names.join(", "),
                        TextSize::Normal,
                        Role::Text,
                        TOP_WIDTH - 32,
                        150,
                    ) + 8;
                }
                top.paragraph(
                    16,
                    y,
                    "A marks or unmarks the title selected below, X marks every title shown \
                     (R shows others). L+A backs up the marked titles one after another, each \
                     into a new folder named by the date. B leaves without backing up.",
                    Role::DimText,
                    TOP_WIDTH - 32,
                );
                bottom.header(BOTTOM_WIDTH, self.filter_heading(), self.sort_heading());
                self.draw_marking_list(bottom, marked);
            }
            Batch::Done(outcome, cursor) => {
                self.draw_batch_done(top, bottom, outcome, cursor, slot)
            }
        }
    }

    fn draw_marking_list(
        &self,
        bottom: &mut Painter<'_>,
        marked: &std::collections::BTreeSet<super::super::model::TitleKey>,
    ) {
        let cursor = &self.title_cursor;
        let visible = self
            .titles
            .iter()
            .enumerate()
            .skip(cursor.scroll)
            .take(VISIBLE_ROWS);
        for (row, (index, title)) in visible.enumerate() {
            let y = LIST_TOP + ROW_HEIGHT * row as u16;
            let selected = index == cursor.selected;
            if selected {
                bottom.rect(
                    0,
                    y,
                    BOTTOM_WIDTH - SCROLLBAR_WIDTH,
                    ROW_HEIGHT,
                    Role::Highlight,
                );
            }
            // The box: filled when marked, hollow when not, none for a
            // folder of backups only (nothing to back up).
            if title.source != TitleSource::BackupsOnly {
                if marked.contains(&title.key) {
                    bottom.rect(5, y + 5, 12, 12, Role::Success);
                    bottom.rect(8, y + 8, 6, 6, Role::Text);
                } else {
                    // An outline of four edges, so the row's colour shows
                    // through (one highlight a list).
                    bottom.rect(5, y + 5, 12, 2, Role::DimText);
                    bottom.rect(5, y + 15, 12, 2, Role::DimText);
                    bottom.rect(5, y + 7, 2, 8, Role::DimText);
                    bottom.rect(15, y + 7, 2, 8, Role::DimText);
                }
            }
            if let Some(icon) = &title.icon {
                bottom.cmds.push(DrawCmd::Icon {
                    x: 22,
                    y: y as i16 + 1,
                    w: 20,
                    h: 20,
                    image: icon.clone(),
                });
            }
            let mut name_width = BOTTOM_WIDTH - NAME_X - SCROLLBAR_WIDTH - 4;
            if let Some(badge) = title.source.badge() {
                name_width -= bottom.row_badge(y, badge);
            }
            bottom.text_clipped(
                NAME_X,
                y + 5,
                title.name.clone(),
                TextSize::Normal,
                Role::Text,
                name_width,
            );
        }
        bottom.scrollbar(cursor, self.titles.len());
    }

    fn draw_batch_done(
        &self,
        top: &mut Painter<'_>,
        bottom: &mut Painter<'_>,
        outcome: &BatchOutcome,
        cursor: &ListCursor,
        slot: String,
    ) {
        let total = outcome.titles.len();
        let made = outcome.titles.iter().filter(|(_, o)| o.succeeded).count();
        let headline = if outcome.cancelled {
            format!("Cancelled: {made} of {total} backed up")
        } else if made == total {
            format!("All {total} titles backed up")
        } else {
            format!("{made} of {total} titles backed up")
        };
        top.header(TOP_WIDTH, headline.clone(), slot);
        let colour = if made == total {
            Role::Success
        } else {
            Role::Danger
        };
        top.rect(8, 28, TOP_WIDTH - 16, 4, colour);
        // The selected title's ending, as a single backup's result says it.
        if let Some((name, title)) = outcome.titles.get(cursor.selected) {
            top.text_clipped(
                16,
                40,
                name.clone(),
                TextSize::Large,
                Role::Text,
                TOP_WIDTH - 32,
            );
            let heading = if title.succeeded {
                Role::Text
            } else {
                Role::DangerText
            };
            let mut y = top.paragraph(16, 66, &title.headline, heading, TOP_WIDTH - 32) + 2;
            for line in &title.details {
                y = top.paragraph(16, y, line, Role::Text, TOP_WIDTH - 32);
            }
            if let Some(advice) = &title.advice {
                y += 6;
                top.text(16, y, "What to do", TextSize::Normal, Role::DangerText);
                top.paragraph(16, y + 16, advice, Role::Text, TOP_WIDTH - 32);
            }
        }
        bottom.header(BOTTOM_WIDTH, headline, "");
        let visible = outcome
            .titles
            .iter()
            .enumerate()
            .skip(cursor.scroll)
            .take(VISIBLE_ROWS);
        for (row, (index, (name, title))) in visible.enumerate() {
            let y = LIST_TOP + ROW_HEIGHT * row as u16;
            let selected = index == cursor.selected;
            if selected {
                bottom.rect(
                    0,
                    y,
                    BOTTOM_WIDTH - SCROLLBAR_WIDTH,
                    ROW_HEIGHT,
                    Role::Highlight,
                );
            }
            let (mark, word) = if title.succeeded {
                (Role::Success, "backed up")
            } else {
                (Role::Danger, "not backed up")
            };
            bottom.rect(6, y + 6, 10, 10, mark);
            bottom.text_clipped(24, y + 5, name.clone(), TextSize::Normal, Role::Text, 196);
            let second = if selected || title.succeeded {
                Role::Text
            } else {
                Role::DangerText
            };
            bottom.text_full(
                BOTTOM_WIDTH - SCROLLBAR_WIDTH - 6,
                y + 8,
                word,
                TextSize::Small,
                second,
                Align::Right,
                None,
            );
        }
        bottom.scrollbar(cursor, total);
    }
}
