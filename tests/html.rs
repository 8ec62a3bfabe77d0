//! `trustlint check --format html`: one self-contained page (nothing
//! fetched), the same bytes from run to run whatever the thread count,
//! hostile names escaped, and the graph degraded to one box per account
//! past the size it can draw.

mod common;

use common::{Scratch, bin, trustlint};

use std::process::Command;

const DEMO: &str = "fixtures/demo";

fn html(args: &[&str]) -> String {
    let out = trustlint(args);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("the report is UTF-8")
}

fn demo() -> String {
    html(&["check", DEMO, "--no-config", "--format", "html"])
}

/// The values of every `attr="…"` in the page.
fn attribute_values<'a>(page: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    page.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &page[i + needle.len()..];
            &rest[..rest.find('"').expect("attribute values are closed")]
        })
        .collect()
}

/// The text of the `<script>` element with this id.
fn script<'a>(page: &'a str, id: &str) -> &'a str {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = page.find(&open).expect("the data script is there") + open.len();
    &page[start..start + page[start..].find("</script>").expect("the script is closed")]
}

#[test]
fn self_contained() {
    let page = demo();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains(" src="), "nothing is loaded from elsewhere");
    for href in attribute_values(&page, "href") {
        assert!(href.starts_with('#'), "a link out of the page: {href}");
    }
    for forbidden in
        ["<link", "@import", "url(http", "fetch(", "XMLHttpRequest", "<iframe", "import(", "WebSocket"]
    {
        assert!(!page.contains(forbidden), "{forbidden}");
    }
    for url in page.match_indices("url(").map(|(i, _)| &page[i..i + 5]) {
        assert_eq!(url, "url(#", "only references inside the page");
    }
}

#[test]
fn holds_the_summary_graph_findings_and_chains() {
    let page = demo();
    let json: serde_json::Value =
        serde_json::from_slice(&trustlint(&["check", DEMO, "--no-config", "--format", "json"]).stdout)
            .unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert_eq!(page.matches("<tr class=\"finding\"").count(), findings.len());
    for f in findings {
        let rule = f["rule"].as_str().unwrap();
        assert!(page.contains(&format!("data-rule=\"{rule}\"")), "{rule}");
        assert!(page.contains(&format!("id=\"doc-{rule}\"")), "the documentation of {rule}");
        if let Some(subject) = f["subject"].as_str() {
            assert!(page.contains(&format!(">{subject}<")), "{subject}");
        }
        let place = format!("{}:{}:{}", f["file"].as_str().unwrap(), f["line"], f["column"]);
        assert!(page.contains(&place), "{place}");
    }
    assert!(page.contains("<svg id=\"graph\""));
    assert!(page.contains("class=\"legend\""));
    assert!(page.contains("<h3>What it does</h3>") && page.contains("<h3>Why is this bad?</h3>"));
    assert!(page.contains("<pre class=\"snippet\"><code>") && page.contains("<mark>"));
    assert!(page.contains("class=\"edge finding\""), "edges of findings are highlighted");

    // The chains: who can reach the demo's administrator role, hop by hop.
    let data: serde_json::Value = serde_json::from_str(script(&page, "reach-data")).unwrap();
    let nodes = data["nodes"].as_object().unwrap();
    let admin = nodes
        .iter()
        .find(|(_, n)| n["l"].as_str().unwrap().ends_with(":role/platform-admin"))
        .map(|(id, _)| id.clone())
        .expect("the admin role is in the data");
    let reach = &data["reach"][&admin];
    assert!(reach["to_total"].as_u64().unwrap() >= 1, "{reach}");
    let hops = data["hops"].as_array().unwrap();
    let first = &reach["to"][0];
    let last = &hops[usize::try_from(first.as_array().unwrap().last().unwrap().as_u64().unwrap()).unwrap()];
    assert_eq!(last["t"].to_string(), admin);
    assert!(last["trust"].as_str().unwrap().contains(".json:"), "each hop names its statement: {last}");
}

#[test]
fn output_file_and_stdout_agree() {
    let dir = Scratch::new("html-output-file");
    let path = dir.0.join("audit.html");
    let out = trustlint(&[
        "check",
        DEMO,
        "--no-config",
        "--format",
        "html",
        "--output-file",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), demo());
}

