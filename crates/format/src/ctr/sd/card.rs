//! Finding the console's folder on an SD card: `Nintendo 3DS/<ID0>/<ID1>`.
//!
//! ID0 must be the one the keys give; a card whose folder differs belongs to
//! another console (or the keys are another console's), which is said with
//! both names. ID1 is the one 32-hex-digit folder inside ID0.

use super::SdError;

fn is_id_folder(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks that the folder names found under `Nintendo 3DS` include the ID0
/// the keys give (`expected`) and returns it as it is spelled on the card.
pub fn find_id0<'a>(expected: &str, names: &'a [String]) -> Result<&'a str, SdError> {
    find_id0_in("the SD card", "Nintendo 3DS", expected, names)
}

/// Like [`find_id0`] for the ID0 folders in `folder` of `place` (a NAND
/// dump's `data`).
pub fn find_id0_in<'a>(
    place: &'static str,
    folder: &'static str,
    expected: &str,
    names: &'a [String],
) -> Result<&'a str, SdError> {
    names
        .iter()
        .find(|n| n.eq_ignore_ascii_case(expected))
        .map(String::as_str)
        .ok_or_else(|| {
            let mut found: Vec<String> =
                names.iter().filter(|n| is_id_folder(n)).cloned().collect();
            found.sort();
            SdError::WrongId0 {
                place,
                folder,
                expected: expected.to_string(),
                found,
            }
        })
}

/// The one ID1 folder among the names found in the ID0 folder.
pub fn find_id1<'a>(id0: &str, names: &'a [String]) -> Result<&'a str, SdError> {
    let mut found: Vec<&'a String> = names.iter().filter(|n| is_id_folder(n)).collect();
    found.sort();
    match found.as_slice() {
        [one] => Ok(one.as_str()),
        [] => Err(SdError::NoId1 {
            id0: id0.to_string(),
        }),
        _ => Err(SdError::SeveralId1 {
            id0: id0.to_string(),
            found: found.into_iter().cloned().collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_card_of_another_console_names_both_id0s() {
        let card = names(&["0123456789abcdef0123456789abcdef", "Private"]);
        let err = find_id0("f3e70c5ec14b4d169df44e1c449c9dc2", &card).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("give ID0 f3e70c5ec14b4d169df44e1c449c9dc2"),
            "{text}"
        );
        assert!(
            text.contains("holds 0123456789abcdef0123456789abcdef;"),
            "{text}"
        );
        let empty = find_id0("f3e70c5ec14b4d169df44e1c449c9dc2", &[]).unwrap_err();
        assert!(empty.to_string().contains("holds no ID0 folder"), "{empty}");
    }

    #[test]
    fn the_matching_id0_and_the_single_id1_are_found() {
        let card = names(&["F3E70C5EC14B4D169DF44E1C449C9DC2"]);
        assert_eq!(
            find_id0("f3e70c5ec14b4d169df44e1c449c9dc2", &card).unwrap(),
            "F3E70C5EC14B4D169DF44E1C449C9DC2"
        );
        let id1 = names(&["0123456789abcdef0123456789abcdef", "notes.txt"]);
        assert_eq!(
            find_id1("x", &id1).unwrap(),
            "0123456789abcdef0123456789abcdef"
        );
        assert!(matches!(
            find_id1("x", &names(&["a"])),
            Err(SdError::NoId1 { .. })
        ));
        let two = names(&[
            "0123456789abcdef0123456789abcdef",
            "00000000000000000000000000000000",
        ]);
        assert!(matches!(
            find_id1("x", &two),
            Err(SdError::SeveralId1 { .. })
        ));
    }
}
