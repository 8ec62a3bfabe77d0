#!/usr/bin/env bash
# Time trustlint and checkov on generated infrastructure-as-code repositories
# (CloudFormation YAML templates and Terraform modules), and compare what each
# finds against the trust risks the generator planted.
#
#   bash bench/iac.sh            # from anywhere; paths are relative to the repo root
#
# Environment:
#   SIZES="100 1k"  repositories to time (bench/gen_iac.py: 100 or 1,000 templates
#                   plus as many .tf files)
#   RUNS=10         timed runs per trustlint / cat command
#   PEER_RUNS=3     timed runs per checkov command (seconds to minutes each)
#   WARMUP=1        untimed runs before each trustlint / cat command's timed runs
#   PEER_WARMUP=0   the same for checkov (the memory run before them warms the cache)
#   IAM_ONLY=1      also time checkov restricted to its trust-policy checks
#   DETECT=100      the repository the detection table is computed on
#   TIMER=loop      use the /usr/bin/time loop even if hyperfine is installed
#
# Prints markdown tables and writes them to bench/results-iac.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SIZES=${SIZES:-"100 1k"}
RUNS=${RUNS:-10}
PEER_RUNS=${PEER_RUNS:-3}
WARMUP=${WARMUP:-1}
PEER_WARMUP=${PEER_WARMUP:-0}
IAM_ONLY=${IAM_ONLY:-1}
DETECT=${DETECT:-100}
TIMER=${TIMER:-hyperfine}

CORPUS=bench/corpus
# checkov gets its own environment inside bench/.venv: its pinned dependencies
# would otherwise move those of the other peers installed there.
VENV=bench/.venv/checkov
RESULTS=bench/results-iac.md
# checkov's checks about who may assume a role (see BENCHMARKS.md):
#   CKV_AWS_60   aws_iam_role / AWS::IAM::Role: `"AWS": "*"` in the trust policy
#   CKV_AWS_61   aws_iam_role / AWS::IAM::Role: an account id or account root as principal
#   CKV_AWS_283  data "aws_iam_policy_document": `*` (or any AWS principal) as principal
#   CKV_AWS_358  data "aws_iam_policy_document": GitHub Actions OIDC subject claims
#   CKV_AWS_393  aws_iam_role: GitHub Actions OIDC subject claims in assume_role_policy
TRUST_CHECKS=CKV_AWS_60,CKV_AWS_61,CKV_AWS_283,CKV_AWS_358,CKV_AWS_393
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

source bench/common.sh

# --- tools -----------------------------------------------------------------
setup_tools

if ! "$VENV/bin/checkov" --version > /dev/null 2>&1; then
    log "installing checkov into $VENV"
    python3 -m venv --clear "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check checkov
fi
CHECKOV=$VENV/bin/checkov
# --skip-download: no calls to the vendor's platform (guidelines, severities),
# so that runs do not depend on the network.
CHECKOV_ARGS="--framework cloudformation terraform --quiet --compact -o json --skip-download"

# --- corpus ----------------------------------------------------------------
for size in $SIZES $DETECT; do
    if [ ! -f "$CORPUS/iac-$size/COMPLETE" ]; then
        log "generating $CORPUS/iac-$size"
        python3 bench/gen_iac.py "$CORPUS" --sizes "$size" >&2
    fi
done

# --- measuring -------------------------------------------------------------