#[test]
fn deterministic() {
    let run = |threads: &str| {
        let out = Command::new(bin())
            .args(["check", DEMO, "fixtures/graph", "--no-config", "--format", "html"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        out.stdout
    };
    let one = run("1");
    assert!(one.len() > 10_000);
    assert!(one == run("2"), "one thread and two give different reports");
    assert!(one == run("2"), "two runs give different reports");
}

/// A GAAD export with one role of this name.
fn export_with_role(name: &str) -> String {
    let role = serde_json::json!({
        "Path": "/", "RoleName": name, "RoleId": "AROAHOSTILEQQQQQEXAMP",
        "Arn": format!("arn:aws:iam::111122223333:role/{name}"),
        "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "</script><script>alert(2)</script>", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]},
        "InstanceProfileList": [], "Tags": [], "RoleLastUsed": {},
        "RolePolicyList": [], "AttachedManagedPolicies": []
    });
    serde_json::json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [role], "Policies": []})
        .to_string()
}

#[test]
fn hostile_names_are_escaped() {
    let dir = Scratch::new("html-hostile");
    let name = "x</script><img src=x onerror=alert(1)>&amp;\u{2028}\u{2029}'\"<!--";
    let file = dir.0.join("<b>bold&.json");
    std::fs::write(&file, export_with_role(name)).unwrap();
    let page = html(&["check", file.to_str().unwrap(), "--no-config", "--format", "html"]);
    assert_eq!(page.matches("<script").count(), 2, "only the page's own scripts");
    assert_eq!(page.matches("</script>").count(), 2);
    assert!(!page.contains("<img") && !page.contains("<b>bold") && !page.contains("<!--"));
    assert!(!page.contains('\u{2028}') && !page.contains('\u{2029}'));
    assert!(page.contains("x&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;"), "shown as text");
    assert!(page.contains("&lt;b&gt;bold&amp;.json"));
    // The data keeps the name as it is once parsed.
    let data = script(&page, "reach-data");
    assert!(!data.contains('<') && !data.contains('>') && !data.contains('&'));
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    let labels: Vec<&str> =
        data["nodes"].as_object().unwrap().values().map(|n| n["l"].as_str().unwrap()).collect();
    assert!(labels.contains(&format!("arn:aws:iam::111122223333:role/{name}").as_str()), "{labels:?}");
}

/// A GAAD export of `n` users and `n` roles in one account, each user
/// allowed to assume `*`, each role trusting the account.
fn wide_export(n: usize) -> String {
    let assume_any = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]});
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]});
    let users: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({
            "Path": "/", "UserName": format!("user-{i}"), "UserId": format!("AIDA{i:016}"),
            "Arn": format!("arn:aws:iam::111111111111:user/user-{i}"), "GroupList": [],
            "AttachedManagedPolicies": [], "Tags": [],
            "UserPolicyList": [{"PolicyName": "assume-any", "PolicyDocument": assume_any}]})
        })
        .collect();
    let roles: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({
            "Path": "/", "RoleName": format!("role-{i}"), "RoleId": format!("AROA{i:016}"),
            "Arn": format!("arn:aws:iam::111111111111:role/role-{i}"),
            "AssumeRolePolicyDocument": trust, "InstanceProfileList": [], "Tags": [],
            "RolePolicyList": [], "AttachedManagedPolicies": []})
        })
        .collect();
    serde_json::json!({"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": []}).to_string()
}

#[test]
fn past_two_thousand_nodes_accounts_collapse() {
    let dir = Scratch::new("html-wide");
    let file = dir.0.join("gaad.json");
    std::fs::write(&file, wide_export(1100)).unwrap();
    let page = html(&["check", file.to_str().unwrap(), "--no-config", "--format", "html"]);
    assert!(page.contains("too many to draw one by one"));
    assert!(page.contains("class=\"node group-box\""));
    assert!(!page.contains("class=\"node kind-role"), "no role drawn on its own");
    let data: serde_json::Value = serde_json::from_str(script(&page, "reach-data")).unwrap();
    // The chain view stays, with the nearest chains of each principal.
    assert_eq!(data["reach"].as_object().unwrap().len(), 2000);
    assert_eq!(data["limited"], 200);
    let role = data["nodes"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, n)| n["l"] == "arn:aws:iam::111111111111:role/role-7")
        .map(|(id, _)| id.clone())
        .unwrap();
    assert_eq!(data["reach"][&role]["to_total"], 1100);
    assert_eq!(
        data["reach"][&role]["to"].as_array().unwrap().len(),
        usize::try_from(data["max_chains"].as_u64().unwrap()).unwrap()
    );
}

