//! The assume-role graph end to end: built through the library from the
//! scenarios in `fixtures/graph/` (who can assume what, on both sides of each
//! hop), rendered by `trustlint graph` and `trustlint paths` (snapshots), and
//! at scale.

mod common;

use common::{Scratch, trustlint};

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use trustlint::analysis::Analysis;
use trustlint::eval::Env;
use trustlint::graph::{Chain, NodeId, NodeKind, Requirement, TrustGraph};
use trustlint::settings::Settings;

const TWO_ACCOUNTS: &str = "fixtures/graph/two-accounts";

/// A scenario: its analysis and the graph built from it.
struct Scenario {
    analysis: Analysis,
    graph: TrustGraph,
}

impl Scenario {
    /// Reads `dir` with the default settings and builds its graph.
    fn load(dir: &str) -> Self {
        Self::load_with(&Settings { paths: vec![dir.to_owned()], ..Settings::default() })
    }

    fn load_with(settings: &Settings) -> Self {
        let analysis = trustlint::analyze_paths(settings).expect("the fixture paths exist");
        assert!(analysis.errors.is_empty(), "{:?}", analysis.errors);
        let graph = TrustGraph::build(&analysis.inventory, &analysis.files, settings);
        Self { analysis, graph }
    }

    fn env(&self) -> Env {
        Env {
            trusted_accounts: std::sync::Arc::clone(&self.analysis.inventory.accounts),
            org_id: None,
            role_account: None,
        }
    }

    /// The one user or role called `name` (a name or an ARN).
    fn node(&self, name: &str) -> NodeId {
        match self.graph.find(name).as_slice() {
            [one] => *one,
            other => panic!("`{name}` matches {} principals, not one", other.len()),
        }
    }

    /// A node's label without the `arn:aws:iam::` prefix:
    /// `111122223333:user/alice`, `account 999988887777`.
    fn short(&self, n: NodeId) -> String {
        let label = self.graph.label(n);
        label.strip_prefix("arn:aws:iam::").map_or(label.clone(), str::to_owned)
    }

    fn chains_to(&self, role: &str) -> Vec<Chain> {
        self.graph.chains_to(&self.analysis.inventory, &self.env(), self.node(role))
    }

    fn chains_from(&self, principal: &str) -> Vec<Chain> {
        self.graph.chains_from(&self.analysis.inventory, &self.env(), self.node(principal))
    }

    /// Everything that can reach `role`, by short label, sorted.
    fn callers(&self, role: &str) -> Vec<String> {
        let mut v: Vec<String> = self.chains_to(role).iter().map(|c| self.short(c.source())).collect();
        v.sort();
        v
    }

    /// Everything `principal` can reach, by short label, sorted.
    fn reachable(&self, principal: &str) -> Vec<String> {
        let mut v: Vec<String> = self.chains_from(principal).iter().map(|c| self.short(c.target())).collect();
        v.sort();
        v
    }

    /// The chain from `from` into `role` (`from` by short label).
    fn chain(&self, from: &str, role: &str) -> Chain {
        self.chains_to(role)
            .into_iter()
            .find(|c| self.short(c.source()) == from)
            .unwrap_or_else(|| panic!("no chain from `{from}` to `{role}`"))
    }

    /// `file:line:column pointer` of an origin.
    fn place(&self, o: Option<&trustlint::graph::Origin>) -> String {
        let Some(o) = o else { return "-".to_owned() };
        let file = &self.analysis.files[o.file];
        let at = file.line_col(o.span.start);
        format!("{}:{}:{} {}", file.name, at.line, at.column, o.pointer)
    }

    /// The sources outside your accounts of chains into `role`.
    fn reachable_from_outside(&self, role: &str) -> Vec<String> {
        self.chains_to(role)
            .iter()
            .filter(|c| self.graph.node(c.source()).outside)
            .map(|c| self.short(c.source()))
            .collect()
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// Runs trustlint with `--no-config`, expects success, returns stdout.
fn run(args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.push("--no-config");
    let o = trustlint(&all);
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "trustlint {all:?}\nstdout:\n{out}\nstderr:\n{err}");
    assert!(err.is_empty(), "trustlint {all:?} wrote to stderr:\n{err}");
    out.into_owned()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

/// Every scenario directory under `fixtures/graph`, as relative paths.
fn scenario_dirs() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/graph");
    let mut dirs: Vec<String> = std::fs::read_dir(&root)
        .expect("fixtures/graph exists")
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_type()
                .ok()?
                .is_dir()
                .then(|| format!("fixtures/graph/{}", e.file_name().to_string_lossy()))
        })
        .collect();
    dirs.sort();
    assert!(dirs.len() > 10, "the scenarios are missing: {dirs:?}");
    dirs
}

