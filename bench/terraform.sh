#!/usr/bin/env bash
# Time trustlint and checkov on module-based Terraform: generated repositories
# whose roles are made by one local module called with `for_each` (their risks
# decided by the callers' arguments), and real repositories you point it at;
# then match each tool's findings to the roles the generator planted.
#
#   bash bench/terraform.sh
#   REAL="../terraform-aws-iam ../iam-vulnerable" bash bench/terraform.sh
#
# Environment:
#   SIZES="100 1k"  generated repositories (bench/gen_tf_modules.py: ~100 or ~1,000 roles)
#   REAL=""         directories of real Terraform to time as well (a clone of
#                   github.com/terraform-aws-modules/terraform-aws-iam, say)
#   RUNS=10 PEER_RUNS=3 WARMUP=1 PEER_WARMUP=0 TIMER=hyperfine   as in iac.sh
#
# Prints markdown tables and writes them to bench/results-terraform.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SIZES=${SIZES:-"100 1k"}
REAL=${REAL:-}
RUNS=${RUNS:-10}
PEER_RUNS=${PEER_RUNS:-3}
WARMUP=${WARMUP:-1}
PEER_WARMUP=${PEER_WARMUP:-0}
TIMER=${TIMER:-hyperfine}

CORPUS=bench/corpus
VENV=bench/.venv/checkov
RESULTS=bench/results-terraform.md
TRUST_CHECKS=CKV_AWS_60,CKV_AWS_61,CKV_AWS_283,CKV_AWS_358,CKV_AWS_393
# The organization's own accounts in the generated repositories (a user
# would list them in trustlint.toml as `trusted-accounts`).
OWN="--trusted-account 111111111111 --trusted-account 222222222222 --trusted-account 333333333333"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

source bench/common.sh

setup_tools
if ! "$VENV/bin/checkov" --version > /dev/null 2>&1; then
    log "installing checkov into $VENV"
    python3 -m venv --clear "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check checkov
fi
CHECKOV=$VENV/bin/checkov
CHECKOV_ARGS="--framework terraform --quiet --compact -o json --skip-download"

for size in $SIZES; do
    if [ ! -f "$CORPUS/tf-modules-$size/COMPLETE" ]; then
        log "generating $CORPUS/tf-modules-$size"
        python3 bench/gen_tf_modules.py "$CORPUS" --sizes "$size" >&2
    fi
done

describe() {  # describe SIZE
    python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
print("tf-modules-%s (%d roots, %s roles)" % (sys.argv[2], p["roots"], format(p["roles"], ",")))' \
        "$CORPUS/tf-modules-$1/planted.json" "$1"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for size in $SIZES; do
    dir=$CORPUS/tf-modules-$size
    input=$(describe "$size")
    bench "floor: cat" "$input" "$RUNS" "$WARMUP" "find $dir -name '*.tf' | xargs cat > /dev/null"
    bench "trustlint" "$input" "$RUNS" "$WARMUP" "$BIN check --no-config $OWN --format json $dir > /dev/null"
    bench "checkov (all checks)" "$input" "$PEER_RUNS" "$PEER_WARMUP" "$CHECKOV -d $dir $CHECKOV_ARGS > /dev/null"
    bench "checkov (trust checks)" "$input" "$PEER_RUNS" "$PEER_WARMUP" \
        "$CHECKOV -d $dir $CHECKOV_ARGS --check $TRUST_CHECKS > /dev/null"
done
for dir in $REAL; do
    input="$(basename "$dir") ($(find "$dir" -name '*.tf' | wc -l) .tf files)"
    bench "floor: cat" "$input" "$RUNS" "$WARMUP" "find $dir -name '*.tf' | xargs cat > /dev/null"
    bench "trustlint" "$input" "$RUNS" "$WARMUP" "$BIN check --no-config --format json $dir > /dev/null"
    bench "checkov (all checks)" "$input" "$PEER_RUNS" "$PEER_WARMUP" "$CHECKOV -d $dir $CHECKOV_ARGS > /dev/null"
    bench "checkov (trust checks)" "$input" "$PEER_RUNS" "$PEER_WARMUP" \
        "$CHECKOV -d $dir $CHECKOV_ARGS --check $TRUST_CHECKS > /dev/null"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- detection on the smallest generated repository --------------------------
detect=${SIZES%% *}
dir=$CORPUS/tf-modules-$detect
log "detection on $dir"
# shellcheck disable=SC2086
"$BIN" check --no-config $OWN --format json "$dir" > "$WORK/trustlint.json" || true
# shellcheck disable=SC2086
"$CHECKOV" -d "$dir" $CHECKOV_ARGS > "$WORK/checkov.json" || true
python3 bench/match_tf_modules.py "$dir" "$WORK/trustlint.json" "$WORK/checkov.json" > "$WORK/detection.md"

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
    echo "Detection on tf-modules-$detect (planted.json), per role:"
    echo
    cat "$WORK/detection.md"
} > "$RESULTS"

cat "$RESULTS"
log "written to $RESULTS"
