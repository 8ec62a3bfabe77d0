//! The attributes of a resource or data source instance: its arguments as
//! written, and what AWS or the provider computes from them (an IAM role's
//! ARN from its name and path, a policy document's JSON).

use super::instance::{Cx, Key};
use super::module::Block;
use super::value::{Member, Val, Value, Why};
use crate::source::Span;

/// The ARN prefix of the IAM principals and policies whose ARN follows from
/// their name and path.
pub fn arn_prefix(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "aws_iam_role" => "role",
        "aws_iam_user" => "user",
        "aws_iam_group" => "group",
        "aws_iam_policy" => "policy",
        _ => return None,
    })
}

/// One attribute (`only`), or the object of all the instance's attributes.
pub fn of<'t>(
    cx: &Cx<'t, '_, '_>,
    block: &Block<'t>,
    data: bool,
    key: &Key,
    only: Option<&str>,
    at: Span,
) -> Value {
    if let Some(name) = only {
        return attr(cx, block, data, key, name, at);
    }
    let mut names: Vec<&str> = block.body.attrs().into_iter().map(|(k, _)| k).collect();
    let computed: &[&str] = if data {
        match block.kind {
            "aws_iam_policy_document" => &["json", "minified_json"],
            "aws_caller_identity" => &["account_id"],
            "aws_partition" => &["partition", "dns_suffix"],
            "template_file" => &["rendered"],
            _ => &[],
        }
    } else if arn_prefix(block.kind).is_some() {
        &["arn", "id", "name", "unique_id"]
    } else {
        &["arn", "id"]
    };
    names.extend(computed);
    names.sort_unstable();
    names.dedup();
    let members = names
        .into_iter()
        .filter(|n| !matches!(*n, "count" | "for_each" | "depends_on" | "provider" | "lifecycle"))
        .map(|n| Member { key: n.to_owned(), key_span: at, value: attr(cx, block, data, key, n, at) })
        .collect();
    Value::new(Val::Object(members), at)
}

fn attr<'t>(cx: &Cx<'t, '_, '_>, block: &Block<'t>, data: bool, key: &Key, name: &str, at: Span) -> Value {
    let inst = cx.inst;
    let address = if data {
        inst.address_of(&format!("data.{}", block.kind), block.label, key)
    } else {
        inst.address_of(block.kind, block.label, key)
    };
    let unknown = || Value::unknown(format!("{address}.{name}"), Why::Input, at);
    let written = |n: &str| block.body.attr(n).map(|a| cx.expr(a.value));
    // An argument left unset (absent or null) may be one the provider
    // computes (`data.aws_region.current.region`): not known, never null.
    let set_or_computed =
        |n: &str| written(n).filter(|v| !matches!(v.kind, Val::Null)).unwrap_or_else(unknown);
    let text = |v: Value| Value::string(v.display(), at);
    if data {
        return match (block.kind, name) {
            ("aws_iam_policy_document", "json" | "minified_json") => {
                inst.r.used_documents.borrow_mut().insert((inst.address.clone(), block.label.to_owned()));
                let doc = super::document::build(cx, block);
                match doc.kind {
                    Val::Unknown(_) => doc,
                    _ => Value::new(Val::Encoded(Box::new(doc)), at),
                }
            }
            ("aws_caller_identity", "account_id") => Value::string(inst.r.account.clone(), at),
            ("aws_partition", "partition") => Value::string("aws", at),
            ("aws_partition", "dns_suffix") => Value::string("amazonaws.com", at),
            ("template_file", "rendered") => {
                let Some(template) = written("template") else { return unknown() };
                let vars = written("vars").unwrap_or_else(|| Value::new(Val::Object(Vec::new()), at));
                match template.as_text() {
                    Some(t) if template.is_known() => {
                        use super::functions::Host as _;
                        inst.host().render_template("template", &t, &vars, at)
                    }
                    _ => Value::unknown(
                        format!("{address}.rendered"),
                        template.unknown_part().map_or(Why::Input, |u| u.why.clone()),
                        at,
                    ),
                }
            }
            _ => set_or_computed(name),
        };
    }
    let Some(prefix) = arn_prefix(block.kind) else {
        return match (block.kind, name) {
            ("aws_iam_openid_connect_provider", "arn" | "id") => {
                let Some(url) = written("url") else { return unknown() };
                let url = url.display();
                let host = url.strip_prefix("https://").unwrap_or(&url);
                Value::string(format!("arn:aws:iam::{}:oidc-provider/{host}", inst.r.account), at)
            }
            ("aws_iam_saml_provider", "arn" | "id") => {
                let Some(n) = written("name") else { return unknown() };
                Value::string(format!("arn:aws:iam::{}:saml-provider/{}", inst.r.account, n.display()), at)
            }
            _ => set_or_computed(name),
        };
    };
    let settled = |v: &Value| v.as_text().is_some_and(|s| !s.is_empty()) && v.is_known();
    let own_name = || match written("name") {
        Some(v) if settled(&v) => text(v),
        _ => Value::unknown(format!("{address}.name"), Why::Input, at),
    };
    match name {
        "name" => own_name(),
        "id" if prefix != "policy" => own_name(),
        "arn" | "id" => {
            let path = written("path")
                .and_then(|p| p.as_text().map(std::borrow::Cow::into_owned))
                .filter(|p| p.starts_with('/') && p.ends_with('/') && !crate::model::symbolic::is_symbolic(p))
                .unwrap_or_else(|| "/".to_owned());
            let name = own_name().display();
            Value::string(format!("arn:aws:iam::{}:{prefix}{path}{name}", inst.r.account), at)
        }
        "unique_id" => unknown(),
        _ => set_or_computed(name),
    }
}
