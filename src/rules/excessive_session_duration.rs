use super::{Context, Rule, declare_rule};

declare_rule!(
    ExcessiveSessionDuration,
    code = "TL103",
    name = "excessive-session-duration",
    severity = Warning,
    summary = "the role's maximum session duration is above the threshold",
);

impl Rule for ExcessiveSessionDuration {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let Some(d) = &cx.unit.max_session_duration else {
            return;
        };
        let threshold = cx.max_session_duration;
        if d.value <= threshold || d.value > 43_200 {
            // Above 12 hours IAM rejects the role: `invalid-policy` says so.
            return;
        }
        let message = format!(
            "sessions of this role may last {} ({} s), above the {} s threshold",
            human(d.value),
            d.value,
            threshold
        );
        let (span, pointer) = (d.span, d.pointer.clone());
        cx.report(&Self::META, span, &pointer, message).label("maximum session duration").help(format!(
            "lower `MaxSessionDuration` to {threshold} or less; leaked credentials stay valid this long"
        ));
    }
}

fn human(seconds: i64) -> String {
    let (h, m) = (seconds / 3600, seconds % 3600 / 60);
    match (h, m) {
        (h, 0) => format!("{h} h"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m} min"),
    }
}