/// Chromium, when it is installed (`CHROMIUM` names another binary).
fn chromium() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(p.into());
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// The DOM of `url` after its scripts ran, as headless Chromium prints it.
fn dump_dom(browser: &std::path::Path, profile: &std::path::Path, url: &str) -> String {
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--virtual-time-budget=5000"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", url])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromium starts");
    // Read while it runs: the DOM is larger than a pipe holds.
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut dom = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut dom).expect("the DOM is UTF-8");
        dom
    });
    let started = std::time::Instant::now();
    while child.try_wait().expect("chromium can be waited for").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    reader.join().expect("the reader thread")
}

/// The opening tags of the findings table's rows.
fn finding_rows(dom: &str) -> Vec<&str> {
    dom.match_indices("<tr class=\"finding\"")
        .map(|(i, _)| &dom[i..i + dom[i..].find('>').unwrap()])
        .collect()
}

#[test]
fn in_a_browser() {
    let Some(browser) = chromium() else {
        println!(
            "SKIPPED in_a_browser: Chromium is not installed (apt-get install -y chromium, or set CHROMIUM)"
        );
        return;
    };
    let dir = Scratch::new("html-browser");
    let page_path = dir.0.join("audit.html");
    let page = demo();
    std::fs::write(&page_path, &page).unwrap();
    let data: serde_json::Value = serde_json::from_str(script(&page, "reach-data")).unwrap();
    let admin = data["nodes"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, n)| n["l"].as_str().unwrap().ends_with(":role/platform-admin"))
        .map(|(id, _)| id.clone())
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&trustlint(&["check", DEMO, "--no-config", "--format", "json"]).stdout)
            .unwrap();
    let findings = json["findings"].as_array().unwrap();
    let url = format!("file://{}", page_path.display());

    // Unfiltered: the graph, and every finding's rule and subject.
    let dom = dump_dom(&browser, &dir.0.join("profile-1"), &url);
    assert!(dom.contains("<svg id=\"graph\""), "no graph in the DOM");
    assert!(dom.contains("class=\"node kind-role"), "no role drawn");
    assert!(dom.contains("class=\"edge finding\""));
    let rows = finding_rows(&dom);
    assert_eq!(rows.len(), findings.len());
    assert!(rows.iter().all(|r| !r.contains("hidden")), "no filter, no hidden row");
    for f in findings {
        let rule = f["rule"].as_str().unwrap();
        assert!(dom.contains(&format!("data-rule=\"{rule}\"")), "{rule}");
        if let Some(subject) = f["subject"].as_str() {
            assert!(dom.contains(&format!(">{subject}<")), "{subject}");
        }
    }
    assert!(dom.contains("<li data-n="), "the script filled the principal list");

    // Filtered by a rule from the fragment, with a role's chains open.
    let rule = "wildcard-principal";
    let dom = dump_dom(&browser, &dir.0.join("profile-2"), &format!("{url}#rule={rule}&node={admin}"));
    let rows = finding_rows(&dom);
    assert_eq!(rows.len(), findings.len());
    let wanted = findings.iter().filter(|f| f["rule"] == rule).count();
    assert!(wanted > 0 && wanted < findings.len());
    for r in &rows {
        let theirs = r.contains(&format!("data-rule=\"{rule}\""));
        assert_eq!(!r.contains("hidden"), theirs, "{r}");
    }
    assert!(dom.contains(&format!("<span id=\"shown\">{wanted} of {}</span>", findings.len())));
    assert!(dom.contains("Who can reach it"), "the chain view of the admin role");
    assert!(dom.contains("<div class=\"chain\">"));
    let tag = format!("data-n=\"{admin}\" transform=");
    let at = dom.find(&tag).expect("the admin role is drawn");
    let open = &dom[dom[..at].rfind("<g ").unwrap()..at];
    assert!(
        open.contains(" selected") && open.contains(" on"),
        "the role is picked out in the graph: {open}"
    );
}
