//! The YAML parser's spans, typing, tags, aliases and limits.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::*;
use crate::source::Span;
use crate::syntax::json::{Kind, MAX_DEPTH, Member};

/// The tree as compact JSON text.
fn show(v: &Value) -> String {
    v.to_json()
}

fn at(text: &str, span: Span) -> &str {
    &text[span.range()]
}

fn err(text: &str) -> ParseError {
    parse(text).expect_err("the text should be rejected")
}

fn member<'v, 's>(v: &'v Value<'s>, key: &str) -> &'v Member<'s> {
    v.as_object().unwrap().iter().find(|m| m.key == key).unwrap()
}

#[test]
fn spans_of_scalars_and_keys() {
    let text = "a: b\n\"q\": 'it''s'\nplain: two\n  lines\nn: 12\nempty:\nlast: \"x\"  # comment\n";
    let v = parse(text).unwrap();
    assert_eq!(show(&v), r#"{"a":"b","q":"it's","plain":"two lines","n":12,"empty":null,"last":"x"}"#);
    assert_eq!(at(text, v.span), text.trim_end().trim_end_matches("  # comment"));
    let m = v.as_object().unwrap();
    assert_eq!(at(text, m[0].key_span), "a");
    assert_eq!(at(text, m[0].value.span), "b");
    assert_eq!(at(text, m[1].key_span), "\"q\"");
    assert!(matches!(m[1].key, Cow::Borrowed("q")));
    assert_eq!(at(text, m[1].value.span), "'it''s'");
    assert!(matches!(m[1].value.kind, Kind::String(Cow::Owned(_))));
    assert_eq!(at(text, m[2].value.span), "two\n  lines");
    assert!(matches!(m[2].value.kind, Kind::String(Cow::Owned(_))));
    assert_eq!(at(text, m[3].value.span), "12");
    assert!(m[4].value.span.is_empty());
    assert_eq!(at(text, m[5].value.span), "\"x\"");
    assert!(matches!(m[5].value.kind, Kind::String(Cow::Borrowed("x"))));
    // Borrowed strings and numbers are slices of the text itself.
    let Kind::Number(n) = m[3].value.kind else { panic!("not a number") };
    assert_eq!(n.as_ptr(), text[m[3].value.span.range()].as_ptr());
}

#[test]
fn spans_of_collections() {
    let text = "a:\n- # c\n  p\n- q\n";
    assert_eq!(at(text, parse(text).unwrap().get("a").unwrap().span), "- # c\n  p\n- q");
    let text = "a:\n  - # c\n    p\n  - q\n";
    assert_eq!(at(text, parse(text).unwrap().get("a").unwrap().span), "- # c\n    p\n  - q");
    let text = "top:\n  - x\n  - {k: v, l: [1, 2]}\n  -   [ ]\nnext:\n- p\n- q  # c\n\nend: 1\n";
    let v = parse(text).unwrap();
    let top = v.get("top").unwrap();
    assert_eq!(at(text, top.span), "- x\n  - {k: v, l: [1, 2]}\n  -   [ ]");
    let items = top.as_array().unwrap();
    assert_eq!(at(text, items[1].span), "{k: v, l: [1, 2]}");
    assert_eq!(at(text, items[1].get("l").unwrap().span), "[1, 2]");
    assert_eq!(at(text, items[2].span), "[ ]");
    assert_eq!(at(text, v.get("next").unwrap().span), "- p\n- q");
    assert_eq!(at(text, v.span), text.trim_end());
    let text = "{a, b: , c: [ x ] , d: \"y\" }  # c\n";
    let v = parse(text).unwrap();
    assert_eq!(show(&v), r#"{"a":null,"b":null,"c":["x"],"d":"y"}"#);
    assert_eq!(at(text, v.span), "{a, b: , c: [ x ] , d: \"y\" }");
    assert_eq!(at(text, v.get("c").unwrap().span), "[ x ]");
    assert_eq!(at(text, v.get("d").unwrap().span), "\"y\"");
    assert!(v.get("a").unwrap().span.is_empty());
    let text = "[a: b, c]";
    let v = parse(text).unwrap();
    assert_eq!(show(&v), r#"[{"a":"b"},"c"]"#);
    assert_eq!(at(text, v.as_array().unwrap()[0].span), "a: b");
}

#[test]
fn block_scalars() {
    let text = "a: |\n  line1\n  line2\n\n# comment\nb: >-  # folded\n  folded\n  text\nc: !Sub |\n  ${X}\n\nd: |+\n  keep\n\n\ne: |\nf: |2-\n   x\n";
    let v = parse(text).unwrap();
    assert_eq!(
        show(&v),
        r#"{"a":"line1\nline2\n","b":"folded text","c":{"Fn::Sub":"${X}\n"},"d":"keep\n\n\n","e":"","f":" x"}"#
    );
    assert_eq!(at(text, v.get("a").unwrap().span), "|\n  line1\n  line2");
    assert_eq!(at(text, v.get("b").unwrap().span), ">-  # folded\n  folded\n  text");
    let c = v.get("c").unwrap();
    assert_eq!(at(text, c.span), "!Sub |\n  ${X}");
    assert_eq!(at(text, c.get("Fn::Sub").unwrap().span), "|\n  ${X}");
    assert_eq!(at(text, v.get("d").unwrap().span), "|+\n  keep");
    assert_eq!(at(text, v.get("e").unwrap().span), "|");
    assert_eq!(at(text, v.get("f").unwrap().span), "|2-\n   x");
    // In a sequence, and after a comment that mentions an indicator.
    let text = "- a # not | this\n- |\n  x\n";
    let v = parse(text).unwrap();
    assert_eq!(at(text, v.as_array().unwrap()[1].span), "|\n  x");
}

#[test]
fn non_ascii_offsets() {
    let text = "\u{feff}clé: \"ünï\"\nliste: [ß, 日本語, '💡']\nbloc: |\n  ça\nfin: ok\n";
    let v = parse(text).unwrap();
    let m = v.as_object().unwrap();
    assert_eq!(at(text, m[0].key_span), "clé");
    assert_eq!(at(text, m[0].value.span), "\"ünï\"");
    let list = m[1].value.as_array().unwrap();
    assert_eq!(at(text, m[1].value.span), "[ß, 日本語, '💡']");
    assert_eq!(at(text, list[1].span), "日本語");
    assert_eq!(at(text, list[2].span), "'💡'");
    assert_eq!(at(text, m[2].value.span), "|\n  ça");
    assert_eq!(at(text, m[3].key_span), "fin");
    assert_eq!(at(text, m[3].value.span), "ok");
    // Beyond the first 32 characters, where the lookup uses checkpoints.
    let long = format!("{}: 1\nb: \"€\"\n", "é".repeat(100));
    let v = parse(&long).unwrap();
    assert_eq!(at(&long, v.as_object().unwrap()[0].key_span), "é".repeat(100));
    assert_eq!(at(&long, v.get("b").unwrap().span), "\"€\"");
}

#[test]
fn scalar_typing() {
    let text = "[true, True, TRUE, false, False, FALSE, tRue, yes, null, Null, NULL, ~, 12, -3, +4, 1.5, \
                .5, 1e3, -2.5E-3, 012345678901, 0x1F, .inf, 2012-10-17, 1.2.3, '12', \"true\", !!str 12, \
                !!int '7', !!bool True, !!null ~, ! 12]";
    let v = parse(text).unwrap();
    assert_eq!(
        show(&v),
        r#"[true,true,true,false,false,false,"tRue","yes",null,null,null,null,12,-3,+4,1.5,.5,1e3,-2.5E-3,012345678901,"0x1F",".inf","2012-10-17","1.2.3","12","true","12",7,true,null,"12"]"#
    );
    assert!(err("!!int abc").message.contains("`abc` is not a number"));
    assert!(err("!!map x").message.contains("cannot have the tag `!!map`"));
    assert!(err("!!seq {}").message.contains("a mapping cannot have the tag `!!seq`"));
    assert!(err("!!binary x").message.contains("unsupported tag `!!binary`"));
}

#[test]
fn short_form_tags() {
    let text = "A: !Ref Bucket\nB: !GetAtt Role.Arn\nC: !Join\n  - ''\n  - - !Sub '${AWS::Partition}'\n    - !Ref X\nD: !If [Cond, {Ref: A}, !Ref AWS::NoValue]\nE: !Transform {Name: T}\nF: !GetAZs\nG: !Condition IsProd\nH: !Select [0, !GetAZs '']\n";
    let v = parse(text).unwrap();
    assert_eq!(
        show(&v),
        r#"{"A":{"Ref":"Bucket"},"B":{"Fn::GetAtt":"Role.Arn"},"C":{"Fn::Join":["",[{"Fn::Sub":"${AWS::Partition}"},{"Ref":"X"}]]},"D":{"Fn::If":["Cond",{"Ref":"A"},{"Ref":"AWS::NoValue"}]},"E":{"Fn::Transform":{"Name":"T"}},"F":{"Fn::GetAZs":""},"G":{"Condition":"IsProd"},"H":{"Fn::Select":[0,{"Fn::GetAZs":""}]}}"#
    );
    let a = v.get("A").unwrap();
    assert_eq!(at(text, a.span), "!Ref Bucket");
    let inner = member(a, "Ref");
    assert_eq!(at(text, inner.key_span), "!Ref Bucket");
    assert_eq!(at(text, inner.value.span), "Bucket");
    assert!(matches!(inner.value.kind, Kind::String(Cow::Borrowed("Bucket"))));
    let c = v.get("C").unwrap();
    assert_eq!(at(text, c.span), &text[text.find("!Join").unwrap()..text.find("\nD:").unwrap()]);
    let join = c.get("Fn::Join").unwrap();
    assert_eq!(at(text, join.span), &text[text.find("- ''").unwrap()..text.find("\nD:").unwrap()]);
    let sub = &join.as_array().unwrap()[1].as_array().unwrap()[0];
    assert_eq!(at(text, sub.span), "!Sub '${AWS::Partition}'");
    assert_eq!(at(text, sub.get("Fn::Sub").unwrap().span), "'${AWS::Partition}'");
    assert_eq!(at(text, v.get("E").unwrap().get("Fn::Transform").unwrap().span), "{Name: T}");
    let f = v.get("F").unwrap();
    assert_eq!(at(text, f.span), "!GetAZs");
    assert!(f.get("Fn::GetAZs").unwrap().span.is_empty());
    // With an anchor before or after the tag.
    let text = "a: &x !Ref A\nb: !Ref &y B\nc: *x\nd: *y\n";
    let v = parse(text).unwrap();
    assert_eq!(show(&v), r#"{"a":{"Ref":"A"},"b":{"Ref":"B"},"c":{"Ref":"A"},"d":{"Ref":"B"}}"#);
    assert_eq!(at(text, v.get("a").unwrap().span), "&x !Ref A");
    assert_eq!(at(text, v.get("b").unwrap().get("Ref").unwrap().span), "B");
}

#[test]
fn unknown_and_unsupported_tags() {
    // A local tag not CloudFormation's (a preprocessor's, like
    // `!Rain::Embed`) is an opaque function named as written.
    let text = "a: 1\nb: !Rain::Embed bar.txt\nc: !Foo [x]\n";
    let v = parse(text).unwrap();
    assert_eq!(show(&v), r#"{"a":1,"b":{"!Rain::Embed":"bar.txt"},"c":{"!Foo":["x"]}}"#);
    assert_eq!(at(text, v.get("b").unwrap().span), "!Rain::Embed bar.txt");
    let text = "a: !<tag:example.com,2000:x> b";
    let e = err(text);
    assert!(e.message.starts_with("unsupported tag"), "{}", e.message);
    assert_eq!(at(text, e.span), "!<tag:example.com,2000:x>");
    assert_eq!(err("!Ref a: b").message, "a mapping key must be a scalar, not an object");
}

#[test]
fn aliases_are_copied() {
    let text =
        "base: &b\n  Effect: Allow\n  Action: [sts:AssumeRole]\ncopy: *b\nname: &n key\n*n : value\n<<: *b\n";
    let v = parse(text).unwrap();
    assert_eq!(
        show(&v),
        r#"{"base":{"Effect":"Allow","Action":["sts:AssumeRole"]},"copy":{"Effect":"Allow","Action":["sts:AssumeRole"]},"name":"key","key":"value","<<":{"Effect":"Allow","Action":["sts:AssumeRole"]}}"#
    );
    // The copy points at the anchored text; the mapping holding the alias
    // still ends at the alias.
    assert_eq!(v.get("copy").unwrap().span, v.get("base").unwrap().span);
    assert_eq!(at(text, v.span), text.trim_end());
}

#[test]
fn alias_errors() {
    let text = "a: 1\nb: *nope\n";
    let e = err(text);
    assert_eq!(e.message, "no anchor is defined for the alias `*nope`");
    assert_eq!(e.span.start as usize, text.find('*').unwrap());
    let text = "a: &x [1, *x]";
    let e = err(text);
    assert_eq!(e.message, "the alias `*x` is inside the node it refers to");
    assert_eq!(at(text, e.span), "*x");
    assert_eq!(err("a: &x [1]\n*x : 2").message, "a mapping key must be a scalar, not an array");
}

#[test]
fn alias_bomb_is_rejected_quickly() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        writeln!(text, "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]")
            .unwrap();
    }
    let started = std::time::Instant::now();
    let e = err(&text);
    assert_eq!(e.message, format!("aliases expand to more than {MAX_ALIAS_NODES} nodes"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Below the limit, the same shape is fine.
    let small = text.lines().take(4).collect::<Vec<_>>().join("\n");
    let v = parse(&small).unwrap();
    assert_eq!(v.get("a3").unwrap().as_array().unwrap().len(), 10);
}

#[test]
fn deep_nesting_is_rejected() {
    let message = format!("nested more than {MAX_DEPTH} levels deep");
    let flow = "[".repeat(100_000);
    let e = err(&flow);
    assert!(e.message.contains("nested more than"), "{}", e.message);
    let flow = format!("{}{}", "{a: ".repeat(100_000), "}".repeat(100_000));
    assert!(err(&flow).message.contains("nested more than"));
    let block = format!("{}x", "- ".repeat(100_000));
    assert_eq!(err(&block).message, message);
    let block = (0..300).fold(String::new(), |mut out, i| {
        writeln!(out, "{}k:", " ".repeat(i)).unwrap();
        out
    });
    assert_eq!(err(&block).message, message);
    // Short forms count as levels, as their long forms would.
    let tags = format!("{}x{}", "!Not [".repeat(200), "]".repeat(200));
    assert_eq!(err(&tags).message, message);
    // So do aliases of deep nodes.
    let deep =
        format!("a: &d {}x{}\nb: {}*d{}", "[".repeat(200), "]".repeat(200), "[".repeat(60), "]".repeat(60));
    assert_eq!(err(&deep).message, message);
    // Just within the limit.
    let ok = format!("{}x{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
    assert!(parse(&ok).is_ok());
}

#[test]
fn syntax_errors_point_at_the_fault() {
    let text = "é: [1, 2\nb: c\n";
    let e = err(text);
    assert!(!e.message.contains("ScanError"), "{}", e.message);
    assert!(e.span.start as usize > text.find('[').unwrap());
    assert!(text.is_char_boundary(e.span.start as usize));
    let text = "clé: x\n  bad: y\n";
    let e = err(text);
    assert_eq!(e.message, "mapping values are not allowed in this context");
    assert_eq!(&text[e.span.start as usize..], ": y\n");
}

#[test]
fn documents() {
    for empty in ["", "\n\n", "# only a comment\n", "---\n", "---\n...\n"] {
        assert_eq!(err(empty).message, "the file is empty", "{empty:?}");
    }
    let text = "a: 1\n---\nb: 2\n";
    let e = err(text);
    assert!(e.message.starts_with("more than one YAML document"));
    assert_eq!(e.span.start as usize, text.find("---").unwrap());
    let v = parse("%YAML 1.2\n---\na: 1\n...\n").unwrap();
    assert_eq!(show(&v), r#"{"a":1}"#);
    assert_eq!(show(&parse("~").unwrap()), "null");
}

#[test]
fn duplicate_keys_are_kept() {
    let v = parse("a: 1\na: 2\n").unwrap();
    assert_eq!(show(&v), r#"{"a":1,"a":2}"#);
    assert_eq!(v.get("a").unwrap().kind, Kind::Number("2"));
}

#[test]
fn lines_indented_as_cloudformation_allows() {
    // A quoted scalar's second line at its key's indentation, and a flow
    // sequence's lines and bracket short of it: the specification forbids
    // them, PyYAML and CloudFormation read them as if indented deeper.
    let text = "A:\n  Value: 'one\n  two'\n  B:\n    K: [\n1,\n    \"arn\"]\n  N: 12\n";
    let v = parse(text).unwrap();
    assert_eq!(show(&v), r#"{"A":{"Value":"one two","B":{"K":[1,"arn"]},"N":12}}"#);
    // Spans are in the text as written.
    let a = v.get("A").unwrap();
    assert_eq!(at(text, member(a, "Value").value.span), "'one\n  two'");
    let k = a.get("B").unwrap().get("K").unwrap();
    assert_eq!(at(text, k.span), "[\n1,\n    \"arn\"]");
    let items = k.as_array().unwrap();
    assert_eq!(at(text, items[0].span), "1");
    assert_eq!(at(text, items[1].span), "\"arn\"");
    assert_eq!(at(text, member(a, "N").key_span), "N");
    let Kind::Number(n) = a.get("N").unwrap().kind else { panic!("not a number") };
    assert_eq!(n.as_ptr(), text[a.get("N").unwrap().span.range()].as_ptr());
    // A double-quoted scalar whose lines fall short by several spaces.
    let v = parse("a:\n  b:\n    k: \"one\n two\n   three\"\n").unwrap();
    assert_eq!(show(&v), r#"{"a":{"b":{"k":"one two three"}}}"#);
}

#[test]
fn indentation_that_more_spaces_do_not_cure_is_an_error() {
    // An unclosed sequence: the parser's first complaint is reported.
    let text = "a:\n  b: [1,\n  c: 2\n";
    let e = err(text);
    assert_eq!(e.message, "invalid indentation in flow construct");
    assert_eq!(&text[e.span.start as usize..], "c: 2\n");
    // A block mapping's key out of line is not a flow collection's line.
    assert_eq!(
        err("a:\n    b: 1\n  c: 2\n").message,
        "while parsing a block mapping, did not find expected key"
    );
}