// ---------------------------------------------------------------------------
// The library: who can assume what.

#[test]
fn two_accounts_who_can_reach_admin() {
    let s = Scenario::load(TWO_ACCOUNTS);
    let admin = "arn:aws:iam::222222222222:role/admin";
    assert_eq!(
        s.callers(admin),
        strings(&[
            "111111111111:role/vendor-ci",
            "111111111111:user/alice",
            "222222222222:role/deploy",
            "account 999988887777",
        ])
    );
    // The vendor's account reaches admin in three hops, through two roles.
    let chain = s.chain("account 999988887777", admin);
    let route: Vec<String> =
        std::iter::once(chain.source()).chain(chain.hops.iter().map(|h| h.to)).map(|n| s.short(n)).collect();
    assert_eq!(
        route,
        strings(&[
            "account 999988887777",
            "111111111111:role/vendor-ci",
            "222222222222:role/deploy",
            "222222222222:role/admin",
        ])
    );
    // The first hop has no identity side (the caller is outside); the others do.
    assert!(chain.hops[0].identity.is_none());
    assert!(chain.hops[1..].iter().all(|h| h.identity.is_some() && h.trust.is_some()));
    assert_eq!(s.reachable_from_outside(admin), strings(&["account 999988887777"]));
    // bob has no sts:AssumeRole permission at all.
    assert!(s.reachable("bob").is_empty());
    assert_eq!(s.reachable("alice"), strings(&["222222222222:role/admin", "222222222222:role/deploy"]));
}

#[test]
fn find_by_name_arn_and_not_at_all() {
    let s = Scenario::load(TWO_ACCOUNTS);
    let by_name = s.graph.find("admin");
    let by_arn = s.graph.find("arn:aws:iam::222222222222:role/admin");
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name, by_arn);
    assert_eq!(s.graph.node(by_name[0]).kind, NodeKind::Role);
    assert_eq!(s.graph.node(s.node("alice")).kind, NodeKind::User);
    assert!(s.graph.find("nobody").is_empty());
    assert!(s.graph.find("").is_empty());
}

#[test]
fn trust_naming_a_principal_of_the_same_account_needs_no_identity_allow() {
    let s = Scenario::load("fixtures/graph/same-account-arn");
    // Neither alice nor worker has an identity policy.
    assert_eq!(
        s.callers("target"),
        strings(&["111122223333:role/worker", "111122223333:user/alice", "service ec2.amazonaws.com"])
    );
    let hop = &s.chain("111122223333:user/alice", "target").hops[0];
    assert!(hop.identity.is_none());
    assert_eq!(
        s.place(hop.trust.as_ref()),
        "fixtures/graph/same-account-arn/account-111122223333.json:29:17 /Statement/0/Principal/AWS/0"
    );
}

#[test]
fn trust_naming_the_account_needs_an_identity_allow() {
    let s = Scenario::load("fixtures/graph/same-account-root");
    assert_eq!(s.callers("target"), strings(&["111122223333:user/alice"]));
    assert!(s.reachable("bob").is_empty());
    let hop = &s.chain("111122223333:user/alice", "target").hops[0];
    assert_eq!(
        s.place(hop.identity.as_ref()),
        "fixtures/graph/same-account-root/account-111122223333.json:19:29 /Statement/0/Resource"
    );
}

#[test]
fn across_accounts_both_sides_must_allow() {
    let s = Scenario::load("fixtures/graph/cross-account-both-sides");
    // dave is named by the trust policy but has no identity allow.
    assert_eq!(s.callers("target"), strings(&["444455556666:user/carol"]));
    assert_eq!(s.callers("by-account"), strings(&["444455556666:user/carol", "444455556666:user/erin"]));
    assert!(s.reachable("dave").is_empty());
    assert_eq!(
        s.reachable("erin"),
        strings(&["111122223333:role/by-account"]),
        "erin may assume by-account only"
    );
    // Nothing here is outside: both accounts are in the data.
    assert!(s.reachable_from_outside("target").is_empty());
    assert!(s.reachable_from_outside("by-account").is_empty());
}

#[test]
fn an_unconditional_deny_in_identity_policies_removes_the_hop() {
    let s = Scenario::load("fixtures/graph/deny-in-identity");
    // alice denies `target`; bob's Deny has a condition (MFA), so it may not apply.
    assert_eq!(s.callers("target"), strings(&["111122223333:user/bob"]));
    assert_eq!(s.callers("other"), strings(&["111122223333:user/alice", "111122223333:user/bob"]));
}

