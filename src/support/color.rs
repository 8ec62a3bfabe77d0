//! Whether text output is coloured: `--color always|never`, or in `auto`
//! what the environment says.

/// `--color`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless the environment says otherwise
    #[default]
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

impl ColorChoice {
    /// Whether to colour output that goes to a terminal (`to_terminal`) or
    /// not, with the process environment.
    pub fn enabled(self, to_terminal: bool) -> bool {
        self.enabled_with(to_terminal, |name| std::env::var(name).ok())
    }

    /// The decision, with `var` standing for the environment. In `auto`, in
    /// this order: a non-empty `NO_COLOR` turns colour off; a `FORCE_COLOR`
    /// or `CLICOLOR_FORCE` that is set, non-empty and not `0` (or, for
    /// `FORCE_COLOR`, `false`) turns it on even off a terminal; `TERM=dumb`
    /// turns it off; otherwise colour goes to a terminal only.
    pub fn enabled_with(self, to_terminal: bool, var: impl Fn(&str) -> Option<String>) -> bool {
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => {
                let set = |name: &str| var(name).filter(|v| !v.is_empty());
                if set("NO_COLOR").is_some() {
                    return false;
                }
                let forced = set("FORCE_COLOR").is_some_and(|v| v != "0" && v != "false")
                    || set("CLICOLOR_FORCE").is_some_and(|v| v != "0");
                if forced {
                    return true;
                }
                to_terminal && var("TERM").as_deref() != Some("dumb")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ColorChoice;

    fn auto(to_terminal: bool, env: &[(&str, &str)]) -> bool {
        ColorChoice::Auto.enabled_with(to_terminal, |name| {
            env.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn auto_follows_the_terminal_and_the_environment() {
        assert!(auto(true, &[]));
        assert!(!auto(false, &[]));
        assert!(!auto(true, &[("TERM", "dumb")]));
        assert!(auto(true, &[("TERM", "xterm-256color")]));
        assert!(!auto(true, &[("NO_COLOR", "1")]));
        assert!(auto(true, &[("NO_COLOR", "")]), "an empty NO_COLOR is unset");
        assert!(auto(false, &[("FORCE_COLOR", "1")]));
        assert!(auto(false, &[("FORCE_COLOR", "true")]));
        assert!(!auto(false, &[("FORCE_COLOR", "0")]));
        assert!(!auto(false, &[("FORCE_COLOR", "false")]));
        assert!(auto(false, &[("CLICOLOR_FORCE", "1")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "0")]));
        assert!(auto(false, &[("FORCE_COLOR", "1"), ("TERM", "dumb")]));
        assert!(!auto(false, &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]), "NO_COLOR wins");
    }

    #[test]
    fn always_and_never_ignore_the_environment() {
        let env = |_: &str| Some("1".to_owned());
        assert!(ColorChoice::Always.enabled_with(false, |_| None));
        assert!(ColorChoice::Always.enabled_with(false, env));
        assert!(!ColorChoice::Never.enabled_with(true, |_| None));
        assert!(!ColorChoice::Never.enabled_with(true, |n| (n == "FORCE_COLOR").then(|| "1".to_owned())));
    }
}
