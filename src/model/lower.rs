//! Lowering: a parsed JSON tree to the policy model. Every IAM quirk (a
//! `Statement` object or array, string-or-array values, key case) is handled
//! here, and everything IAM would reject becomes a [`Problem`] with a span,
//! collected rather than stopping at the first.

use super::arn::{Arn, PARTITIONS, is_account_id, is_unique_id};
use super::policy::{
    Actions, Condition, Effect, Federated, Operator, Pointer, Policy, PolicyKind, Principal, PrincipalEntry,
    Principals, Resources, Spanned, Statement,
};
use crate::source::Span;
use crate::support::suggest::did_you_mean;
use crate::syntax::json::{Kind, Member, Value};

/// Something IAM would reject in a policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub pointer: String,
    pub message: String,
}

/// Maps spans in the text a policy was parsed from to spans in the file the
/// user wrote (for policies embedded as strings in exports and templates).
#[derive(Debug, Clone, Default)]
pub enum SpanMap {
    #[default]
    Identity,
    /// `offsets[i]` is the file offset, relative to `base`, of byte `i` of
    /// the decoded text; one entry more than the text has bytes; `file` is
    /// the file of the reading they are in.
    Table { base: u32, offsets: Vec<u32>, file: u32 },
}

impl SpanMap {
    pub fn map(&self, s: Span) -> Span {
        match self {
            Self::Identity => s,
            Self::Table { base, offsets, file } => {
                let at = |i: u32| base + offsets.get(i as usize).or(offsets.last()).copied().unwrap_or(0);
                Span::new(at(s.start), at(s.end)).in_file(*file)
            }
        }
    }
}

/// What the caller knows about the document's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindHint {
    /// A role's `AssumeRolePolicyDocument`.
    Trust,
    /// A policy attached to an identity.
    Identity,
    /// Found on its own: decide by content.
    Detect,
}

pub struct Lowered {
    pub policy: Policy,
    pub problems: Vec<Problem>,
}

/// Escapes a JSON Pointer reference token.
pub fn pointer_token(key: &str) -> String {
    if needs_escape(key) { key.replace('~', "~0").replace('/', "~1") } else { key.to_owned() }
}

/// Whether a key has a `~` or `/`, escaped in a JSON Pointer.
fn needs_escape(key: &str) -> bool {
    key.bytes().any(|b| b == b'~' || b == b'/')
}

/// `pointer` followed by the reference token of an object key.
fn key_pointer(pointer: &str, key: &str) -> Pointer {
    if needs_escape(key) {
        return join(pointer, &pointer_token(key));
    }
    join(pointer, key)
}

/// `pointer` followed by an array index.
fn index_pointer(pointer: &str, index: usize) -> Pointer {
    join(pointer, crate::support::decimal(index, &mut [0; 20]))
}

/// `pointer/token`, put together where it is kept: inline when it is short
/// enough (most are), else in one allocation of the right size.
fn join(pointer: &str, token: &str) -> Pointer {
    const INLINE: usize = std::mem::size_of::<Pointer>();
    let len = pointer.len() + 1 + token.len();
    if len <= INLINE {
        let mut buf = [0u8; INLINE];
        buf[..pointer.len()].copy_from_slice(pointer.as_bytes());
        buf[pointer.len()] = b'/';
        buf[pointer.len() + 1..len].copy_from_slice(token.as_bytes());
        // Whole characters of two `str`s and an ASCII byte: always UTF-8.
        return std::str::from_utf8(&buf[..len]).map(Pointer::from).unwrap_or_default();
    }
    let mut out = String::with_capacity(len);
    out.push_str(pointer);
    out.push('/');
    out.push_str(token);
    Pointer::from(out)
}

struct Lowerer<'m> {
    map: &'m SpanMap,
    problems: Vec<Problem>,
    /// The document as written, when it was JSON.
    json: Option<&'m str>,
}

const DOCUMENT_KEYS: [&str; 3] = ["Version", "Id", "Statement"];
/// The statement elements the kind of a policy decides on.
const KIND_NAMES: [&str; 4] = ["Resource", "NotResource", "Principal", "NotPrincipal"];

const STATEMENT_KEYS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Whether a JSON value looks like a policy document at all.
pub fn is_policy_document(v: &Value<'_>) -> bool {
    v.get("Statement").is_some() && v.as_object().is_some_and(|m| m.len() <= 3)
}

pub fn lower(root: &Value<'_>, hint: KindHint, map: &SpanMap) -> Lowered {
    lower_with(root, None, hint, map)
}

/// [`lower`], for a document parsed from JSON: `json` is its text as
/// written (the text of `root`'s span), which gives its size without a
/// walk of the tree.
pub fn lower_json(root: &Value<'_>, json: &str, hint: KindHint, map: &SpanMap) -> Lowered {
    lower_with(root, Some(json), hint, map)
}