#[test]
fn an_explicit_deny_wins_over_a_trust_that_names_the_principal() {
    // IAM: an explicit Deny in any applicable policy overrides every Allow,
    // in the same account too. alice's inline policy denies sts:AssumeRole
    // on `named`, whose trust policy names alice's ARN: no hop alice → named.
    let s = Scenario::load("fixtures/graph/deny-and-a-trust-naming-the-principal");
    assert_eq!(s.callers("named"), Vec::<String>::new());
}

#[test]
fn a_permissions_boundary_without_assume_role_removes_the_hop() {
    let s = Scenario::load("fixtures/graph/permissions-boundary");
    // alice: boundary `s3-only`; bob: boundary allows sts:AssumeRole; carol:
    // boundary not in the export, so it cannot be checked and does not count.
    assert_eq!(s.callers("target"), strings(&["111122223333:user/bob", "111122223333:user/carol"]));
    assert!(s.reachable("alice").is_empty());
}

#[test]
fn a_permissions_boundary_limits_a_trust_that_names_a_role() {
    // IAM: within one account, permissions a resource-based policy grants to
    // a role ARN are limited by the role's permissions boundary. `named`
    // trusts role `worker`, whose boundary `s3-only` has no sts:AssumeRole:
    // no hop worker → named.
    let s = Scenario::load("fixtures/graph/boundary-and-a-trust-naming-the-role");
    assert_eq!(s.callers("named"), Vec::<String>::new());
}

#[test]
fn users_get_permissions_from_their_groups() {
    let s = Scenario::load("fixtures/graph/group-membership");
    // alice through an inline group policy, carol through a managed policy
    // attached to her group; bob is in no group.
    assert_eq!(s.callers("target"), strings(&["111122223333:user/alice", "111122223333:user/carol"]));
    let alice = &s.chain("111122223333:user/alice", "target").hops[0];
    assert_eq!(
        s.place(alice.identity.as_ref()),
        "fixtures/graph/group-membership/account-111122223333.json:54:29 /Statement/0/Resource"
    );
    let carol = &s.chain("111122223333:user/carol", "target").hops[0];
    assert_eq!(
        s.place(carol.identity.as_ref()),
        "fixtures/graph/group-membership/account-111122223333.json:117:29 /Statement/0/Resource"
    );
}

#[test]
fn managed_policies_count_with_their_default_version_only() {
    let s = Scenario::load("fixtures/graph/managed-policy");
    // alice's policy allowed the role in v1, but v2 is the default; carol has
    // AWS managed AdministratorAccess, which the export does not include.
    assert_eq!(s.callers("target"), strings(&["111122223333:user/bob", "111122223333:user/carol"]));
    let carol = &s.chain("111122223333:user/carol", "target").hops[0];
    assert!(carol.identity.is_none(), "AdministratorAccess has no statement in the export to point at");
}

#[test]
fn url_encoded_policies_are_read_with_positions_in_the_file() {
    let s = Scenario::load("fixtures/graph/url-encoded");
    assert_eq!(s.callers("target"), strings(&["111122223333:user/alice"]));
    let hop = &s.chain("111122223333:user/alice", "target").hops[0];
    // Positions inside the encoded strings: at `%22arn%3A…`, the encoded
    // opening quote of the value.
    assert_eq!(
        s.place(hop.trust.as_ref()),
        "fixtures/graph/url-encoded/account-111122223333.json:27:160 /Statement/0/Principal/AWS"
    );
    assert_eq!(
        s.place(hop.identity.as_ref()),
        "fixtures/graph/url-encoded/account-111122223333.json:13:178 /Statement/0/Resource"
    );
    let text = &s.analysis.files[hop.trust.as_ref().unwrap().file].text();
    let line = text.lines().nth(26).unwrap();
    let at: String = line.chars().skip(159).take(9).collect();
    assert_eq!(at, "%22arn%3A");
}

#[test]
fn resource_patterns_match_roles_as_iam_does() {
    let s = Scenario::load("fixtures/graph/wildcard-resource");
    // `arn:aws:iam::444455556666:role/deploy-*`: not `admin`.
    assert_eq!(
        s.reachable("alice"),
        strings(&["444455556666:role/deploy-dev", "444455556666:role/deploy-prod"])
    );
    assert!(s.callers("admin").is_empty());
}

