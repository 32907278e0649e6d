//! The text shown on both screens when the app panics or cannot start, laid
//! out for libctru's text console (8x8 font: 50 columns on the top screen,
//! 40 on the bottom one, 30 rows each). The top screen says what failed;
//! the bottom one where the log is and how to leave. Words are wrapped,
//! and what does not fit is cut with a last line saying so.

use super::LOG_PATH;

/// Columns of the top screen's text console (400 / 8).
pub const TOP_COLUMNS: usize = 50;
/// Columns of the bottom screen's text console (320 / 8).
pub const BOTTOM_COLUMNS: usize = 40;
/// Rows of either console (240 / 8).
pub const ROWS: usize = 30;

/// What failed, for the failure screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// One line: what happened (`Keepsake could not start`).
    pub headline: String,
    /// The details: the error or the panic's message and place.
    pub detail: String,
}

impl Failure {
    /// A panic: `message` and where it was raised (`file:line`).
    pub fn panic(message: &str, location: Option<&str>) -> Self {
        let detail = match location {
            Some(at) => format!("{message}\n(at {at})"),
            None => message.to_owned(),
        };
        Self {
            headline: "Keepsake stopped because of a bug.".to_owned(),
            detail,
        }
    }

    /// A start-up step that failed.
    pub fn startup(error: &str) -> Self {
        Self {
            headline: "Keepsake could not start.".to_owned(),
            detail: error.to_owned(),
        }
    }

    /// The top screen's lines.
    pub fn top_lines(&self) -> Vec<String> {
        let mut lines = wrap(&self.headline, TOP_COLUMNS);
        lines.push(String::new());
        lines.extend(wrap(&self.detail, TOP_COLUMNS));
        fit(lines, ROWS, TOP_COLUMNS)
    }

    /// The bottom screen's lines.
    pub fn bottom_lines(&self, log_written: bool) -> Vec<String> {
        let mut text = Vec::new();
        if log_written {
            text.push(format!("The details are in {LOG_PATH} on the SD card."));
        } else {
            text.push("The log could not be written to the SD card.".to_owned());
        }
        text.push(String::new());
        text.push("Press START to leave.".to_owned());
        let lines = text
            .iter()
            .flat_map(|paragraph| {
                if paragraph.is_empty() {
                    vec![String::new()]
                } else {
                    wrap(paragraph, BOTTOM_COLUMNS)
                }
            })
            .collect();
        fit(lines, ROWS, BOTTOM_COLUMNS)
    }
}

/// Keeps `rows` lines; when there are more, the last kept line says how
/// many were left out.
fn fit(mut lines: Vec<String>, rows: usize, columns: usize) -> Vec<String> {
    if lines.len() > rows {
        let hidden = lines.len() - (rows - 1);
        lines.truncate(rows - 1);
        let mut note = format!("... {hidden} more lines in the log");
        note.truncate(columns);
        lines.push(note);
    }
    lines
}

/// Wraps `text` at spaces into lines of at most `columns` characters; its
/// own line breaks are kept and a word longer than a line is split.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut width = 0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let mut word: Vec<char> = word.chars().filter(|c| !c.is_control()).collect();
            if width > 0 && width + 1 + word.len() > columns {
                lines.push(std::mem::take(&mut line));
                width = 0;
            }
            while word.len() > columns - width {
                let rest = word.split_off(columns - width);
                line.extend(word);
                lines.push(std::mem::take(&mut line));
                width = 0;
                word = rest;
            }
            if width > 0 {
                line.push(' ');
                width += 1;
            }
            width += word.len();
            line.extend(word);
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_at_spaces_and_long_words_split() {
        assert_eq!(wrap("the quick brown fox", 10), ["the quick", "brown fox"]);
        assert_eq!(wrap("abcdefghijkl xy", 5), ["abcde", "fghij", "kl xy"]);
        assert_eq!(wrap("one\n\ntwo", 10), ["one", "", "two"]);
        assert_eq!(wrap("", 10), [""]);
    }

    #[test]
    fn a_panic_names_its_message_place_and_the_log() {
        let failure = Failure::panic(
            "called `Option::unwrap()` on a `None` value",
            Some("crates/core/src/ui/state.rs:273:9"),
        );
        let top = failure.top_lines();
        assert_eq!(top[0], "Keepsake stopped because of a bug.");
        assert_eq!(top[1], "");
        assert_eq!(top[2], "called `Option::unwrap()` on a `None` value");
        assert_eq!(top[3], "(at crates/core/src/ui/state.rs:273:9)");
        let bottom = failure.bottom_lines(true);
        // "The details are in /3ds/Keepsake/log.txt on the SD card." is 57
        // characters: two lines of the 40-column bottom screen.
        assert_eq!(bottom[0], "The details are in /3ds/Keepsake/log.txt");
        assert_eq!(bottom[1], "on the SD card.");
        assert_eq!(bottom.last().unwrap(), "Press START to leave.");
        assert!(
            failure
                .bottom_lines(false)
                .iter()
                .any(|l| l.contains("could not be written"))
        );
    }

    #[test]
    fn everything_fits_the_consoles() {
        let long = "word ".repeat(1000) + &"x".repeat(300);
        let failure = Failure::startup(&long);
        let top = failure.top_lines();
        assert_eq!(top.len(), ROWS);
        assert!(top.last().unwrap().starts_with("... "));
        assert!(top.iter().all(|l| l.chars().count() <= TOP_COLUMNS));
        let bottom = failure.bottom_lines(true);
        assert!(bottom.len() <= ROWS);
        assert!(bottom.iter().all(|l| l.chars().count() <= BOTTOM_COLUMNS));
        assert_eq!(top[0], "Keepsake could not start.");
    }
}