fn lower_with(root: &Value<'_>, json: Option<&str>, hint: KindHint, map: &SpanMap) -> Lowered {
    let mut cx = Lowerer { map, problems: Vec::new(), json };
    let policy = cx.document(root, hint);
    Lowered { policy, problems: cx.problems }
}

impl Lowerer<'_> {
    fn problem(&mut self, span: Span, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            span: self.map.map(span),
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    fn spanned(&self, value: String, span: Span, pointer: Pointer) -> Spanned<String> {
        Spanned { value, span: self.map.map(span), pointer }
    }

    /// Checks an object's keys against the allowed set: unknown keys (with a
    /// hint when only the case is wrong) and duplicates are problems.
    /// Returns the value of each allowed name, the last where it appears
    /// twice (as [`Value::get`] finds it).
    fn check_keys<'v, 's, const N: usize>(
        &mut self,
        members: &'v [Member<'s>],
        allowed: &[&str; N],
        pointer: &str,
        what: &str,
    ) -> [Option<&'v Value<'s>>; N] {
        let mut found = [None; N];
        // The allowed names met so far, a bit each (no list has 64).
        let mut seen = 0u64;
        for m in members {
            let known = allowed.iter().position(|k| *k == m.key);
            let twice = known.is_some_and(|k| seen & (1 << k) != 0);
            if let Some(k) = known {
                seen |= 1 << k;
                found[k] = Some(&m.value);
            }
            // A name a template leaves open is not known to be wrong.
            if (known.is_some() && !twice) || super::symbolic::is_symbolic(&m.key) {
                continue;
            }
            let ptr = key_pointer(pointer, &m.key);
            if known.is_none() {
                let same_but_case = allowed.iter().find(|k| k.eq_ignore_ascii_case(&m.key));
                let typo = did_you_mean(&m.key, allowed.iter().copied());
                let message = match (same_but_case, typo) {
                    (Some(right), _) => format!(
                        "`{}` is not a {what} element: element names are case-sensitive, write `{right}`",
                        m.key
                    ),
                    (None, Some(right)) => {
                        format!("`{}` is not a {what} element: did you mean `{right}`?", m.key)
                    }
                    (None, None) => format!(
                        "`{}` is not a {what} element (expected one of {})",
                        m.key,
                        allowed.join(", ")
                    ),
                };
                self.problem(m.key_span, &ptr, message);
            } else if twice {
                self.problem(m.key_span, &ptr, format!("`{}` appears twice", m.key));
            }
        }
        found
    }

    fn document(&mut self, root: &Value<'_>, hint: KindHint) -> Policy {
        let span = self.map.map(root.span);
        let mut statements = Vec::new();
        let Some(members) = root.as_object() else {
            self.problem(
                root.span,
                "",
                format!("a policy document must be a JSON object, not {}", root.type_name()),
            );
            return Policy { kind: PolicyKind::Identity, span, statements, variables: false, size: 0 };
        };
        let [version, _, statement] = self.check_keys(members, &DOCUMENT_KEYS, "", "policy");
        match version {
            None => {}
            Some(v) if matches!(v.as_str(), Some("2012-10-17" | "2008-10-17")) => {}
            Some(v) => self.problem(
                v.span,
                "/Version",
                "`Version` must be \"2012-10-17\" (or the legacy \"2008-10-17\")",
            ),
        }
        match statement {
            None => self.problem(root.span, "", "the policy has no `Statement`"),
            Some(Value { kind: Kind::Array(items), span }) => {
                if items.is_empty() {
                    self.problem(*span, "/Statement", "`Statement` is empty");
                }
                statements.reserve_exact(items.len());
                for (i, s) in items.iter().enumerate() {
                    if let Some(st) = self.statement(s, index_pointer("/Statement", i)) {
                        statements.push(st);
                    }
                }
            }
            Some(s @ Value { kind: Kind::Object(_), .. }) => {
                statements.extend(self.statement(s, "/Statement".into()));
            }
            Some(v) => self.problem(
                v.span,
                "/Statement",
                format!("`Statement` must be an object or an array, not {}", v.type_name()),
            ),
        }
        let kind = match hint {
            KindHint::Trust => PolicyKind::Trust,
            KindHint::Identity => PolicyKind::Identity,
            KindHint::Detect => detect_kind(root),
        };
        self.check_kind(root, kind);
        let variables = version.and_then(Value::as_str) == Some("2012-10-17");
        // Only a trust policy's size is checked (`trust-policy-size`).
        let size = match kind {
            PolicyKind::Trust => self.json.and_then(compact_json_size).unwrap_or_else(|| compact_size(root)),
            _ => 0,
        };
        Policy { kind, span, statements, variables, size }
    }

    /// Checks the elements that depend on what kind of policy this is.
    fn check_kind(&mut self, root: &Value<'_>, kind: PolicyKind) {
        if kind == PolicyKind::Resource {
            return;
        }
        // A statement's pointer (its index, when the statements are an
        // array) is made for a problem only.
        let (statements, array) = statements_of(root);
        for (i, s) in statements.iter().enumerate() {
            let Some(members) = s.as_object() else {
                continue;
            };
            let ptr = || if array { index_pointer("/Statement", i) } else { Pointer::from("/Statement") };
            // The first member of each name these checks look at, found in
            // one pass.
            let mut first: [Option<&Member<'_>>; 4] = [None; 4];
            for m in members {
                if let Some(k) = KIND_NAMES.iter().position(|n| *n == m.key) {
                    first[k] = first[k].or(Some(m));
                }
            }
            let has = |k: &str| KIND_NAMES.iter().position(|n| *n == k).and_then(|k| first[k]);
            match kind {
                PolicyKind::Trust => {
                    for key in ["Resource", "NotResource", "NotPrincipal"] {
                        if let Some(m) = has(key) {
                            self.problem(
                                m.key_span,
                                &key_pointer(&ptr(), key),
                                format!("a trust policy must not have `{key}`"),
                            );
                        }
                    }
                    if has("Principal").is_none() && has("NotPrincipal").is_none() {
                        self.problem(s.span, &ptr(), "a trust policy statement needs a `Principal`");
                    }
                    if let Some(p) = has("Principal").filter(|m| m.value.as_str() == Some("*")) {
                        self.problem(
                            p.value.span,
                            &key_pointer(&ptr(), "Principal"),
                            "`\"Principal\": \"*\"` is not valid in a trust policy: name the principals under `AWS`, `Service` or `Federated`",
                        );
                    }
                }
                PolicyKind::Identity => {
                    for key in ["Principal", "NotPrincipal"] {
                        if let Some(m) = has(key) {
                            self.problem(
                                m.key_span,
                                &key_pointer(&ptr(), key),
                                format!("an identity policy must not have `{key}`"),
                            );
                        }
                    }
                    if has("Resource").is_none() && has("NotResource").is_none() {
                        self.problem(s.span, &ptr(), "the statement needs a `Resource` or `NotResource`");
                    }
                }
                PolicyKind::Resource => {}
            }
        }
    }

    fn statement(&mut self, v: &Value<'_>, ptr: Pointer) -> Option<Statement> {
        let Some(members) = v.as_object() else {
            self.problem(v.span, &ptr, format!("a statement must be an object, not {}", v.type_name()));
            return None;
        };
        let [sid, effect, principal, not_principal, action, not_action, resource, not_resource, condition] =
            self.check_keys(members, &STATEMENT_KEYS, &ptr, "statement");
        if let Some(sid) = sid.filter(|s| s.as_str().is_none()) {
            self.problem(sid.span, &key_pointer(&ptr, "Sid"), "`Sid` must be a string");
        }
        let effect = match effect {
            None => {
                self.problem(v.span, &ptr, "the statement has no `Effect`");
                None
            }
            Some(e) => match e.as_str() {
                Some("Allow") => Some(Effect::Allow),
                Some("Deny") => Some(Effect::Deny),
                _ => {
                    self.problem(
                        e.span,
                        &key_pointer(&ptr, "Effect"),
                        "`Effect` must be \"Allow\" or \"Deny\"",
                    );
                    None
                }
            },
        };
        let principal = match (principal, not_principal) {
            (Some(p), None) => Some(self.principals(p, false, &key_pointer(&ptr, "Principal"))),
            (None, Some(p)) => Some(self.principals(p, true, &key_pointer(&ptr, "NotPrincipal"))),
            (Some(p), Some(_)) => {
                self.problem(p.span, &ptr, "a statement cannot have both `Principal` and `NotPrincipal`");
                None
            }
            (None, None) => None,
        };
        let actions = match (action, not_action) {
            (Some(a), None) => self.actions(a, false, &key_pointer(&ptr, "Action")),
            (None, Some(a)) => self.actions(a, true, &key_pointer(&ptr, "NotAction")),
            (Some(a), Some(_)) => {
                self.problem(a.span, &ptr, "a statement cannot have both `Action` and `NotAction`");
                Actions::default()
            }
            (None, None) => {
                self.problem(v.span, &ptr, "the statement has no `Action` or `NotAction`");
                Actions::default()
            }
        };
        let resources = match (resource, not_resource) {
            (Some(r), None) => Some(Resources {
                negated: false,
                items: self.strings(r, &key_pointer(&ptr, "Resource"), "Resource"),
            }),
            (None, Some(r)) => Some(Resources {
                negated: true,
                items: self.strings(r, &key_pointer(&ptr, "NotResource"), "NotResource"),
            }),
            (Some(r), Some(_)) => {
                self.problem(r.span, &ptr, "a statement cannot have both `Resource` and `NotResource`");
                None
            }
            (None, None) => None,
        };
        let conditions =
            condition.map(|c| self.conditions(c, &key_pointer(&ptr, "Condition"))).unwrap_or_default();
        Some(Statement {
            pointer: ptr,
            span: self.map.map(v.span),
            effect: effect?,
            principal,
            actions,
            resources,
            conditions,
        })
    }

    /// A string or an array of strings, each with its span and pointer.
    fn strings(&mut self, v: &Value<'_>, ptr: &str, what: &str) -> Vec<Spanned<String>> {
        match &v.kind {
            Kind::String(s) => vec![self.spanned(s.to_string(), v.span, ptr.into())],
            Kind::Array(items) => {
                if items.is_empty() {
                    self.problem(v.span, ptr, format!("`{what}` is an empty list"));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let p = index_pointer(ptr, i);
                    match item.as_str() {
                        Some(s) => out.push(self.spanned(s.to_owned(), item.span, p)),
                        None => self.problem(
                            item.span,
                            &p,
                            format!("`{what}` values must be strings, not {}", item.type_name()),
                        ),
                    }
                }
                out
            }
            _ => {
                self.problem(
                    v.span,
                    ptr,
                    format!("`{what}` must be a string or an array of strings, not {}", v.type_name()),
                );
                Vec::new()
            }
        }
    }

    fn actions(&mut self, v: &Value<'_>, negated: bool, ptr: &str) -> Actions {
        let what = if negated { "NotAction" } else { "Action" };
        let items = self.strings(v, ptr, what);
        for a in &items {
            let ok = a.value == "*"
                || crate::support::split_at_byte(&a.value, b':').is_some_and(|(svc, name)| {
                    !svc.is_empty()
                        && !name.is_empty()
                        && svc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if !ok {
                let (span, pointer) = (a.span, a.pointer.to_string());
                self.problems.push(Problem {
                    span,
                    pointer,
                    message: format!("`{}` is not an action: write `service:Action`", a.value),
                });
            }
        }
        Actions { negated, items }
    }

    fn principals(&mut self, v: &Value<'_>, negated: bool, ptr: &str) -> Principals {
        let span = self.map.map(v.span);
        let mut entries = Vec::new();
        match &v.kind {
            Kind::String(s) if s == "*" => {
                entries.reserve_exact(1);
                entries.push(PrincipalEntry { principal: Principal::Anyone, text: self.spanned("*".into(), v.span, ptr.into()) });
            }
            Kind::Object(members) => {
                self.check_keys(members, &["AWS", "Service", "Federated", "CanonicalUser"], ptr, "principal");
                if members.is_empty() {
                    self.problem(v.span, ptr, "the principal is empty");
                }
                // Room for every value: the list is not grown, nor made
                // smaller below unless a value was not a string.
                let values = |m: &Member<'_>| match &m.value.kind {
                    Kind::Array(items) => items.len(),
                    _ => 1,
                };
                entries.reserve_exact(members.iter().map(values).sum());
                for m in members {
                    let p = key_pointer(ptr, &m.key);
                    for text in self.strings(&m.value, &p, &m.key) {
                        let principal = self.principal(&m.key, &text);
                        entries.push(PrincipalEntry { principal, text });
                    }
                }
            }
            _ => self.problem(v.span, ptr, "a principal must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}"),
        }
        // A model of a large export holds hundreds of thousands of these:
        // no room to spare.
        entries.shrink_to_fit();
        Principals { negated, span, entries }
    }

    fn principal(&mut self, kind: &str, text: &Spanned<String>) -> Principal {
        let s = text.value.as_str();
        let parsed = match kind {
            "AWS" => aws_principal(s),
            "Service" => service_principal(s),
            "Federated" => federated_principal(s),
            "CanonicalUser" => Ok(Principal::CanonicalUser(s.to_owned())),
            _ if super::symbolic::is_symbolic(kind) => return Principal::Symbolic,
            _ => return Principal::Invalid, // reported by check_keys
        };
        parsed.unwrap_or_else(|message| {
            if super::symbolic::is_symbolic(s) {
                return Principal::Symbolic;
            }
            self.problems.push(Problem { span: text.span, pointer: text.pointer.to_string(), message });
            Principal::Invalid
        })
    }

    fn conditions(&mut self, v: &Value<'_>, ptr: &str) -> Vec<Condition> {
        let Some(ops) = v.as_object() else {
            self.problem(v.span, ptr, format!("`Condition` must be an object, not {}", v.type_name()));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            let op_ptr = key_pointer(ptr, &op.key);
            if ops[i + 1..].iter().any(|later| later.key == op.key) {
                // JSON parsers, IAM's among them, keep the last of duplicate keys.
                self.problem(
                    op.key_span,
                    &op_ptr,
                    format!("`{}` appears twice in `Condition`: only the last one takes effect", op.key),
                );
                continue;
            }
            let Some(operator) = Operator::parse(&op.key) else {
                self.problem(op.key_span, &op_ptr, format!("`{}` is not a condition operator", op.key));
                continue;
            };
            let operator =
                Spanned { value: operator, span: self.map.map(op.key_span), pointer: op_ptr.clone() };
            let Some(keys) = op.value.as_object() else {
                self.problem(
                    op.value.span,
                    &op_ptr,
                    format!("the `{}` block must be an object of condition keys", op.key),
                );
                continue;
            };
            for (i, k) in keys.iter().enumerate() {
                let key_ptr = key_pointer(&op_ptr, &k.key);
                if keys[..i].iter().any(|p| p.key == k.key) {
                    self.problem(k.key_span, &key_ptr, format!("`{}` appears twice in `{}`", k.key, op.key));
                }
                let values = self.condition_values(&k.value, &key_ptr);
                out.push(Condition {
                    operator: operator.clone(),
                    key: self.spanned(k.key.to_string(), k.key_span, key_ptr),
                    key_lc: k.key.to_ascii_lowercase(),
                    values,
                });
            }
        }
        out.shrink_to_fit();
        out
    }

    fn condition_values(&mut self, v: &Value<'_>, ptr: &str) -> Vec<Spanned<String>> {
        let items: Vec<(&Value<'_>, Pointer)> = match &v.kind {
            Kind::Array(items) => items.iter().enumerate().map(|(i, x)| (x, index_pointer(ptr, i))).collect(),
            _ => vec![(v, Pointer::from(ptr))],
        };
        let mut out = Vec::with_capacity(items.len());
        for (item, p) in items {
            match item.scalar_text() {
                Some(t) => out.push(self.spanned(t.into_owned(), item.span, p)),
                None => self.problem(
                    item.span,
                    &p,
                    format!(
                        "condition values must be strings, numbers or booleans, not {}",
                        item.type_name()
                    ),
                ),
            }
        }
        out
    }
}

/// Trust when a statement names a principal and an `sts:` action (or `*`,
/// or `NotAction`). Reads the JSON, so statements that failed to lower
/// still count.
/// The statements of a document, and whether they are in an array (an
/// object is the one statement).
fn statements_of<'v, 's>(root: &'v Value<'s>) -> (&'v [Value<'s>], bool) {
    match root.get("Statement") {
        Some(Value { kind: Kind::Array(items), .. }) => (items, true),
        Some(s @ Value { kind: Kind::Object(_), .. }) => (std::slice::from_ref(s), false),
        _ => (&[], false),
    }
}