#[test]
fn an_assumed_role_session_in_a_trust_policy_stands_for_its_role() {
    let s = Scenario::load("fixtures/graph/session-principal");
    assert_eq!(s.callers("target"), strings(&["111122223333:role/ci", "service ec2.amazonaws.com"]));
    let chain = s.chain("service ec2.amazonaws.com", "target");
    assert_eq!(chain.hops.len(), 2);
}

#[test]
fn a_session_principal_stands_for_its_role_whatever_the_path() {
    // IAM Identity Center roles live under `/aws-reserved/sso.amazonaws.com/`;
    // their sessions are `assumed-role/NAME/SESSION`, without the path.
    let s = Scenario::load("fixtures/graph/identity-center");
    let sso = "111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef";
    let callers = s.callers("deploy");
    assert_eq!(callers[0], sso);
    // No phantom principal takes the edge.
    assert!(s.graph.nodes.iter().all(|n| n.kind != NodeKind::ExternalPrincipal), "{:?}", s.graph.nodes);
    assert_eq!(s.chain(sso, "deploy").hops.len(), 1);
    // A session ARN finds its role.
    let session =
        "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice";
    assert_eq!(s.node(session), s.node(&format!("arn:aws:iam::{sso}")));
}

#[test]
fn identity_center_of_the_same_account_is_not_outside() {
    // The `AWSSSO_…` SAML provider is the one IAM Identity Center creates in
    // each account of the organization: its users are yours.
    let s = Scenario::load("fixtures/graph/identity-center");
    let callers = s.callers("deploy");
    assert_eq!(
        callers.last().map(String::as_str),
        Some("federated saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE")
    );
    assert!(s.reachable_from_outside("deploy").is_empty());
}

#[test]
fn an_external_id_is_a_requirement_on_the_hop() {
    let s = Scenario::load("fixtures/graph/external-id");
    let vendor = s.chain("account 999988887777", "vendor-access");
    assert_eq!(vendor.hops[0].requires.iter().collect::<Vec<_>>(), [Requirement::ExternalId]);
    assert_eq!(s.graph.node(vendor.source()).kind, NodeKind::ExternalAccount);
    let partner = s.chain("account 888877776666", "partner-access");
    assert!(partner.hops[0].requires.is_empty());
    // Both accounts are outside, external id or not.
    assert_eq!(s.reachable_from_outside("vendor-access"), strings(&["account 999988887777"]));
    assert_eq!(s.reachable_from_outside("partner-access"), strings(&["account 888877776666"]));
}

#[test]
fn mfa_is_a_requirement_on_the_hop() {
    let s = Scenario::load("fixtures/graph/mfa");
    let hop = &s.chain("111122223333:user/alice", "break-glass").hops[0];
    assert_eq!(hop.requires.iter().collect::<Vec<_>>(), [Requirement::Mfa]);
}

#[test]
fn cycles_are_found_and_sorted() {
    let s = Scenario::load("fixtures/graph/cycle");
    let cycles: Vec<Vec<String>> = s
        .graph
        .cycles(&s.analysis.inventory, &s.env())
        .iter()
        .map(|c| c.iter().map(|&n| s.short(n)).collect())
        .collect();
    assert_eq!(
        cycles,
        vec![
            strings(&["111122223333:role/juggler-a", "111122223333:role/juggler-b"]),
            strings(&["111122223333:role/renewer"]),
        ]
    );
    // `plain` is reachable from the cycle but not part of it.
    assert_eq!(s.callers("plain"), strings(&["111122223333:role/juggler-a", "111122223333:role/juggler-b"]));
    let same = Scenario::load("fixtures/graph/same-account-arn");
    assert!(same.graph.cycles(&same.analysis.inventory, &same.env()).is_empty());
}

#[test]
fn a_principal_arn_condition_is_checked_member_by_member() {
    let s = Scenario::load("fixtures/graph/principal-arn-condition");
    assert_eq!(s.callers("target"), strings(&["111122223333:user/alice"]));
    assert!(s.reachable("bob").is_empty());
    let s = Scenario::load("fixtures/graph/principal-arn-chain");
    // x admits only y, y admits only z: z → y → x, and nothing back.
    assert_eq!(s.reachable("z"), strings(&["111122223333:role/x", "111122223333:role/y"]));
    assert!(s.reachable("x").is_empty());
}

#[test]
fn cycles_respect_principal_arn_conditions() {
    // x trusts the account only for y, y only for z; all three may assume
    // `*`. x can assume nothing (see the test above), so there is no cycle.
    let s = Scenario::load("fixtures/graph/principal-arn-chain");
    assert_eq!(s.graph.cycles(&s.analysis.inventory, &s.env()), Vec::<Vec<NodeId>>::new());
}

