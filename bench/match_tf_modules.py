#!/usr/bin/env python3
"""Match trustlint's and checkov's findings on a generated module repository
(bench/gen_tf_modules.py) to the roles of its planted.json, by the module
instance key in the Terraform address (`module.roles["KEY"]…`), and print a
markdown table: per planted risk, the roles found, missed, and flagged
without the risk; and findings on roles that `create = false` disables.

    python3 bench/match_tf_modules.py REPO TRUSTLINT_JSON CHECKOV_JSON
"""
import collections
import json
import os
import re
import sys

root, tl_path, ck_path = sys.argv[1:]
planted = json.load(open(os.path.join(root, "planted.json")))["roles_detail"]
roles = {r["key"]: r for r in planted}
KEY = re.compile(r'module\.roles\["([^"]+)"\]')

RISKS = ["wildcard-principal", "cross-account-no-external-id", "oidc-unrestricted-subject", "long-session"]
TRUSTLINT = {"wildcard-principal": "wildcard-principal", "missing-external-id": "cross-account-no-external-id",
             "oidc-unrestricted-subject": "oidc-unrestricted-subject", "excessive-session-duration": "long-session"}
CHECKOV = {"CKV_AWS_60": "wildcard-principal", "CKV_AWS_283": "wildcard-principal",
           "CKV_AWS_61": "cross-account-no-external-id",
           "CKV_AWS_358": "oidc-unrestricted-subject", "CKV_AWS_393": "oidc-unrestricted-subject"}

flagged = {"trustlint": collections.defaultdict(set), "checkov": collections.defaultdict(set)}
by_rule = {"trustlint": collections.Counter(), "checkov": collections.Counter()}
on_disabled = collections.Counter()


def note(tool, rule, risk, address):
    m = KEY.search(address or "")
    if not m or m.group(1) not in roles:
        return
    role = roles[m.group(1)]
    if not role["create"]:
        on_disabled[tool] += 1
    if risk:
        flagged[tool][risk].add(role["key"])


for f in json.load(open(tl_path))["findings"]:
    by_rule["trustlint"][f["rule"]] += 1
    note("trustlint", f["rule"], TRUSTLINT.get(f["rule"]), f.get("subject"))

ck = json.load(open(ck_path))
for report in ck if isinstance(ck, list) else [ck]:
    for f in report["results"]["failed_checks"]:
        by_rule["checkov"][f["check_id"]] += 1
        note("checkov", f["check_id"], CHECKOV.get(f["check_id"]), f["resource"])

print("| Planted risk | Roles | trustlint found | trustlint missed | trustlint extra "
      "| checkov found | checkov missed | checkov extra |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for risk in RISKS:
    want = {k for k, r in roles.items() if risk in r["risks"]}
    cells = []
    for tool in ("trustlint", "checkov"):
        got = flagged[tool][risk]
        cells += [len(want & got), len(want - got), len(got - want)]
    print("| %s | %d | %s |" % (risk, len(want), " | ".join(str(c) for c in cells)))
print()
disabled = [r for r in planted if not r["create"]]
print("Roles disabled with `create = false`: %d (%d of them written with a risk); findings on them: "
      "trustlint %d, checkov %d." % (len(disabled), sum(1 for r in disabled if r["disabled_risks"]),
                                     on_disabled["trustlint"], on_disabled["checkov"]))
print()
print("All findings, by rule:")
print()
for tool in ("trustlint", "checkov"):
    print("- %s: %s" % (tool, ", ".join("%s %d" % kv for kv in sorted(by_rule[tool].items())) or "none"))