fn detect_kind(root: &Value<'_>) -> PolicyKind {
    let sts_action = |v: &Value<'_>| {
        let one = |a: &Value<'_>| {
            a.as_str().is_some_and(|a| a == "*" || a.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("sts:")))
        };
        match &v.kind {
            Kind::Array(items) => items.iter().any(one),
            _ => one(v),
        }
    };
    // A statement with a principal makes a resource policy, a trust policy
    // when it allows an STS action. One pass over each statement's members
    // (the last of a name counts, as `Value::get` finds it).
    let mut kind = PolicyKind::Identity;
    for s in statements_of(root).0 {
        let (mut principal, mut action, mut not_action) = (false, None, false);
        for m in s.as_object().unwrap_or_default() {
            match m.key.as_ref() {
                "Principal" | "NotPrincipal" => principal = true,
                "Action" => action = Some(&m.value),
                "NotAction" => not_action = true,
                _ => {}
            }
        }
        if principal {
            if not_action || action.is_some_and(sts_action) {
                return PolicyKind::Trust;
            }
            kind = PolicyKind::Resource;
        }
    }
    kind
}

/// The length of the document written without whitespace (outside and
/// inside strings), as IAM counts it against the size quotas.
fn compact_size(v: &Value<'_>) -> usize {
    let text = |s: &str| {
        if graphic_ascii(s.as_bytes()) {
            return s.len() + 2;
        }
        // One pass over the bytes: `char::is_whitespace` on ASCII is space
        // and U+0009 to U+000D; any other byte below 0x80 is a character.
        let (mut spaces, mut high) = (0u32, 0u8);
        for &b in s.as_bytes() {
            spaces += u32::from(b == b' ' || b.wrapping_sub(b'\t') < 5);
            high |= b;
        }
        let kept = if high < 0x80 {
            s.len() - spaces as usize
        } else {
            s.chars().filter(|c| !c.is_whitespace()).count()
        };
        kept + 2
    };
    match &v.kind {
        Kind::Null => 4,
        Kind::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Kind::Number(n) => n.len(),
        Kind::String(s) => text(s),
        Kind::Array(items) => {
            2 + items.len().saturating_sub(1) + items.iter().map(compact_size).sum::<usize>()
        }
        Kind::Object(members) => {
            2 + members.len().saturating_sub(1)
                + members.iter().map(|m| text(&m.key) + 1 + compact_size(&m.value)).sum::<usize>()
        }
    }
}

