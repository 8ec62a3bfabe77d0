//! How CloudFormation reads YAML tags and plain scalars.
//!
//! Short forms of intrinsic functions, core-schema tags, and which plain
//! scalars are numbers, booleans or null.

use std::borrow::Cow;

use saphyr_parser::Tag;

use super::locate::span;
use crate::source::Span;
use crate::syntax::json::ParseError;

/// What a tag asks for.
#[derive(Clone, PartialEq, Eq)]
pub(super) enum Resolved<'s> {
    Untagged,
    /// The non-specific `!`: the scalar is a string.
    NonSpecific,
    /// A short-form intrinsic function, by its long name; another local tag
    /// (`!Rain::Embed`, a preprocessor's), as written: an opaque function.
    Function(Cow<'s, str>),
    Str,
    Int,
    Float,
    Bool,
    Null,
    Map,
    Seq,
}

/// The long name of a CloudFormation short-form tag (`!Sub` is `Fn::Sub`).
fn function_name(suffix: &str) -> Option<&'static str> {
    Some(match suffix {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "And" => "Fn::And",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "Contains" => "Fn::Contains",
        "EachMemberEquals" => "Fn::EachMemberEquals",
        "EachMemberIn" => "Fn::EachMemberIn",
        "Equals" => "Fn::Equals",
        "FindInMap" => "Fn::FindInMap",
        "ForEach" => "Fn::ForEach",
        "GetAZs" => "Fn::GetAZs",
        "GetAtt" => "Fn::GetAtt",
        "If" => "Fn::If",
        "ImportValue" => "Fn::ImportValue",
        "Join" => "Fn::Join",
        "Length" => "Fn::Length",
        "Not" => "Fn::Not",
        "Or" => "Fn::Or",
        "RefAll" => "Fn::RefAll",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "Sub" => "Fn::Sub",
        "ToJsonString" => "Fn::ToJsonString",
        "Transform" => "Fn::Transform",
        "ValueOf" => "Fn::ValueOf",
        "ValueOfAll" => "Fn::ValueOfAll",
        _ => return None,
    })
}

/// Decimal integers and floats: `[-+]?(digits[.digits?]|.digits)([eE][-+]?digits)?`.
pub(super) fn is_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

pub(super) fn bool_value(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

pub(super) fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// What `tag` (written at `tag_span`, on the node at `pos`) asks for.
pub(super) fn resolve<'s>(
    text: &'s str,
    tag: Option<&Tag>,
    tag_span: Option<Span>,
    pos: usize,
) -> Result<Resolved<'s>, ParseError> {
    let Some(tag) = tag else { return Ok(Resolved::Untagged) };
    let written = || tag_span.map_or_else(|| tag.to_string(), |s| text[s.range()].to_owned());
    let fail = |message: String| {
        let span = tag_span.unwrap_or_else(|| span(pos, pos));
        Err(ParseError { message, span })
    };
    if tag.handle == "!" {
        Ok(Resolved::Function(match function_name(&tag.suffix) {
            Some(name) => Cow::Borrowed(name),
            // Not CloudFormation's: kept, named by the tag as written, so a
            // template for a preprocessor still reads, and its value is
            // symbolic wherever it is used.
            None => match tag_span {
                Some(s) => Cow::Borrowed(&text[s.range()]),
                None => Cow::Owned(format!("!{}", tag.suffix)),
            },
        }))
    } else if tag.handle.is_empty() && tag.suffix == "!" {
        Ok(Resolved::NonSpecific)
    } else if tag.is_yaml_core_schema() {
        Ok(match tag.suffix.as_str() {
            "str" => Resolved::Str,
            "int" => Resolved::Int,
            "float" => Resolved::Float,
            "bool" => Resolved::Bool,
            "null" => Resolved::Null,
            "map" => Resolved::Map,
            "seq" => Resolved::Seq,
            _ => return fail(format!("unsupported tag `{}`", written())),
        })
    } else {
        fail(format!("unsupported tag `{}`", written()))
    }
}

/// The tag as written, for messages.
pub(super) fn tag_text(text: &str, tag_span: Option<Span>) -> &str {
    tag_span.map_or("", |s| &text[s.range()])
}