#[test]
fn an_own_account_without_permitted_callers_is_not_outside() {
    // `iam-admin` trusts its own account's root; nobody in the account has
    // sts:AssumeRole permission. Nobody can reach it, least of all someone
    // outside: the account is not an outside source.
    let s = Scenario::load("fixtures/graph/own-account-no-caller");
    assert_eq!(s.reachable_from_outside("iam-admin"), Vec::<String>::new());
}

#[test]
fn a_trusted_account_is_not_outside() {
    let settings = Settings {
        paths: vec!["fixtures/graph/external-id".into()],
        trusted_accounts: BTreeSet::from(["888877776666".to_owned()]),
        ..Settings::default()
    };
    let s = Scenario::load_with(&settings);
    assert_eq!(s.reachable_from_outside("partner-access"), Vec::<String>::new());
}

#[test]
fn a_star_pinned_to_an_outside_account_is_reachable_from_it() {
    // `{"AWS": "*"}` with `aws:PrincipalAccount` = 999988887777: principals
    // of that account can assume `iam-admin` (missing-external-id says so),
    // so the graph has an edge from that account into the role.
    let s = Scenario::load("fixtures/graph/star-pinned-to-an-account");
    assert_eq!(s.reachable_from_outside("iam-admin"), strings(&["account 999988887777"]));
}

#[test]
fn a_role_in_two_exports_is_one_principal() {
    // `scheduler` may assume `reporting` (its inline policy, in the
    // authorization details); `reporting` trusts its account. The list-roles
    // export adds MaxSessionDuration. One `reporting`, reachable from
    // `scheduler` (and, through it, from the service that assumes it), not
    // from an outside `account 111122223333`.
    let s = Scenario::load("fixtures/graph/gaad-and-list-roles");
    assert_eq!(s.graph.find("reporting").len(), 1);
    assert_eq!(
        s.callers("arn:aws:iam::111122223333:role/reporting"),
        strings(&["111122223333:role/scheduler", "service lambda.amazonaws.com"])
    );
}

// ---------------------------------------------------------------------------
// The commands.

#[test]
fn graph_dot() {
    insta::assert_snapshot!("two_accounts_dot", run(&["graph", TWO_ACCOUNTS, "--format", "dot"]));
}

#[test]
fn graph_mermaid() {
    insta::assert_snapshot!("two_accounts_mermaid", run(&["graph", TWO_ACCOUNTS, "--format", "mermaid"]));
}

#[test]
fn graph_json() {
    let out = run(&["graph", TWO_ACCOUNTS, "--format", "json"]);
    insta::assert_snapshot!("two_accounts_json", out);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["version"], 1);
    let nodes = v["nodes"].as_array().unwrap();
    for (i, n) in nodes.iter().enumerate() {
        assert_eq!(n["id"], i, "node ids are their positions");
    }
    for e in v["edges"].as_array().unwrap() {
        for end in ["from", "to"] {
            let id = usize::try_from(e[end].as_u64().unwrap()).unwrap();
            assert!(id < nodes.len(), "edge end {id} is a node");
        }
    }
}