/// [`compact_size`] counted on the JSON text of the document: its
/// characters less its whitespace. The parse admits no byte below 0x21
/// but whitespace, outside strings or in them, so those are the
/// whitespace. `None` when an escape or a character outside ASCII makes
/// the count one of decoded characters.
fn compact_json_size(json: &str) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const EVEN: u64 = 0x00FF_00FF_00FF_00FF;
    let bytes = json.as_bytes();
    if !bytes.is_ascii() || memchr::memchr(b'\\', bytes).is_some() {
        return None;
    }
    // The bytes from 0x21 on, eight at a time: below 0x80, `b + 0x5F`
    // reaches the high bit from 0x21 on and carries into no other byte.
    // Each byte of `lanes` counts its place in up to 255 words.
    let mut graphic = 0;
    for block in bytes.chunks(8 * 255) {
        let mut words = block.chunks_exact(8);
        let mut lanes = 0u64;
        for word in &mut words {
            let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
            lanes += ((w + ONES * 0x5F) >> 7) & ONES;
        }
        // Pairs of lanes summed into 16 bits, then the four pairs.
        let pairs = (lanes & EVEN) + ((lanes >> 8) & EVEN);
        graphic += (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize;
        graphic += words.remainder().iter().filter(|&&b| b >= 0x21).count();
    }
    Some(graphic)
}

