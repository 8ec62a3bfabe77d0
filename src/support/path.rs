//! How a path is shown in findings and messages.

use std::path::Path;

/// `path` without a leading `./`, with `/` separators on every platform.
pub fn display_path(path: &Path) -> String {
    let shown = path.strip_prefix("./").unwrap_or(path);
    let s = shown.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' { s.replace('\\', "/") } else { s.into_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_dot_is_left_out() {
        assert_eq!(display_path(Path::new("./roles/a.json")), "roles/a.json");
        assert_eq!(display_path(Path::new("roles/a.json")), "roles/a.json");
        assert_eq!(display_path(Path::new("../a.json")), "../a.json");
    }
}