#[test]
fn paths_to_text_and_json() {
    insta::assert_snapshot!("two_accounts_paths_to_admin", run(&["paths", TWO_ACCOUNTS, "--to", "admin"]));
    let out = run(&["paths", TWO_ACCOUNTS, "--to", "admin", "--format", "json"]);
    insta::assert_snapshot!("two_accounts_paths_to_admin_json", out);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let outside: Vec<&str> = v["chains"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outside"] == true)
        .map(|c| c["principal"].as_str().unwrap())
        .collect();
    assert_eq!(outside, ["account 999988887777"]);
}

#[test]
fn paths_from_text_and_json() {
    insta::assert_snapshot!(
        "two_accounts_paths_from_alice",
        run(&["paths", TWO_ACCOUNTS, "--from", "alice"])
    );
    insta::assert_snapshot!(
        "two_accounts_paths_from_alice_json",
        run(&["paths", TWO_ACCOUNTS, "--from", "alice", "--format", "json"])
    );
}

#[test]
fn paths_when_nothing_is_reachable() {
    assert_eq!(
        run(&["paths", TWO_ACCOUNTS, "--from", "bob"]),
        "Nothing is reachable from `arn:aws:iam::111111111111:user/bob`.\n"
    );
    let v = json(&["paths", TWO_ACCOUNTS, "--from", "bob", "--format", "json"]);
    assert_eq!(v["chains"], serde_json::json!([]));
    assert_eq!(v["from"], "arn:aws:iam::111111111111:user/bob");
}

#[test]
fn paths_to_a_role_that_trusts_its_account_says_so() {
    // `iam-admin` trusts `arn:aws:iam::111122223333:root`; no user or role of
    // the account may call `sts:AssumeRole` today, but any principal its
    // admins allow may: that is not "nothing".
    let dir = "fixtures/graph/own-account-no-caller";
    let out = run(&["paths", dir, "--to", "iam-admin"]);
    assert!(!out.contains("Nothing can reach"), "{out}");
    assert!(
        out.starts_with(
            "No user or role in the data can reach `arn:aws:iam::111122223333:role/iam-admin` today."
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "principals of account 111122223333 that its identity policies allow  [account-wide trust]"
        ),
        "{out}"
    );
    let v = json(&["paths", dir, "--to", "iam-admin", "--format", "json"]);
    assert_eq!(v["account_trust"][0]["account"], "111122223333");
    assert_eq!(v["account_trust"][0]["trust"]["pointer"], "/Statement/0/Principal/AWS");
}

#[test]
fn paths_usage_errors() {
    let o = trustlint(&["paths", TWO_ACCOUNTS, "--to", "nobody", "--no-config"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no user or role `nobody` in the inputs"), "stderr: {err}");

    let o = trustlint(&["paths", TWO_ACCOUNTS, "--no-config"]);
    assert_eq!(o.status.code(), Some(2), "neither --to nor --from");

    let o = trustlint(&["paths", TWO_ACCOUNTS, "--to", "admin", "--from", "alice", "--no-config"]);
    assert_eq!(o.status.code(), Some(2), "both --to and --from");
}

#[test]
fn scenarios_render() {
    let mut out = String::new();
    for dir in scenario_dirs() {
        let name = dir.rsplit('/').next().unwrap_or_default();
        if name == "two-accounts" {
            continue;
        }
        let _ = writeln!(out, "===== {dir}\n{}", run(&["graph", &dir, "--format", "mermaid"]));
    }
    insta::assert_snapshot!("scenarios_mermaid", out);
}

#[test]
fn scenario_paths() {
    let cases: [(&str, &[&str]); 10] = [
        ("same-account-arn", &["--to", "target"]),
        ("same-account-root", &["--to", "target"]),
        ("cross-account-both-sides", &["--from", "carol"]),
        ("group-membership", &["--to", "target"]),
        ("managed-policy", &["--to", "target"]),
        ("url-encoded", &["--to", "target"]),
        ("wildcard-resource", &["--from", "alice"]),
        ("session-principal", &["--to", "target"]),
        ("external-id", &["--to", "vendor-access"]),
        ("mfa", &["--to", "break-glass"]),
    ];
    let mut out = String::new();
    for (dir, args) in cases {
        let dir = format!("fixtures/graph/{dir}");
        let mut all = vec!["paths", dir.as_str()];
        all.extend_from_slice(args);
        let _ = writeln!(out, "===== {}\n{}", all.join(" "), run(&all));
    }
    insta::assert_snapshot!("scenarios_paths", out);
}

#[test]
fn requirements_and_risk_in_the_rendered_graph() {
    let dir = "fixtures/graph/external-id";
    insta::assert_snapshot!("external_id_dot", run(&["graph", dir, "--format", "dot"]));
    let v = json(&["graph", dir, "--format", "json"]);
    let edges: Vec<(bool, Vec<&str>)> = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| v["nodes"][usize::try_from(e["from"].as_u64().unwrap()).unwrap()]["kind"] == "account")
        .map(|e| {
            let requires = e["requires"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
            (e["risky"].as_bool().unwrap(), requires)
        })
        .collect();
    // An outside account is drawn as a risk unless it needs an external id.
    assert_eq!(edges, vec![(false, vec!["external-id"]), (true, vec![])]);
    let mermaid = run(&["graph", "fixtures/graph/mfa", "--format", "mermaid"]);
    assert!(mermaid.contains("-->|\"mfa\"|"), "{mermaid}");
}

#[test]
fn rendered_graph_respects_principal_arn_conditions() {
    // `target` admits only alice (aws:PrincipalArn); bob shares her
    // permissions, so both are in one group. `paths --from bob` finds
    // nothing, but the drawn graph has an edge bob → target.
    let dir = "fixtures/graph/principal-arn-condition";
    assert_eq!(
        run(&["paths", dir, "--from", "bob"]),
        "Nothing is reachable from `arn:aws:iam::111122223333:user/bob`.\n"
    );
    let mermaid = run(&["graph", dir, "--format", "mermaid"]);
    let edges: Vec<&str> = mermaid.lines().filter(|l| l.contains("-->") && !l.contains("legend_")).collect();
    assert_eq!(edges.len(), 1, "only alice → target:\n{mermaid}");
}

/// The edges of a DOT graph, legend left out: `(from label, to label, red)`.
fn dot_edges(dot: &str) -> Vec<(String, String, bool)> {
    let labels: std::collections::HashMap<&str, &str> = dot
        .lines()
        .filter_map(|l| {
            let (id, rest) = l.trim().split_once(" [label=\"")?;
            Some((id, rest.split('"').next()?))
        })
        .collect();
    let mut edges: Vec<(String, String, bool)> = dot
        .lines()
        .filter(|l| l.contains(" -> ") && !l.contains("legend_"))
        .map(|l| {
            let (ends, attrs) = l
                .trim()
                .trim_end_matches(';')
                .split_once(" [")
                .unwrap_or((l.trim().trim_end_matches(';'), ""));
            let (from, to) = ends.split_once(" -> ").unwrap();
            (labels[from].to_owned(), labels[to].to_owned(), attrs.contains("color=red"))
        })
        .collect();
    edges.sort();
    edges
}

#[test]
fn edges_are_red_when_they_are_part_of_a_finding() {
    // The GitHub trust pinned to one repository is not an open trust: its
    // edge is not red, though the provider is outside.
    let pinned = run(&["graph", "fixtures/rules/oidc-unrestricted-subject/ok-gitlab-project.json"]);
    let edges = dot_edges(&pinned);
    assert_eq!(edges.len(), 1, "{pinned}");
    assert!(!edges[0].2, "{pinned}");
    let open = run(&["graph", "fixtures/rules/oidc-unrestricted-subject/bad-github-any-repository.json"]);
    assert!(dot_edges(&open)[0].2, "{open}");
    // The chain of a privileged-role-reachable finding is red end to end;
    // the edges off it are not.
    let dot = run(&["graph", TWO_ACCOUNTS]);
    let red: Vec<(String, String)> =
        dot_edges(&dot).into_iter().filter(|e| e.2).map(|e| (e.0, e.1)).collect();
    assert_eq!(
        red,
        vec![
            ("account 999988887777".to_owned(), "role/vendor-ci".to_owned()),
            ("federated token.actions.githubusercontent.com".to_owned(), "role/github-deploy".to_owned()),
            ("role/deploy".to_owned(), "role/admin".to_owned()),
            ("role/vendor-ci".to_owned(), "role/deploy".to_owned()),
        ]
    );
    // A legend, and one font for nodes, edges and clusters.
    assert!(dot.contains("subgraph \"cluster_legend\""), "{dot}");
    assert!(dot.contains("graph [fontname=\"Helvetica\"];"), "{dot}");
    let fonts: BTreeSet<&str> = dot
        .lines()
        .filter_map(|l| l.split_once("fontname=\""))
        .map(|(_, r)| r.split('"').next().unwrap())
        .collect();
    assert_eq!(fonts, BTreeSet::from(["Helvetica"]));
}

/// The labels of the nodes a DOT graph draws, legend left out.
fn dot_nodes(dot: &str) -> Vec<String> {
    let mut v: Vec<String> = dot_edges(dot).into_iter().flat_map(|(a, b, _)| [a, b]).collect();
    v.extend(dot.lines().filter(|l| l.trim_start().starts_with('n') && l.contains(" [label=\"")).filter_map(
        |l| l.split_once(" [label=\"").and_then(|(_, r)| r.split('"').next()).map(str::to_owned),
    ));
    v.sort();
    v.dedup();
    v
}

#[test]
fn graph_cuts_to_what_reaches_a_role_from_a_principal_or_in_an_account() {
    let to_admin = dot_nodes(&run(&["graph", TWO_ACCOUNTS, "--to", "admin"]));
    assert_eq!(
        to_admin,
        strings(&["account 999988887777", "role/admin", "role/deploy", "role/vendor-ci", "user/alice"])
    );
    let near = dot_nodes(&run(&["graph", TWO_ACCOUNTS, "--to", "admin", "--depth", "1"]));
    assert_eq!(near, strings(&["role/admin", "role/deploy"]));
    let from_alice = dot_nodes(&run(&["graph", TWO_ACCOUNTS, "--from", "alice"]));
    assert_eq!(from_alice, strings(&["role/admin", "role/deploy", "user/alice"]));
    let account = dot_nodes(&run(&["graph", TWO_ACCOUNTS, "--account", "111111111111"]));
    assert_eq!(
        account,
        strings(&[
            "account 999988887777",
            "role/deploy",
            "role/juggler-a",
            "role/juggler-b",
            "role/vendor-ci",
            "user/alice",
            "user/bob",
        ])
    );
    // JSON keeps the same cut.
    let v = json(&["graph", TWO_ACCOUNTS, "--to", "admin", "--depth", "1", "--format", "json"]);
    assert_eq!(v["nodes"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["edges"].as_array().unwrap().len(), 1, "{v}");
    // `--depth` needs a starting point.
    let o = trustlint(&["graph", TWO_ACCOUNTS, "--depth", "1", "--no-config"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Whether Graphviz's `dot` can be run.
fn graphviz() -> bool {
    Command::new("dot").arg("-V").output().is_ok_and(|o| o.status.success())
}

#[test]
fn dot_output_is_valid_graphviz() {
    if !graphviz() {
        eprintln!("skipped: Graphviz `dot` is not installed (`apt-get install -y graphviz`); CI installs it");
        return;
    }
    for dir in scenario_dirs() {
        let source = run(&["graph", &dir, "--format", "dot"]);
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dot starts");
        child.stdin.take().unwrap().write_all(source.as_bytes()).expect("dot reads the graph");
        let o = child.wait_with_output().expect("dot runs");
        let (svg, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "{dir}: dot failed:\n{err}\n{source}");
        assert!(err.is_empty(), "{dir}: dot warns:\n{err}\n{source}");
        assert!(svg.contains("<svg"), "{dir}: no SVG");
    }
}

// ---------------------------------------------------------------------------
// Scale.

const SCALE: usize = 5_000;

/// One account with `n` users and `n` roles; every principal may assume `*`
/// and every role trusts the account: every principal reaches every role.
fn wide_account(n: usize) -> String {
    const ACCOUNT: &str = "123456789012";
    const ASSUME_ANY: &str = r#"{"PolicyName": "assume-any", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}"#;
    let users: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"UserName": "user-{i}", "Arn": "arn:aws:iam::{ACCOUNT}:user/user-{i}", "GroupList": [], "AttachedManagedPolicies": [], "UserPolicyList": [{ASSUME_ANY}]}}"#
            )
        })
        .collect();
    let roles: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"RoleName": "role-{i}", "Arn": "arn:aws:iam::{ACCOUNT}:role/role-{i}", "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "sts:AssumeRole"}}]}}, "AttachedManagedPolicies": [], "RolePolicyList": [{ASSUME_ANY}]}}"#
            )
        })
        .collect();
    format!(
        "{{\"UserDetailList\": [\n{}\n], \"GroupDetailList\": [], \"RoleDetailList\": [\n{}\n], \"Policies\": []}}\n",
        users.join(",\n"),
        roles.join(",\n")
    )
}

