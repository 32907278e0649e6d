//! Cutting a line of text to a width with an ellipsis, for renderers whose
//! only way to know a text's width is to measure it (the console measures
//! with the system font, and every measurement costs glyph buffer space), so
//! the cut is found by binary search over the number of characters kept.

use std::borrow::Cow;

/// What a cut line ends with.
pub const ELLIPSIS: char = '…';

/// `text` if it fits in `max_width`, otherwise its longest prefix (in whole
/// characters) followed by [`ELLIPSIS`] that fits; just the ellipsis when
/// not even one character does. `measure` returns a string's width and is
/// called O(log n) times.
pub fn fit_to_width<'t>(
    text: &'t str,
    max_width: f32,
    mut measure: impl FnMut(&str) -> f32,
) -> Cow<'t, str> {
    if measure(text) <= max_width {
        return Cow::Borrowed(text);
    }
    let boundaries: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
    let cut = |kept: usize| -> String {
        let end = boundaries.get(kept).copied().unwrap_or(text.len());
        let mut line = String::with_capacity(end + ELLIPSIS.len_utf8());
        line.push_str(text[..end].trim_end());
        line.push(ELLIPSIS);
        line
    };
    // Invariant: keeping `low` characters fits (0 always "fits": the bare
    // ellipsis is the floor), keeping `high` does not.
    let (mut low, mut high) = (0usize, boundaries.len());
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if measure(&cut(middle)) <= max_width {
            low = middle;
        } else {
            high = middle;
        }
    }
    Cow::Owned(cut(low))
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_testkit::rand::Rng;

    /// Six pixels per character, like a small monospace font.
    fn mono(text: &str) -> f32 {
        6.0 * text.chars().count() as f32
    }

    #[test]
    fn text_that_fits_is_left_alone() {
        assert!(matches!(
            fit_to_width("Pokémon X", 54.0, mono),
            Cow::Borrowed("Pokémon X")
        ));
        assert_eq!(fit_to_width("", 0.0, mono), "");
    }

    #[test]
    fn long_text_keeps_the_longest_prefix_that_fits_with_the_ellipsis() {
        // 60 px hold ten characters: nine of the text and the ellipsis.
        assert_eq!(
            fit_to_width("The Legend of Zelda", 60.0, mono),
            "The Legen…"
        );
        // Multi-byte characters are kept whole.
        assert_eq!(fit_to_width("ポケットモンスター", 30.0, mono), "ポケット…");
        // A space before the cut is not kept.
        assert_eq!(fit_to_width("Mario Kart 7", 42.0, mono), "Mario…");
    }

    #[test]
    fn nothing_fits_leaves_the_ellipsis() {
        assert_eq!(fit_to_width("Kirby", 3.0, mono), "…");
    }

    #[test]
    fn measurements_grow_logarithmically() {
        let text = "x".repeat(1000);
        let mut calls = 0;
        let fitted = fit_to_width(&text, 300.0, |s| {
            calls += 1;
            mono(s)
        });
        assert_eq!(fitted.chars().count(), 50);
        assert!(calls <= 12, "{calls} measurements");
    }

    #[test]
    fn random_widths_always_give_the_longest_fitting_cut() {
        let mut rng = keepsake_testkit::rng::for_test("text_fit::random");
        let alphabet: Vec<char> = "aiW m漢字é.".chars().collect();
        // A proportional font: each character has its own width.
        let width_of = |c: char| match c {
            'i' | '.' => 3.0,
            'W' | '漢' | '字' => 12.0,
            ' ' => 4.0,
            '…' => 9.0,
            _ => 7.0,
        };
        let measure = |s: &str| s.chars().map(width_of).sum::<f32>();
        for _ in 0..2000 {
            let len = rng.random_range(0..40);
            let text: String = (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            let max_width = rng.random_range(0.0..200.0f32);
            let fitted = fit_to_width(&text, max_width, measure);
            if measure(&text) <= max_width {
                assert_eq!(fitted, text);
                continue;
            }
            assert!(fitted.ends_with(ELLIPSIS));
            let kept = &fitted[..fitted.len() - ELLIPSIS.len_utf8()];
            assert!(
                text.starts_with(kept),
                "{fitted:?} is not a cut of {text:?}"
            );
            if kept.is_empty() {
                continue;
            }
            assert!(measure(&fitted) <= max_width, "{fitted:?} at {max_width}");
            // One more character would not fit (widths only grow).
            let next = text[kept.len()..].chars().next().unwrap();
            let mut longer = kept.to_owned();
            longer.push(next);
            let longer = format!("{}{ELLIPSIS}", longer.trim_end());
            assert!(
                measure(&longer) > max_width || longer.trim_end_matches(ELLIPSIS) == kept,
                "{longer:?} would fit in {max_width}"
            );
        }
    }
}
