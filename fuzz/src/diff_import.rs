//! `keepsake diff import` on untrusted bytes: the input's first two bytes
//! say where it splits into an existing extdata image (whose unique id the
//! import keeps) and the new contents. Opening the image never panics;
//! whatever the contents, the built image opens, verifies and gives back
//! exactly the contents and the unique id.

use keepsake_format::ctr::diff;

/// The largest contents tried: enough for several hash levels, small
/// enough to keep each run fast.
const MAX_CONTENTS: usize = 256 * 1024;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let Some((split, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let at = usize::from(u16::from_le_bytes(*split)).min(rest.len());
    let (image, contents) = rest.split_at(at);
    // The unique id comes from the image when it opens, as the command does.
    let unique_id = match diff::open(image) {
        Ok(container) => match diff::unique_id(container.storage()) {
            Ok(id) => id,
            Err(_) => return,
        },
        Err(_) => u64::from_le_bytes(*image.first_chunk::<8>().unwrap_or(&[0; 8])),
    };
    let contents = &contents[..contents.len().min(MAX_CONTENTS)];
    let built = diff::build(contents, unique_id).expect("any contents build into a DIFF");
    let mut container = diff::open(&built[..]).expect("a built DIFF opens");
    assert_eq!(diff::unique_id(container.storage()).ok(), Some(unique_id));
    let reports = container.verify(&|_| {}).expect("a built DIFF verifies");
    assert!(
        reports.iter().all(|r| r.is_sound()),
        "a built DIFF is sound"
    );
    let len = container.partitions()[0].len();
    assert_eq!(len, contents.len() as u64);
    let mut back = vec![0u8; contents.len()];
    container
        .read(0, 0, &mut back)
        .expect("the payload reads back");
    assert_eq!(back, contents);
}
