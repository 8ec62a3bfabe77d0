use std::collections::HashMap;

use super::super::value::{BUDGET, Budget, Member, Val, Value, Why, sorted};
use super::{Host, call};
use crate::source::Span;

/// A module with a few files; templates replace `${name}` with the
/// variable's text.
struct TestHost {
    files: HashMap<&'static str, &'static str>,
    budget: Budget,
}

impl TestHost {
    fn new() -> Self {
        Self::with_budget(Budget::new(1 << 24, 1 << 20))
    }

    fn with_budget(budget: Budget) -> Self {
        let files = HashMap::from([
            ("trust.json", r#"{"Principal":{"AWS":"*"}}"#),
            ("trust.json.tpl", r#"{"Principal":{"AWS":"${principal}"}}"#),
        ]);
        Self { files, budget }
    }
}

impl Host for TestHost {
    fn read_file(&self, path: &str) -> Result<String, String> {
        self.files.get(path).map(|s| (*s).to_owned()).ok_or_else(|| format!("no file exists at {path}"))
    }

    fn render_template(&self, _path: &str, text: &str, vars: &Value, at: Span) -> Value {
        let mut out = text.to_owned();
        for m in vars.as_object().unwrap_or_default() {
            out = out.replace(&format!("${{{}}}", m.key), &m.value.display());
        }
        Value::string(out, at)
    }

    fn budget(&self) -> &Budget {
        &self.budget
    }
}

/// The call's place.
const AT: Span = Span::new(1000, 1010);

fn sp(n: u32) -> Span {
    Span::new(n, n + 1)
}

fn s(text: &str, at: u32) -> Value {
    Value::string(text, sp(at))
}

fn n(x: f64) -> Value {
    Value::new(Val::Number(x), sp(0))
}

fn b(x: bool) -> Value {
    Value::new(Val::Bool(x), sp(0))
}

fn null() -> Value {
    Value::new(Val::Null, sp(0))
}

fn list(items: Vec<Value>) -> Value {
    Value::new(Val::List(items), sp(0))
}

fn strs(items: &[&str]) -> Value {
    list(items.iter().zip(1..).map(|(t, i)| s(t, i)).collect())
}

fn obj(members: Vec<(&str, Value)>) -> Value {
    let members = members
        .into_iter()
        .map(|(k, v)| Member { key: k.into(), key_span: sp(v.span.start + 500), value: v })
        .collect();
    Value::new(Val::Object(sorted(members)), sp(0))
}

fn var(name: &str) -> Value {
    Value::unknown(name, Why::Input, sp(77))
}

fn run_on(host: &TestHost, name: &str, args: Vec<Value>) -> Value {
    call(name, args, AT, host).unwrap_or_else(|| panic!("{name} is not known"))
}

fn run(name: &str, args: Vec<Value>) -> Value {
    run_on(&TestHost::new(), name, args)
}

/// The result as JSON (unknown parts as their symbols).
fn json(name: &str, args: Vec<Value>) -> String {
    let v = run(name, args);
    assert!(v.is_known(), "{name}: {v:?}");
    v.to_json()
}

fn text(name: &str, args: Vec<Value>) -> String {
    let v = run(name, args);
    v.as_str().unwrap_or_else(|| panic!("{name}: not a string: {v:?}")).to_owned()
}

/// The message of an error result.
fn error(name: &str, args: Vec<Value>) -> String {
    let v = run(name, args);
    match v.unknown_part().map(|u| &u.why) {
        Some(Why::Error(m)) => {
            assert_eq!(v.span, AT);
            m.clone()
        }
        _ => panic!("{name}: not an error: {v:?}"),
    }
}

/// What an unknown result stands for, and why.
fn unknown(name: &str, args: Vec<Value>) -> (String, Why) {
    let v = run(name, args);
    let u = v.unknown_part().unwrap_or_else(|| panic!("{name}: known: {v:?}"));
    assert!(!matches!(u.why, Why::Error(_)), "{name}: an error: {u:?}");
    (u.what.clone(), u.why.clone())
}

fn over_budget(v: &Value) -> bool {
    v.unknown_part().is_some_and(|u| u.why == Why::Unresolved(BUDGET.into()))
}

// ---- the table ----

#[test]
fn unknown_functions_and_lazy_ones_are_left_to_the_caller() {
    let host = TestHost::new();
    for name in ["nosuch", "try", "can", "provider::aws::arn_parse"] {
        assert!(call(name, vec![], AT, &host).is_none(), "{name}");
    }
}

#[test]
fn an_unknown_argument_makes_the_result_unknown_for_the_same_reason() {
    assert_eq!(unknown("lower", vec![var("var.name")]), ("lower(var.name)".into(), Why::Input));
    let unresolved = Value::unknown("module.x.out", Why::Unresolved("module not installed".into()), sp(3));
    assert_eq!(
        unknown("trimprefix", vec![unresolved, s("arn:", 1)]),
        ("trimprefix(module.x.out, \"arn:\")".into(), Why::Unresolved("module not installed".into()))
    );
    assert_eq!(run("upper", vec![var("var.x")]).span, AT);
}

#[test]
fn an_argument_that_failed_fails_the_call() {
    let failed = Value::error("element([], 0)", "cannot use element function with an empty list", sp(4));
    assert_eq!(
        error("concat", vec![list(vec![failed.clone()]), strs(&["a"])]),
        "cannot use element function with an empty list"
    );
    assert_eq!(error("coalesce", vec![s("a", 1), failed]), "cannot use element function with an empty list");
}

#[test]
fn wrong_argument_counts_are_errors() {
    assert_eq!(error("element", vec![strs(&["a"])]), "function \"element\" expects 2 argument(s), got 1");
    assert_eq!(error("lookup", vec![obj(vec![])]), "function \"lookup\" expects 2 to 3 argument(s), got 1");
    assert_eq!(error("concat", vec![]), "function \"concat\" expects at least 1 argument(s), got 0");
}

// ---- format ----

#[test]
fn format_writes_an_unknown_argument_as_its_symbol() {
    let v = run("format", vec![s("arn:aws:iam::%s:root", 1), var("var.acct")]);
    assert_eq!(v.as_str(), Some("arn:aws:iam::{{var.acct}}:root"));
    assert_eq!(v.span, AT);
    assert_eq!(text("format", vec![s("%d-%q-%v", 1), var("a"), var("b"), var("c")]), "{{a}}-\"{{b}}\"-{{c}}");
    // The format itself unknown: nothing to write.
    assert!(run("format", vec![var("var.f"), s("x", 1)]).unknown_part().is_some());
}

#[test]
fn format_verbs() {
    let f = |fmt: &str, args: Vec<Value>| text("format", [vec![s(fmt, 1)], args].concat());
    assert_eq!(f("%d", vec![n(3600.0)]), "3600");
    assert_eq!(f("%d", vec![s("42", 2)]), "42");
    assert_eq!(f("%s", vec![n(3600.0)]), "3600");
    assert_eq!(f("%s/%s", vec![s("a", 2), b(true)]), "a/true");
    assert_eq!(f("%q", vec![s("a\"b", 2)]), r#""a\"b""#);
    assert_eq!(f("%v %v %v", vec![s("x", 2), n(1.5), b(false)]), "x 1.5 false");
    assert_eq!(f("%v", vec![n(1_000_000.0)]), "1e+06");
    assert_eq!(f("%v", vec![strs(&["a", "b"])]), r#"["a","b"]"#);
    assert_eq!(f("%#v", vec![s("x", 2)]), r#""x""#);
    let encoded = Value::new(Val::Encoded(Box::new(strs(&["a"]))), sp(2));
    assert_eq!(f("%v|%s|%#v", vec![encoded.clone(), encoded.clone(), encoded]), r#"["a"]|["a"]|"[\"a\"]""#);
    assert_eq!(f("%#v", vec![obj(vec![("k", n(1.0))])]), r#"{"k":1}"#);
    assert_eq!(f("100%%", vec![]), "100%");
    assert_eq!(f("%[2]s-%[1]s-%s", vec![s("a", 2), s("b", 3)]), "b-a-b");
    assert_eq!(f("%t", vec![s("true", 2)]), "true");
    assert_eq!(f("%x %X %o %b %#x", vec![n(255.0), n(255.0), n(8.0), n(5.0), n(255.0)]), "ff FF 10 101 0xff");
    assert_eq!(
        f("%.2f|%f|%e|%E", vec![n(1.23456), n(1.0), n(1234.5), n(0.00012)]),
        "1.23|1.000000|1.234500e+03|1.200000E-04"
    );
    assert_eq!(
        f("%g|%g|%.3g|%g", vec![n(100_000.0), n(0.00001), n(1.23456), n(-2.5)]),
        "100000|1e-05|1.23|-2.5"
    );
}

#[test]
fn format_widths_and_flags() {
    let f = |fmt: &str, args: Vec<Value>| text("format", [vec![s(fmt, 1)], args].concat());
    assert_eq!(f("[%5d]", vec![n(42.0)]), "[   42]");
    assert_eq!(f("[%-5d]", vec![n(42.0)]), "[42   ]");
    assert_eq!(f("[%05d]", vec![n(-42.0)]), "[-0042]");
    assert_eq!(f("[%+d]", vec![n(42.0)]), "[+42]");
    assert_eq!(f("[%6s]", vec![s("ab", 2)]), "[    ab]");
    assert_eq!(f("[%-6s]", vec![s("ab", 2)]), "[ab    ]");
    assert_eq!(f("[%.2s]", vec![s("abcdef", 2)]), "[ab]");
    assert_eq!(f("[%8.3f]", vec![n(1.23456)]), "[   1.235]");
}

#[test]
fn format_errors() {
    let f = |fmt: &str, args: Vec<Value>| error("format", [vec![s(fmt, 1)], args].concat());
    assert_eq!(
        f("%s %s", vec![s("a", 2)]),
        "not enough arguments for \"%s\" at 3: need index 2 but have 1 total"
    );
    assert_eq!(f("%s", vec![s("a", 2), s("b", 3)]), "too many arguments; only 1 used by format string");
    assert_eq!(f("plain", vec![s("a", 2)]), "too many arguments; no verbs in format string");
    assert_eq!(f("%z", vec![s("a", 2)]), "unsupported format verb 'z' in \"%z\" at offset 0");
    assert_eq!(f("50%", vec![]), "invalid format string starting at offset 2");
    assert_eq!(f("%d", vec![n(1.5)]), "unsupported value for \"%d\" at 0: an integer is required");
    assert_eq!(f("%s", vec![strs(&["a"])]), "unsupported value for \"%s\" at 0: string required, not list");
    assert_eq!(f("%s", vec![null()]), "unsupported value for \"%s\" at 0: null value cannot be formatted");
    assert_eq!(f("%d", vec![s("x", 2)]), "unsupported value for \"%d\" at 0: a number is required");
}

#[test]
fn formatlist_walks_lists_together() {
    let v = run("formatlist", vec![s("arn:aws:iam::%s:%s", 1), strs(&["1", "2"]), s("root", 9)]);
    assert_eq!(v.to_json(), r#"["arn:aws:iam::1:root","arn:aws:iam::2:root"]"#);
    assert!(v.as_list().unwrap().iter().all(|e| e.span == AT));
    let with_unknown =
        run("formatlist", vec![s("arn:aws:iam::%s:root", 1), list(vec![s("1", 2), var("var.b")])]);
    assert_eq!(with_unknown.to_json(), r#"["arn:aws:iam::1:root","arn:aws:iam::{{var.b}}:root"]"#);
    assert_eq!(json("formatlist", vec![s("%s", 1), list(vec![])]), "[]");
    assert_eq!(json("formatlist", vec![s("x-%s", 1), s("a", 2)]), r#"["x-a"]"#);
    assert_eq!(
        error("formatlist", vec![s("%s%s", 1), strs(&["a", "b"]), strs(&["c"])]),
        "argument 3 has length 1, which is inconsistent with argument 2 of length 2"
    );
    assert_eq!(
        unknown("formatlist", vec![s("%s", 1), var("var.accounts")]).0,
        "formatlist(\"%s\", var.accounts)"
    );
    let beside = run("formatlist", vec![s("arn:aws:iam::%s:role/%s", 1), var("var.acct"), strs(&["a", "b"])]);
    assert_eq!(
        beside.to_json(),
        r#"["arn:aws:iam::{{var.acct}}:role/a","arn:aws:iam::{{var.acct}}:role/b"]"#
    );
}

// ---- strings ----

#[test]
fn join_writes_unknown_elements_as_symbols() {
    assert_eq!(text("join", vec![s(",", 1), strs(&["a", "b"]), list(vec![n(3.0)])]), "a,b,3");
    assert_eq!(text("join", vec![s(",", 1), list(vec![s("a", 2), var("var.b")])]), "a,{{var.b}}");
    assert_eq!(unknown("join", vec![s(",", 1), var("var.list")]).0, "join(\",\", var.list)");
    assert_eq!(
        error("join", vec![s(",", 1), list(vec![null()])]),
        "element 0 of list 1 is null; cannot concatenate null values"
    );
    assert_eq!(run("join", vec![s("-", 1), strs(&["x"])]).span, AT);
}

#[test]
fn split_into_pieces_at_the_call() {
    let v = run("split", vec![s(",", 1), s("a,b,,c", 2)]);
    assert_eq!(v.to_json(), r#"["a","b","","c"]"#);
    assert!(v.as_list().unwrap().iter().all(|e| e.span == AT));
    assert_eq!(json("split", vec![s(",", 1), s("", 2)]), r#"[""]"#);
    assert_eq!(json("split", vec![s("", 1), s("ab", 2)]), r#"["a","b"]"#);
    // The value behind a symbol may hold separators.
    assert_eq!(unknown("split", vec![s(",", 1), s("a,{{var.x}}", 2)]).1, Why::Input);
}

#[test]
fn replace_and_its_regular_expressions() {
    assert_eq!(text("replace", vec![s("1 + 2 + 3", 1), s("+", 2), s("-", 3)]), "1 - 2 - 3");
    assert_eq!(text("replace", vec![s("ab", 1), s("", 2), s("-", 3)]), "-a-b-");
    assert_eq!(text("replace", vec![s("role/NAME", 1), s("NAME", 2), var("var.name")]), "role/{{var.name}}");
    let (_, why) = unknown("replace", vec![s("abc", 1), s("/b/", 2), s("x", 3)]);
    assert!(matches!(why, Why::Unresolved(_)));
}

#[test]
fn case_changes_leave_symbols_alone() {
    assert_eq!(text("lower", vec![s("ARN:{{var.Acct}}:ROOT", 1)]), "arn:{{var.Acct}}:root");
    assert_eq!(text("upper", vec![s("abc", 1)]), "ABC");
    assert_eq!(text("title", vec![s("hello world-wide web_site", 1)]), "Hello World-Wide Web_site");
}

#[test]
fn trimming() {
    assert_eq!(text("trimspace", vec![s("  a b \n", 1)]), "a b");
    assert_eq!(text("trim", vec![s("?!hello?!", 1), s("!?", 2)]), "hello");
    assert_eq!(text("trimprefix", vec![s("helloworld", 1), s("hello", 2)]), "world");
    assert_eq!(text("trimprefix", vec![s("helloworld", 1), s("cat", 2)]), "helloworld");
    assert_eq!(text("trimsuffix", vec![s("helloworld", 1), s("world", 2)]), "hello");
    // Known ends around a symbol.
    assert_eq!(text("trimspace", vec![s(" a{{var.x}}b ", 1)]), "a{{var.x}}b");
    assert_eq!(text("trimprefix", vec![s("arn:{{var.x}}", 1), s("arn:", 2)]), "{{var.x}}");
    assert_eq!(unknown("trimspace", vec![s("{{var.x}} ", 1)]).1, Why::Input);
    assert_eq!(unknown("trimprefix", vec![s("ar{{var.x}}", 1), s("arn:", 2)]).1, Why::Input);
}

#[test]
fn string_tests_answer_from_the_known_text() {
    let t = |name: &str, a: &str, b2: &str| run(name, vec![s(a, 1), s(b2, 2)]);
    assert_eq!(t("startswith", "arn:aws:iam::{{var.a}}:root", "arn:aws:").kind, Val::Bool(true));
    assert_eq!(t("startswith", "arn:aws:iam::{{var.a}}:root", "arn:gcp").kind, Val::Bool(false));
    assert!(t("startswith", "arn:{{var.a}}", "arn:aws").unknown_part().is_some());
    assert_eq!(t("endswith", "{{var.a}}:root", ":root").kind, Val::Bool(true));
    assert_eq!(t("endswith", "abc", "bc").kind, Val::Bool(true));
    assert!(t("endswith", "{{var.a}}", "x").unknown_part().is_some());
    assert_eq!(t("strcontains", "a{{var.b}}cd", "cd").kind, Val::Bool(true));
    assert!(t("strcontains", "a{{var.b}}cd", "z").unknown_part().is_some());
    assert_eq!(t("strcontains", "abc", "z").kind, Val::Bool(false));
}

#[test]
fn substr_counts_characters() {
    let f = |st: &str, o: f64, l: f64| run("substr", vec![s(st, 1), n(o), n(l)]);
    assert_eq!(f("hello world", 1.0, 4.0).as_str(), Some("ello"));
    assert_eq!(f("🤔🤷", 0.0, 1.0).as_str(), Some("🤔"));
    assert_eq!(f("hello world", -5.0, -1.0).as_str(), Some("world"));
    assert_eq!(f("hello", 10.0, 2.0).as_str(), Some(""));
    assert_eq!(f("arn:{{var.x}}", 0.0, 3.0).as_str(), Some("arn"));
    assert!(f("arn:{{var.x}}", 2.0, 5.0).unknown_part().is_some());
}

#[test]
fn tostring_keeps_the_place_of_what_it_converts() {
    let v = run("tostring", vec![Value::new(Val::Number(5.0), sp(8))]);
    assert_eq!((v.as_str(), v.span), (Some("5"), sp(8)));
    assert!(run("tostring", vec![null()]).is_null());
    assert_eq!(error("tostring", vec![strs(&["a"])]), "cannot convert list to string");
}

// ---- collections ----

#[test]
fn concat_keeps_elements_and_their_places() {
    let v = run("concat", vec![strs(&["a"]), list(vec![var("var.b"), s("c", 5)])]);
    assert_eq!(v.to_json(), r#"["a","{{var.b}}","c"]"#);
    let spans: Vec<Span> = v.as_list().unwrap().iter().map(|e| e.span).collect();
    assert_eq!(spans, [sp(1), sp(77), sp(5)]);
    assert_eq!(v.span, AT);
    assert_eq!(unknown("concat", vec![strs(&["a"]), var("var.more")]).0, "concat([…], var.more)");
    assert_eq!(error("concat", vec![s("a", 1)]), "a list is required, not string");
}

#[test]
fn merge_later_wins_and_members_keep_places() {
    let v = run(
        "merge",
        vec![
            obj(vec![("a", s("1", 1)), ("b", s("2", 2))]),
            null(),
            obj(vec![("b", s("3", 3)), ("c", var("var.c"))]),
        ],
    );
    assert_eq!(v.to_json(), r#"{"a":"1","b":"3","c":"{{var.c}}"}"#);
    assert_eq!(v.get("b").unwrap().span, sp(3));
    assert_eq!(v.as_object().unwrap()[1].key_span, sp(503));
    assert_eq!(json("merge", vec![]), "{}");
    assert_eq!(error("merge", vec![strs(&["a"])]), "arguments must be maps or objects, not list");
    assert!(run("merge", vec![obj(vec![]), var("var.tags")]).unknown_part().is_some());
}

#[test]
fn flatten_at_any_depth_keeping_unknown_elements() {
    let nested = list(vec![strs(&["a"]), list(vec![list(vec![s("b", 4), var("var.c")])]), list(vec![])]);
    let v = run("flatten", vec![nested]);
    assert_eq!(v.to_json(), r#"["a","b","{{var.c}}"]"#);
    assert_eq!(v.as_list().unwrap()[1].span, sp(4));
}

#[test]
fn distinct_and_toset() {
    let v = run("distinct", vec![list(vec![s("b", 1), s("a", 2), s("b", 3), n(1.0), s("1", 4)])]);
    assert_eq!(v.to_json(), r#"["b","a","1"]"#);
    assert_eq!(v.as_list().unwrap()[0].span, sp(1));
    assert_eq!(json("toset", vec![strs(&["c", "a", "c", "b"])]), r#"["a","b","c"]"#);
    assert_eq!(json("toset", vec![list(vec![n(10.0), n(9.0), n(10.0)])]), "[9,10]");
    assert_eq!(json("toset", vec![list(vec![n(10.0), s("9", 1)])]), r#"["10","9"]"#);
    let with_unknown = run("toset", vec![list(vec![var("var.x"), s("b", 1), s("a", 2)])]);
    assert_eq!(with_unknown.to_json(), r#"["a","b","{{var.x}}"]"#);
}

#[test]
fn compact_drops_nulls_and_empty_strings() {
    let v = run("compact", vec![list(vec![s("a", 1), s("", 2), null(), var("var.x"), n(2.0)])]);
    assert_eq!(v.to_json(), r#"["a","{{var.x}}","2"]"#);
    assert_eq!(v.as_list().unwrap()[0].span, sp(1));
}

#[test]
fn coalesce_passes_the_first_settled_argument_through() {
    let v = run("coalesce", vec![null(), s("", 1), s("b", 2), var("var.c")]);
    assert_eq!((v.as_str(), v.span), (Some("b"), sp(2)));
    assert_eq!(unknown("coalesce", vec![null(), var("var.c"), s("b", 2)]).0, "coalesce(null, var.c, \"b\")");
    assert_eq!(error("coalesce", vec![null(), s("", 1)]), "no non-null, non-empty-string arguments");
    assert_eq!(error("coalesce", vec![s("a", 1), strs(&["b"])]), "all arguments must have the same type");
    assert_eq!(run("coalesce", vec![n(1.0), s("b", 2)]).as_str(), Some("1"));
    let l = run("coalescelist", vec![list(vec![]), strs(&["x"]), var("var.l")]);
    assert_eq!((l.to_json(), l.span), (r#"["x"]"#.to_owned(), sp(0)));
    assert_eq!(error("coalescelist", vec![list(vec![])]), "no non-null arguments");
}

#[test]
fn lookup_finds_a_member_among_unknown_ones() {
    let map = obj(vec![("admin", s("arn:admin", 3)), ("dev", var("var.dev"))]);
    let v = run("lookup", vec![map.clone(), s("admin", 1)]);
    assert_eq!((v.as_str(), v.span), (Some("arn:admin"), sp(3)));
    let d = run("lookup", vec![map.clone(), s("ops", 1), s("fallback", 9)]);
    assert_eq!((d.as_str(), d.span), (Some("fallback"), sp(9)));
    assert_eq!(error("lookup", vec![map.clone(), s("ops", 1)]), "the given object has no attribute \"ops\"");
    assert!(run("lookup", vec![map.clone(), var("var.role")]).unknown_part().is_some());
    assert!(run("lookup", vec![map, s("{{var.role}}", 1), s("x", 2)]).unknown_part().is_some());
    assert_eq!(
        error("lookup", vec![strs(&["a"]), s("a", 1)]),
        "lookup() requires a map as the first argument"
    );
}

#[test]
fn element_wraps_around_and_keeps_the_place() {
    let l = strs(&["a", "b", "c"]);
    let v = run("element", vec![l.clone(), n(4.0)]);
    assert_eq!((v.as_str(), v.span), (Some("b"), sp(2)));
    assert_eq!(run("element", vec![l.clone(), n(-1.0)]).as_str(), Some("c"));
    assert_eq!(
        error("element", vec![list(vec![]), n(0.0)]),
        "cannot use element function with an empty list"
    );
    assert_eq!(error("element", vec![l, n(0.5)]), "invalid index: a whole number is required");
    assert!(run("element", vec![list(vec![var("var.a")]), n(0.0)]).unknown_part().is_some());
}

#[test]
fn length_of_a_list_with_unknown_elements_is_known() {
    assert_eq!(run("length", vec![list(vec![var("var.a"), s("b", 1)])]).kind, Val::Number(2.0));
    assert_eq!(run("length", vec![s("héllo", 1)]).kind, Val::Number(5.0));
    assert_eq!(run("length", vec![obj(vec![("a", n(1.0))])]).kind, Val::Number(1.0));
    assert!(run("length", vec![s("a{{var.x}}", 1)]).unknown_part().is_some());
    assert!(run("length", vec![var("var.list")]).unknown_part().is_some());
    assert_eq!(error("length", vec![null()]), "argument 1 must not be null");
}

#[test]
fn keys_and_values_in_key_order_at_their_places() {
    let map = obj(vec![("b", s("2", 2)), ("a", s("1", 1))]);
    let k = run("keys", vec![map.clone()]);
    assert_eq!(k.to_json(), r#"["a","b"]"#);
    assert_eq!(k.as_list().unwrap()[0].span, sp(501));
    let v = run("values", vec![map]);
    assert_eq!(v.to_json(), r#"["1","2"]"#);
    assert_eq!(v.as_list().unwrap()[1].span, sp(2));
}

#[test]
fn contains_and_index_with_unknown_elements() {
    let l = list(vec![s("a", 1), var("var.b"), n(3.0)]);
    assert_eq!(run("contains", vec![l.clone(), s("a", 9)]).kind, Val::Bool(true));
    assert_eq!(run("contains", vec![l.clone(), s("3", 9)]).kind, Val::Bool(true));
    assert!(run("contains", vec![l.clone(), s("z", 9)]).unknown_part().is_some());
    assert_eq!(run("contains", vec![strs(&["a"]), s("z", 9)]).kind, Val::Bool(false));
    assert_eq!(run("index", vec![strs(&["a", "b"]), s("b", 9)]).kind, Val::Number(1.0));
    assert_eq!(error("index", vec![strs(&["a"]), s("b", 9)]), "item not found");
    assert_eq!(error("index", vec![list(vec![]), s("b", 9)]), "cannot search an empty list");
    assert!(run("index", vec![l, s("z", 9)]).unknown_part().is_some());
}

#[test]
fn conversions() {
    let l = run("tolist", vec![list(vec![s("a", 1), n(1.0)])]);
    assert_eq!((l.to_json(), l.as_list().unwrap()[1].span), (r#"["a","1"]"#.to_owned(), sp(0)));
    assert_eq!(error("tolist", vec![obj(vec![])]), "cannot convert map to list");
    assert_eq!(json("tomap", vec![obj(vec![("a", n(1.0)), ("b", s("x", 1))])]), r#"{"a":"1","b":"x"}"#);
    assert_eq!(error("tomap", vec![strs(&[])]), "cannot convert list to map");
    let num = run("tonumber", vec![s("3600", 4)]);
    assert_eq!((num.kind, num.span), (Val::Number(3600.0), sp(4)));
    assert!(error("tonumber", vec![s("1h", 4)]).starts_with("cannot convert \"1h\" to number"));
    assert!(error("tonumber", vec![s("inf", 4)]).starts_with("cannot convert"));
    assert!(run("tonumber", vec![s("{{var.n}}", 4)]).unknown_part().is_some());
    assert!(run("tonumber", vec![null()]).is_null());
    assert_eq!(run("tobool", vec![s("true", 4)]).kind, Val::Bool(true));
    assert!(error("tobool", vec![s("yes", 4)]).starts_with("cannot convert \"yes\" to bool"));
}

#[test]
fn chunklist_slice_reverse_sort() {
    assert_eq!(json("chunklist", vec![strs(&["a", "b", "c"]), n(2.0)]), r#"[["a","b"],["c"]]"#);
    assert_eq!(json("chunklist", vec![strs(&["a", "b"]), n(0.0)]), r#"[["a","b"]]"#);
    assert_eq!(error("chunklist", vec![strs(&["a"]), n(-1.0)]), "the size argument must be positive");
    let sl = run("slice", vec![strs(&["a", "b", "c"]), n(1.0), n(3.0)]);
    assert_eq!((sl.to_json(), sl.as_list().unwrap()[0].span), (r#"["b","c"]"#.to_owned(), sp(2)));
    assert_eq!(
        error("slice", vec![strs(&["a"]), n(0.0), n(2.0)]),
        "end index must not be greater than the length of the list"
    );
    assert_eq!(
        error("slice", vec![strs(&["a"]), n(1.0), n(0.0)]),
        "start index must not be greater than end index"
    );
    assert_eq!(json("reverse", vec![strs(&["a", "b"])]), r#"["b","a"]"#);
    assert_eq!(error("reverse", vec![s("ab", 1)]), "can only reverse list or tuple values, not string");
    assert_eq!(json("sort", vec![list(vec![s("b", 1), n(10.0), n(9.0)])]), r#"["10","9","b"]"#);
    assert!(run("sort", vec![list(vec![s("b", 1), var("var.a")])]).unknown_part().is_some());
}

#[test]
fn zipmap_places_keys_where_they_were_written() {
    let v = run("zipmap", vec![strs(&["b", "a"]), list(vec![n(1.0), s("x", 7)])]);
    assert_eq!(v.to_json(), r#"{"a":"x","b":1}"#);
    let a = &v.as_object().unwrap()[0];
    assert_eq!((a.key_span, a.value.span), (sp(2), sp(7)));
    assert_eq!(
        error("zipmap", vec![strs(&["a"]), list(vec![])]),
        "number of keys (1) does not match number of values (0)"
    );
}

#[test]
fn set_operations() {
    assert_eq!(json("setunion", vec![strs(&["b", "a"]), strs(&["c", "a"])]), r#"["a","b","c"]"#);
    assert_eq!(json("setintersection", vec![strs(&["a", "b", "c"]), strs(&["c", "b"])]), r#"["b","c"]"#);
    assert_eq!(json("setsubtract", vec![strs(&["a", "b", "c"]), strs(&["b"])]), r#"["a","c"]"#);
    assert!(run("setintersection", vec![strs(&["a"]), list(vec![var("var.x")])]).unknown_part().is_some());
    assert_eq!(
        run("setunion", vec![strs(&["a"]), list(vec![var("var.x")])]).to_json(),
        r#"["a","{{var.x}}"]"#
    );
}

#[test]
fn one_of_zero_or_one() {
    assert!(run("one", vec![list(vec![])]).is_null());
    let v = run("one", vec![strs(&["only"])]);
    assert_eq!((v.as_str(), v.span), (Some("only"), sp(1)));
    assert_eq!(
        error("one", vec![strs(&["a", "b"])]),
        "must be a list, set, or tuple value with either zero or one elements"
    );
}

// ---- numbers ----

#[test]
fn range_as_terraform_counts() {
    assert_eq!(json("range", vec![n(3.0)]), "[0,1,2]");
    assert_eq!(json("range", vec![n(-3.0)]), "[0,-1,-2]");
    assert_eq!(json("range", vec![n(1.0), n(4.0)]), "[1,2,3]");
    assert_eq!(json("range", vec![n(4.0), n(1.0)]), "[4,3,2]");
    assert_eq!(json("range", vec![n(0.0), n(1.0), n(0.25)]), "[0,0.25,0.5,0.75]");
    assert_eq!(error("range", vec![n(0.0), n(1.0), n(0.0)]), "step must not be zero");
    assert_eq!(
        error("range", vec![n(1.0), n(0.0), n(1.0)]),
        "end must be greater than start when step is positive"
    );
    assert!(error("range", vec![n(1e9)]).starts_with("more than 1024 values were generated"));
}

#[test]
fn arithmetic() {
    assert_eq!(run("sum", vec![list(vec![n(1.0), s("2", 1), n(3.5)])]).kind, Val::Number(6.5));
    assert_eq!(error("sum", vec![list(vec![])]), "cannot sum an empty list");
    assert_eq!(run("min", vec![n(3.0), n(-1.0), n(2.0)]).kind, Val::Number(-1.0));
    assert_eq!(run("max", vec![n(3.0), s("7", 1)]).kind, Val::Number(7.0));
    assert_eq!(error("max", vec![]), "must pass at least one number");
    assert_eq!(run("abs", vec![n(-2.5)]).kind, Val::Number(2.5));
    assert_eq!(run("ceil", vec![n(1.2)]).kind, Val::Number(2.0));
    assert_eq!(run("floor", vec![n(-1.2)]).kind, Val::Number(-2.0));
    assert_eq!(run("parseint", vec![s("FF", 1), n(16.0)]).kind, Val::Number(255.0));
    assert_eq!(run("parseint", vec![s("-101", 1), n(2.0)]).kind, Val::Number(-5.0));
    assert_eq!(error("parseint", vec![s("12", 1), n(2.0)]), "cannot parse \"12\" as a base 2 integer");
    assert_eq!(
        error("parseint", vec![s("1", 1), n(1.0)]),
        "base must be a whole number between 2 and 62 inclusive"
    );
}

// ---- encoding, files, paths ----

#[test]
fn jsonencode_keeps_places_and_jsondecode_gives_them_back() {
    let doc = obj(vec![("Principal", s("*", 5))]);
    let enc = run("jsonencode", vec![doc]);
    assert_eq!(enc.span, AT);
    assert_eq!(enc.as_text().as_deref(), Some(r#"{"Principal":"*"}"#));
    let dec = run("jsondecode", vec![enc]);
    assert_eq!(dec.get("Principal").unwrap().span, sp(5));
    // Decoded from a string: placed at the call.
    let parsed = run("jsondecode", vec![s(r#"{"b":[1,true,null],"a":"x"}"#, 3)]);
    assert_eq!(parsed.to_json(), r#"{"a":"x","b":[1,true,null]}"#);
    assert_eq!(parsed.get("a").unwrap().span, AT);
    assert!(error("jsondecode", vec![s("{", 3)]).starts_with("invalid JSON"));
    assert_eq!(unknown("jsondecode", vec![s(r#"{"a": {{var.x}}}"#, 3)]).1, Why::Input);
    assert!(run("jsonencode", vec![var("var.policy")]).unknown_part().is_some());
}

#[test]
fn base64_both_ways() {
    assert_eq!(text("base64encode", vec![s("Hello World", 1)]), "SGVsbG8gV29ybGQ=");
    assert_eq!(text("base64encode", vec![s("ab", 1)]), "YWI=");
    assert_eq!(text("base64decode", vec![s("SGVsbG8gV29ybGQ=", 1)]), "Hello World");
    assert_eq!(error("base64decode", vec![s("SGVsbG8=x", 1)]), "failed to decode base64 data");
    assert_eq!(
        error("base64decode", vec![s("/w==", 1)]),
        "the result of decoding the provided string is not valid UTF-8"
    );
}

#[test]
fn files_through_the_host() {
    assert_eq!(text("file", vec![s("trust.json", 1)]), r#"{"Principal":{"AWS":"*"}}"#);
    assert_eq!(error("file", vec![s("missing.json", 1)]), "no file exists at missing.json");
    assert!(run("file", vec![s("{{path.root}}/x", 1)]).unknown_part().is_some());
    assert_eq!(run("fileexists", vec![s("trust.json", 1)]).kind, Val::Bool(true));
    assert_eq!(run("fileexists", vec![s("nope", 1)]).kind, Val::Bool(false));
    let t = run("templatefile", vec![s("trust.json.tpl", 1), obj(vec![("principal", s("*", 4))])]);
    assert_eq!((t.as_str(), t.span), (Some(r#"{"Principal":{"AWS":"*"}}"#), AT));
    assert_eq!(
        error("templatefile", vec![s("trust.json.tpl", 1), s("x", 2)]),
        "invalid vars value: must be a map"
    );
    assert!(run("templatefile", vec![s("trust.json.tpl", 1), var("var.vars")]).unknown_part().is_some());
}

#[test]
fn paths_as_strings() {
    assert_eq!(text("dirname", vec![s("foo/bar/baz.txt", 1)]), "foo/bar");
    assert_eq!(text("dirname", vec![s("baz.txt", 1)]), ".");
    assert_eq!(text("dirname", vec![s("/baz.txt", 1)]), "/");
    assert_eq!(text("dirname", vec![s("{{path.module}}/trust.json", 1)]), "{{path.module}}");
    assert_eq!(text("basename", vec![s("foo/bar/baz.txt", 1)]), "baz.txt");
    assert_eq!(text("basename", vec![s("foo/bar/", 1)]), "bar");
    assert_eq!(text("abspath", vec![s("./a//b/../c", 1)]), "a/c");
    assert_eq!(text("abspath", vec![s("/a/../../b", 1)]), "/b");
}

#[test]
fn what_only_a_run_knows() {
    for (name, args) in [
        ("uuid", vec![]),
        ("timestamp", vec![]),
        ("sha256", vec![s("x", 1)]),
        ("pathexpand", vec![s("~/x", 1)]),
    ] {
        assert_eq!(unknown(name, args).1, Why::Input, "{name}");
    }
    assert!(matches!(unknown("regex", vec![s("[a-z]+", 1), s("abc", 2)]).1, Why::Unresolved(_)));
}

// ---- the budget ----

#[test]
fn doubling_a_list_stops_at_the_budget() {
    let host = TestHost::new();
    let mut l = strs(&["arn:aws:iam::111122223333:root"]);
    let mut stopped = false;
    for _ in 0..40 {
        l = run_on(&host, "concat", vec![l.clone(), l]);
        if over_budget(&l) {
            stopped = true;
            break;
        }
    }
    assert!(stopped, "the list kept growing");
}

#[test]
fn growth_is_refused_before_it_is_built() {
    let host = TestHost::new();
    assert!(over_budget(&run_on(&host, "format", vec![s("%1000000000d", 1), n(1.0)])));
    assert!(over_budget(&run_on(&host, "format", vec![s("%.1000000000f", 1), n(1.0)])));
    let big = s(&"x".repeat(1 << 19), 1);
    assert!(over_budget(&run_on(&host, "replace", vec![big.clone(), s("x", 2), s("yyyy", 3)])));
    let many = list(vec![big.clone(); 4]);
    assert!(over_budget(&run_on(&host, "join", vec![s(",", 1), many.clone()])));
    assert!(over_budget(&run_on(&host, "formatlist", vec![s("%s", 1), many])));
    // Nested encoding doubles its escapes at each level.
    let mut v = s("\"", 1);
    for _ in 0..60 {
        v = run_on(&host, "jsonencode", vec![v]);
        if over_budget(&v) {
            break;
        }
    }
    assert!(over_budget(&v));
}

#[test]
fn a_spent_budget_refuses_what_is_built() {
    let host = TestHost::with_budget(Budget::new(10, 100));
    assert!(over_budget(&run_on(&host, "upper", vec![s("abcdefghijklmnop", 1)])));
    assert!(over_budget(&run_on(&host, "range", vec![n(5.0)])));
}

#[test]
fn join_of_one_encoded_document_is_the_document() {
    let doc = Value::new(Val::Encoded(Box::new(strs(&["a"]))), Span::new(7, 9));
    let v = run("join", vec![s("", 1), list(vec![doc.clone()])]);
    assert_eq!(v, doc);
    // With something beside it, the text, at the call.
    let v = run("join", vec![s("", 1), list(vec![doc, s("b", 2)])]);
    assert_eq!((v.to_json(), v.span), (r#""[\"a\"]b""#.to_owned(), AT));
}