#[test]
fn a_wide_account_stays_linear() {
    let scratch = Scratch::new("graph-scale");
    let file = scratch.0.join("account.json");
    std::fs::write(&file, wide_account(SCALE)).expect("the export can be written");
    let path = file.to_string_lossy().into_owned();

    let s = Scenario::load_with(&Settings {
        paths: vec![path.clone()],
        rules: Vec::new(),
        ..Settings::default()
    });
    let principals =
        s.graph.nodes.iter().filter(|n| matches!(n.kind, NodeKind::User | NodeKind::Role)).count();
    assert_eq!(principals, 2 * SCALE);
    // 25 million principal → role pairs, but one group stands for them.
    assert!(
        s.graph.edges.len() < 4 * 2 * SCALE,
        "{} edges for {} principals",
        s.graph.edges.len(),
        2 * SCALE
    );
    let reached = s.chains_from("user-0");
    assert_eq!(reached.len(), SCALE);
    assert!(reached.iter().all(|c| s.graph.node(c.target()).kind == NodeKind::Role));
    assert!(reached.iter().all(|c| c.hops.len() == 1), "each role directly");
    assert_eq!(s.chains_to("role-0").len(), 2 * SCALE - 1, "every other principal reaches role-0");

    // The command agrees.
    let v = json(&["paths", &path, "--from", "user-0", "--format", "json"]);
    let chains = v["chains"].as_array().unwrap();
    assert_eq!(chains.len(), SCALE);
    let targets: BTreeSet<&str> = chains.iter().map(|c| c["principal"].as_str().unwrap()).collect();
    assert_eq!(targets.len(), SCALE);
    assert!(targets.iter().all(|t| t.contains(":role/role-")));
}