/// Whether every byte is ASCII and neither a space nor a control
/// character (most names, ARNs and actions): then each is a character that
/// is not whitespace. Eight bytes at a time: in a word, a byte below 0x21
/// borrows when 0x21 is taken from it and sets its high bit (a borrow only
/// reaches bytes above the first such byte), and a byte from 0x80 on has it.
fn graphic_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let mut words = bytes.chunks_exact(8);
    let mut flagged = 0;
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        flagged |= (w.wrapping_sub(ONES * 0x21) & !w) | w;
    }
    flagged & HIGH == 0 && words.remainder().iter().all(|b| (0x21..0x80).contains(b))
}

fn check_partition(arn: &Arn) -> Result<(), String> {
    if PARTITIONS.contains(&arn.partition()) {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not an AWS partition (expected one of aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc)",
            arn.partition()
        ))
    }
}

fn aws_principal(s: &str) -> Result<Principal, String> {
    if s == "*" {
        return Ok(Principal::Anyone);
    }
    if is_account_id(s) {
        return Ok(Principal::Account { id: s.to_owned() });
    }
    if is_unique_id(s) {
        return Ok(Principal::UniqueId(s.to_owned()));
    }
    let Some(arn) = Arn::parse(s) else {
        return Err(format!(
            "`{s}` is not a valid AWS principal: use an account id, `*`, or a user or role ARN"
        ));
    };
    check_partition(&arn)?;
    if s.contains(['*', '?']) {
        return Err(format!(
            "`{s}` has a wildcard inside a principal ARN: IAM only accepts `*` on its own; match patterns with an `aws:PrincipalArn` condition instead"
        ));
    }
    if !matches!(arn.service(), "iam" | "sts") || !arn.region().is_empty() {
        return Err(format!(
            "`{s}` is not a principal ARN: write `arn:PARTITION:iam::ACCOUNT:…` or `arn:PARTITION:sts::ACCOUNT:assumed-role/…`"
        ));
    }
    if !is_account_id(arn.account()) {
        return Err(format!("`{s}` does not name a 12-digit account"));
    }
    let (kind, name) = arn.resource_type();
    match (arn.service(), kind) {
        ("iam", "root") if name.is_empty() => Ok(Principal::Account { id: arn.account().to_owned() }),
        ("iam", "user" | "role") | ("sts", "assumed-role" | "federated-user") if !name.is_empty() => {
            Ok(Principal::Arn(arn))
        }
        _ => Err(format!("`{s}` cannot be a principal: name an account, a user, a role or a role session")),
    }
}

