//! A variable's type constraint, applied to its value as Terraform does on
//! the way in: object attributes declared `optional(…)` and left out get
//! their default (or null), attributes the type does not declare are
//! dropped, and collections convert each element.

use hcl_edit::expr::{Expression, ObjectKey};

use super::value::{Member, Val, Value};

/// Converts `v` to the type `ty` describes. `default` evaluates an
/// `optional(T, default)` default where it is written.
pub fn convert(v: Value, ty: &Expression, default: &dyn Fn(&Expression) -> Value) -> Value {
    let Expression::FuncCall(f) = ty else { return v };
    let args: Vec<&Expression> = f.args.iter().collect();
    match (f.name.name.as_str(), args.as_slice()) {
        ("optional", [inner, ..]) => convert(v, inner, default),
        ("list" | "set", [inner]) => match v.kind {
            Val::List(items) => {
                Value::new(Val::List(items.into_iter().map(|i| convert(i, inner, default)).collect()), v.span)
            }
            kind => Value::new(kind, v.span),
        },
        ("map", [inner]) => match v.kind {
            Val::Object(members) => Value::new(
                Val::Object(
                    members
                        .into_iter()
                        .map(|m| Member { value: convert(m.value, inner, default), ..m })
                        .collect(),
                ),
                v.span,
            ),
            kind => Value::new(kind, v.span),
        },
        ("object", [Expression::Object(attrs)]) => {
            let Val::Object(members) = v.kind else { return v };
            let mut out = Vec::new();
            for (k, attr_ty) in attrs {
                let name = match k {
                    ObjectKey::Ident(id) => id.as_str().to_owned(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                    ObjectKey::Expression(_) => continue,
                };
                let attr_ty = attr_ty.expr();
                match members.iter().find(|m| m.key == name) {
                    Some(m) if !m.value.is_null() => {
                        out.push(Member { value: convert(m.value.clone(), attr_ty, default), ..m.clone() });
                    }
                    found => {
                        let Some(fallback) = optional_default(attr_ty, default) else {
                            if let Some(m) = found {
                                out.push(m.clone());
                            }
                            continue;
                        };
                        let key_span = found.map_or(v.span, |m| m.key_span);
                        out.push(Member { key: name, key_span, value: fallback });
                    }
                }
            }
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Value::new(Val::Object(out), v.span)
        }
        _ => v,
    }
}

/// For `optional(T)`: null; for `optional(T, d)`: `d` converted to `T`;
/// `None` for an attribute that is not optional.
fn optional_default(ty: &Expression, default: &dyn Fn(&Expression) -> Value) -> Option<Value> {
    let Expression::FuncCall(f) = ty else { return None };
    if f.name.name.as_str() != "optional" {
        return None;
    }
    let args: Vec<&Expression> = f.args.iter().collect();
    Some(match args.as_slice() {
        [inner, d] => convert(default(d), inner, default),
        _ => Value::new(Val::Null, crate::source::Span::default()),
    })
}