describe() {  # describe SIZE: the input column
    python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
print("iac-%s (%s templates + %s .tf, %s roles)" % (sys.argv[2], format(p["templates"], ","),
      format(p["terraform_files"], ","), format(p["roles"], ",")))' "$CORPUS/iac-$1/planted.json" "$1"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for size in $SIZES; do
    dir=$CORPUS/iac-$size
    input=$(describe "$size")
    bench "floor: cat" "$input" "$RUNS" "$WARMUP" \
        "find $dir -name '*.yaml' -o -name '*.tf' | xargs cat > /dev/null"
    bench "trustlint" "$input" "$RUNS" "$WARMUP" \
        "$BIN check --no-config --format json $dir > /dev/null"
    bench "checkov (all checks)" "$input" "$PEER_RUNS" "$PEER_WARMUP" \
        "$CHECKOV -d $dir $CHECKOV_ARGS > /dev/null"
    if [ "$IAM_ONLY" = 1 ]; then
        bench "checkov (trust checks)" "$input" "$PEER_RUNS" "$PEER_WARMUP" \
            "$CHECKOV -d $dir $CHECKOV_ARGS --check $TRUST_CHECKS > /dev/null"
    fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- detection -------------------------------------------------------------
dir=$CORPUS/iac-$DETECT
log "detection on $dir"
"$BIN" check --no-config --format json "$dir" > "$WORK/trustlint.json" || true
# shellcheck disable=SC2086
"$CHECKOV" -d "$dir" $CHECKOV_ARGS > "$WORK/checkov.json" || true

python3 - "$dir" "$WORK/trustlint.json" "$WORK/checkov.json" > "$WORK/detection.md" <<'EOF'
"""Match each tool's findings to the roles of planted.json and count, per risk,
the planted roles found, the ones missed and the roles flagged without it."""
import collections
import json
import os
import sys

root, tl_path, ck_path = sys.argv[1:]
planted = json.load(open(os.path.join(root, "planted.json")))["roles_detail"]
roles = {(r["file"], r["resource"]): r for r in planted}

RISKS = ["wildcard-principal", "cross-account-no-external-id", "oidc-unrestricted-subject", "long-session"]
TRUSTLINT = {"wildcard-principal": "wildcard-principal", "missing-external-id": "cross-account-no-external-id",
             "oidc-unrestricted-subject": "oidc-unrestricted-subject", "excessive-session-duration": "long-session"}
CHECKOV = {"CKV_AWS_60": "wildcard-principal", "CKV_AWS_283": "wildcard-principal",
           "CKV_AWS_61": "cross-account-no-external-id",
           "CKV_AWS_358": "oidc-unrestricted-subject", "CKV_AWS_393": "oidc-unrestricted-subject"}

flagged = {"trustlint": collections.defaultdict(set), "checkov": collections.defaultdict(set)}
by_rule = {"trustlint": collections.Counter(), "checkov": collections.Counter()}
unmatched = collections.Counter()

tl = json.load(open(tl_path))
for f in tl["findings"]:
    by_rule["trustlint"][f["rule"]] += 1
    key = (os.path.relpath(f["file"], root), f.get("subject"))
    if f["rule"] in TRUSTLINT:
        if key in roles:
            flagged["trustlint"][TRUSTLINT[f["rule"]]].add(key)
        else:
            unmatched["trustlint " + f["rule"]] += 1

ck = json.load(open(ck_path))
for report in ck if isinstance(ck, list) else [ck]:
    for f in report["results"]["failed_checks"]:
        by_rule["checkov"][f["check_id"]] += 1
        if f["check_id"] not in CHECKOV:
            continue
        resource = f["resource"]
        if resource.startswith("AWS::IAM::Role."):
            resource = resource[len("AWS::IAM::Role."):]
        elif ".aws_iam_policy_document." in "." + resource:
            # the trust document of role X is data.aws_iam_policy_document.X_trust
            resource = "aws_iam_role." + resource.split(".")[-1][: -len("_trust")]
        key = (f["file_path"].lstrip("/"), resource)
        if key in roles:
            flagged["checkov"][CHECKOV[f["check_id"]]].add(key)
        else:
            unmatched["checkov " + f["check_id"]] += 1

print("| Planted risk | Roles | trustlint found | trustlint missed | trustlint extra | checkov found | checkov missed | checkov extra |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
misses = collections.defaultdict(collections.Counter)
extras = collections.defaultdict(collections.Counter)
for risk in RISKS:
    want = {k for k, r in roles.items() if risk in r["risks"]}
    cells = []
    for tool in ("trustlint", "checkov"):
        got = flagged[tool][risk]
        if tool == "checkov" and risk not in CHECKOV.values():
            misses[(tool, risk)][("no check",)] = len(want)
        else:
            for k in want - got:
                r = roles[k]
                misses[(tool, risk)][(r["format"], r.get("style") or "", r["variant"], r.get("form") or "")] += 1
        for k in got - want:
            r = roles[k]
            extras[(tool, risk)][(r["format"], r.get("style") or "", r["kind"], r["variant"], r.get("form") or "")] += 1
        cells += [len(want & got), len(want - got), len(got - want)]
    print("| %s | %d | %s |" % (risk, len(want), " | ".join(str(c) for c in cells)))

print()
print("Missed (format/style/variant/form) and extra (format/style/kind/variant/form) roles;"
      " style is jsonencode or document for Terraform:")
print()
for label, table in (("missed", misses), ("extra", extras)):
    for (tool, risk), counter in sorted(table.items()):
        items = ", ".join("%s × %d" % ("/".join(x for x in k if x), n) for k, n in sorted(counter.items()))
        print("- %s %s %s: %s" % (tool, label, risk, items))
print()
print("All findings on this repository, by rule:")
print()
for tool in ("trustlint", "checkov"):
    print("- %s: %s" % (tool, ", ".join("%s %d" % kv for kv in sorted(by_rule[tool].items()))))
if unmatched:
    print("- not matched to a planted role: %s" % ", ".join("%s %d" % kv for kv in sorted(unmatched.items())))
EOF

# --- report ----------------------------------------------------------------
{
    rows_table
    echo
    echo "Timer: $([ "$HYPERFINE" = 1 ] && hyperfine --version || echo '/usr/bin/time loop')," \
        "warmup $WARMUP (checkov $PEER_WARMUP);" \
        "trustlint $(trustlint_version);" \
        "checkov $("$CHECKOV" --version 2>/dev/null);" \
        "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores;" \
        "load average $LOAD_BEFORE before, $LOAD_AFTER after; $(date -u +%Y-%m-%d)."
    echo
    echo "Detection on iac-$DETECT (planted.json), per role:"
    echo
    cat "$WORK/detection.md"
} > "$RESULTS"

cat "$RESULTS"
log "written to $RESULTS"
