//! "Did you mean": the known name a misspelt one is closest to.

/// How many edits a misspelling may be from the name it stands for.
const MAX_EDITS: usize = 2;

/// Names longer than this are not compared: the names suggested are short, and
/// comparing costs the product of the lengths (a 16 MB key against a dozen
/// element names would take seconds).
const MAX_CHARS: usize = 256;

/// The first of `known` within two edits of `given`, if any.
pub fn did_you_mean<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given_len = given.chars().take(MAX_CHARS + 1).count();
    if given_len > MAX_CHARS {
        return None;
    }
    known.into_iter().find(|k| {
        let len = k.chars().take(MAX_CHARS + 1).count();
        len <= MAX_CHARS && len.abs_diff(given_len) <= MAX_EDITS && edit_distance(k, given) <= MAX_EDITS
    })
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("Principal", "Principal"), 0);
        assert_eq!(edit_distance("Principal", "Principl"), 1);
        assert_eq!(edit_distance("Condition", "Conditoin"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn the_first_close_name_is_suggested() {
        let known = ["Effect", "Action", "Principal", "Condition"];
        assert_eq!(did_you_mean("Actoin", known), Some("Action"));
        assert_eq!(did_you_mean("Principals", known), Some("Principal"));
        assert_eq!(did_you_mean("Resource", known), None);
    }

    #[test]
    fn long_names_are_not_compared() {
        // One edit apart, but past the cap: not compared, so a huge key costs
        // nothing.
        let long = "a".repeat(MAX_CHARS + 1);
        let shorter = "a".repeat(MAX_CHARS);
        assert_eq!(did_you_mean(&long, [shorter.as_str()]), None);
        assert_eq!(did_you_mean(&shorter, [long.as_str()]), None);
        let huge = "Action".repeat(3_000_000);
        assert_eq!(did_you_mean(&huge, ["Action"]), None);
        // Within the cap, the same edit is found.
        let within = "a".repeat(MAX_CHARS - 1);
        assert_eq!(did_you_mean(&within, [shorter.as_str()]), Some(shorter.as_str()));
    }
}