fn service_principal(s: &str) -> Result<Principal, String> {
    let ok = !s.is_empty() && !s.contains(['*', '?', ' ', ':']) && s.contains('.');
    if ok {
        Ok(Principal::Service(s.to_owned()))
    } else {
        Err(format!("`{s}` is not a service principal such as `ec2.amazonaws.com`"))
    }
}

const WEB_IDENTITY_PROVIDERS: [&str; 4] =
    ["cognito-identity.amazonaws.com", "accounts.google.com", "www.amazon.com", "graph.facebook.com"];

fn federated_principal(s: &str) -> Result<Principal, String> {
    if WEB_IDENTITY_PROVIDERS.contains(&s) {
        return Ok(Principal::Federated(Federated::WebIdentity(s.to_owned())));
    }
    let bad = || {
        format!(
            "`{s}` is not a federated principal: use an `oidc-provider` or `saml-provider` ARN, or a web identity provider such as `cognito-identity.amazonaws.com`"
        )
    };
    let arn = Arn::parse(s).ok_or_else(bad)?;
    check_partition(&arn)?;
    if s.contains(['*', '?']) {
        return Err(format!("`{s}` has a wildcard inside a principal ARN"));
    }
    match (arn.service(), arn.resource_type()) {
        ("iam", ("oidc-provider", issuer)) if !issuer.is_empty() => {
            Ok(Principal::Federated(Federated::Oidc {
                account: arn.account().to_owned(),
                issuer: issuer.to_owned(),
            }))
        }
        ("iam", ("saml-provider", name)) if !name.is_empty() => Ok(Principal::Federated(Federated::Saml {
            account: arn.account().to_owned(),
            name: name.to_owned(),
        })),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_keys_and_write_indexes() {
        assert_eq!(key_pointer("/Statement/0", "AWS"), "/Statement/0/AWS");
        assert_eq!(key_pointer("", "a/b~c"), "/a~1b~0c");
        assert_eq!(pointer_token("a/b~c"), "a~1b~0c");
        assert_eq!(index_pointer("/Statement", 0), "/Statement/0");
        assert_eq!(index_pointer("/x", 1_234_567), "/x/1234567");
        assert_eq!(index_pointer("", usize::MAX), format!("/{}", usize::MAX));
    }

    #[test]
    fn pointers_short_and_long_alike() {
        // Around the length kept inline, with characters of several bytes.
        for base in ["", "/Statement/0", "/Statement/12/Condition", "/é€/😀"] {
            for key in ["a", "Action", "aws:SourceAccount", "ü/~x", "a".repeat(40).as_str()] {
                let want = format!("{base}/{}", pointer_token(key));
                assert_eq!(key_pointer(base, key), want.as_str());
                assert!(!key_pointer(base, key).is_empty());
            }
        }
    }

    #[test]
    fn compact_size_drops_unicode_and_ascii_whitespace_alike() {
        let sized = |json: &str| compact_size(&crate::syntax::json::parse(json).unwrap());
        // Vertical tab and form feed are whitespace to IAM's count too;
        // U+00A0 and U+3000 are outside ASCII.
        assert_eq!(sized(r#"{"a": "x \u000b\f\t\r\ny"}"#), sized(r#"{"a":"xy"}"#));
        assert_eq!(sized("{\"a\": \"x\u{a0}\u{3000}y\u{e9}\"}"), sized(r#"{"a":"xy\u00e9"}"#));
        assert_eq!(sized(r#"{"a":"xy"}"#), 10);
    }

    #[test]
    fn compact_size_read_off_the_text_is_the_size_of_the_tree() {
        let tree = |json: &str| compact_size(&crate::syntax::json::parse(json).unwrap());
        let docs = [
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}}]}"#,
            "{\n\t\"a\" : [ 1 , -2.5e3, true,false , null, \"x y  z\" ],\r\n \"b\": {}}",
            r#"{"a":"xy"}"#,
            "[]",
            "{\"a\": \"0123456789abcdef 0123456789abcdef\", \"bb\": [\"        \", \" \"]}",
        ];
        for doc in docs {
            assert_eq!(compact_json_size(doc), Some(tree(doc)), "{doc}");
        }
        // Longer than the 2,040 bytes counted in one block.
        let statement = r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}"#;
        let long = format!("{{\"Statement\": [\n    {}\n]}}", [statement; 60].join(",\n    "));
        assert!(long.len() > 2 * 2040);
        assert_eq!(compact_json_size(&long), Some(tree(&long)));
        // Every length and every place of a space or a tab.
        for len in 0..20 {
            for at in 0..len {
                for blank in [" ", "\t", "\n"] {
                    let mut value = "a".repeat(len);
                    value.replace_range(at..=at, if blank == " " { " " } else { "" });
                    let doc = format!("{{{blank}\"k\":{blank}\"{value}\"{blank}}}");
                    assert_eq!(compact_json_size(&doc), Some(tree(&doc)), "{doc:?}");
                }
            }
        }
        // An escape or a character outside ASCII leaves it to the tree.
        for doc in [r#"{"a": "x\u0020y"}"#, r#"{"a": "\n"}"#, "{\"a\": \"é\"}", "{\"a\": \"x\u{a0}y\"}"] {
            assert_eq!(compact_json_size(doc), None, "{doc}");
            for pad in 0..9 {
                let padded = format!("{{\"{}\": 1, {}", "p".repeat(pad), &doc[1..]);
                assert_eq!(compact_json_size(&padded), None, "{padded}");
            }
        }
    }

    #[test]
    fn kind_read_off_the_last_action_and_checked_on_the_first_element() {
        let kind = |actions: &str| {
            let text = format!(
                r#"{{"Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "*"}}, {actions}}}]}}"#
            );
            crate::model::parse_policy(&text, KindHint::Detect).unwrap().policy.kind
        };
        assert_eq!(kind(r#""Action": "s3:GetObject", "Action": "STS:AssumeRole""#), PolicyKind::Trust);
        assert_eq!(kind(r#""Action": "sts:AssumeRole", "Action": "s3:GetObject""#), PolicyKind::Resource);
        assert_eq!(kind(r#""NotAction": "s3:GetObject""#), PolicyKind::Trust);
        let text = r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
            "Resource": "a", "Resource": "b"}}"#;
        let problems = crate::model::parse_policy(text, KindHint::Trust).unwrap().problems;
        let found: Vec<(usize, &str)> =
            problems.iter().map(|p| (p.span.start as usize, p.message.as_str())).collect();
        let (first, last) = (text.find(r#""Resource""#).unwrap(), text.rfind(r#""Resource""#).unwrap());
        assert_eq!(
            found,
            [(last, "`Resource` appears twice"), (first, "a trust policy must not have `Resource`")]
        );
    }

    #[test]
    fn element_names_unknown_or_twice_are_problems() {
        let text = r#"{"Statement": [{"Effect": "Allow", "Sid": "a", "Efect": "Deny", "Effect": "Deny",
            "Principal": {"AWS": "*", "aws": "*", "AWS": "*"}, "${var.key}": 1, "Action": "sts:AssumeRole",
            "Sid": "b", "Sid": "c"}], "Version": "2012-10-17", "Version": "2012-10-17"}"#;
        let lowered = crate::model::parse_policy(text, KindHint::Trust).unwrap();
        let found: Vec<(&str, &str)> =
            lowered.problems.iter().map(|p| (p.pointer.as_str(), p.message.as_str())).collect();
        assert_eq!(
            found,
            [
                ("/Version", "`Version` appears twice"),
                ("/Statement/0/Efect", "`Efect` is not a statement element: did you mean `Effect`?"),
                ("/Statement/0/Effect", "`Effect` appears twice"),
                (
                    "/Statement/0/${var.key}",
                    "`${var.key}` is not a statement element (expected one of Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)"
                ),
                ("/Statement/0/Sid", "`Sid` appears twice"),
                ("/Statement/0/Sid", "`Sid` appears twice"),
                (
                    "/Statement/0/Principal/aws",
                    "`aws` is not a principal element: element names are case-sensitive, write `AWS`"
                ),
                ("/Statement/0/Principal/AWS", "`AWS` appears twice"),
            ]
        );
        // Of a name that appears twice, the last one takes effect.
        assert_eq!(lowered.policy.statements[0].effect, Effect::Deny);
        let twice = r#"{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "*"}, "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["a:b", "c:d"],
            "Resource": "*", "Action": "sts:AssumeRole"}]}"#;
        let policy = crate::model::parse_policy(twice, KindHint::Identity).unwrap().policy;
        assert!(policy.variables);
        assert_eq!(policy.statements.len(), 1);
        assert_eq!(policy.statements[0].effect, Effect::Deny);
        assert_eq!(policy.statements[0].actions.items.len(), 1);
    }

    #[test]
    fn graphic_ascii_is_a_look_at_each_byte() {
        let slow = |b: &[u8]| b.iter().all(|b| (0x21..0x80).contains(b));
        for len in 0..20 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = byte;
                    assert_eq!(graphic_ascii(&bytes), slow(&bytes), "{bytes:?}");
                    bytes[len - 1 - at] = b' ';
                    assert_eq!(graphic_ascii(&bytes), slow(&bytes), "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn aws_principal_forms() {
        assert_eq!(aws_principal("*"), Ok(Principal::Anyone));
        assert_eq!(aws_principal("123456789012"), Ok(Principal::Account { id: "123456789012".into() }));
        assert_eq!(
            aws_principal("arn:aws:iam::123456789012:root"),
            Ok(Principal::Account { id: "123456789012".into() })
        );
        assert!(matches!(aws_principal("arn:aws-us-gov:iam::123456789012:role/x"), Ok(Principal::Arn(_))));
        assert!(matches!(aws_principal("arn:aws:sts::123456789012:assumed-role/R/s"), Ok(Principal::Arn(_))));
        assert!(matches!(aws_principal("AROA1234567890EXAMPLE"), Ok(Principal::UniqueId(_))));
        assert!(aws_principal("arn:aws:iam::*:root").unwrap_err().contains("wildcard"));
        assert!(aws_principal("arn:aws:iam::123456789012:role/*").unwrap_err().contains("wildcard"));
        assert!(aws_principal("arn:aws:iam::123456789012:group/g").is_err());
        assert!(aws_principal("arn:aws:iam::12345:root").is_err());
        assert!(aws_principal("arn:azure:iam::123456789012:root").is_err());
    }
}
