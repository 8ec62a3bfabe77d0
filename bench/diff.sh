#!/usr/bin/env bash
# Time `trustlint diff --base HEAD` against one `trustlint check` of the same
# tree: the generated IaC repository (bench/gen_iac.py) committed to git, then
# one Terraform file changed in the work tree (a role that trusts any
# principal appended to it). Also counts the instructions of each command,
# single-threaded, under callgrind (the machine's load does not move them).
#
#   bash bench/diff.sh           # from anywhere; paths are relative to the repo root
#
# Environment:
#   SIZE=1k          the repository (bench/gen_iac.py: 100 or 1k)
#   RUNS=10          timed runs per command
#   WARMUP=1         untimed runs before each command's timed runs
#   CALLGRIND=1      also count instructions (needs valgrind)
#   TIMER=loop       use the /usr/bin/time loop even if hyperfine is installed
#   BIN=path         time this binary instead of building the work tree's
#
# Prints markdown tables and writes them to bench/results-diff.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

SIZE=${SIZE:-1k}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-1}
CALLGRIND=${CALLGRIND:-1}
TIMER=${TIMER:-hyperfine}
GIVEN_BIN=${BIN:-}

CORPUS=bench/corpus
RESULTS=bench/results-diff.md
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

source bench/common.sh

if [ -n "$GIVEN_BIN" ]; then
    BIN=$WORK/trustlint
    cp "$GIVEN_BIN" "$BIN"
    BUILT_FROM="given binary"
    HYPERFINE=0
    if [ "$TIMER" = hyperfine ] && command -v hyperfine > /dev/null; then HYPERFINE=1; fi
else
    setup_tools
fi

# --- the repository ----------------------------------------------------------
if [ ! -f "$CORPUS/iac-$SIZE/COMPLETE" ]; then
    log "generating $CORPUS/iac-$SIZE"
    python3 bench/gen_iac.py "$CORPUS" --sizes "$SIZE" >&2
fi
REPO=$WORK/iac-$SIZE
cp -a "$CORPUS/iac-$SIZE" "$REPO"
rm -f "$REPO/planted.json" "$REPO/COMPLETE"
git -C "$REPO" init -q
git -C "$REPO" add -A
git -C "$REPO" -c user.name=bench -c user.email=bench@example.com commit -q -m base
# The change under review: one module gains a role anyone can assume.
CHANGED=$(cd "$REPO" && find terraform -name '*.tf' | LC_ALL=C sort | awk 'NR == 1')
cat >> "$REPO/$CHANGED" <<'EOF'

resource "aws_iam_role" "bench_opened" {
  name = "bench-opened"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sts:AssumeRole"
    }]
  })
}
EOF
files=$(cd "$REPO" && git ls-files | wc -l)
input="iac-$SIZE in git ($files files), \`$CHANGED\` changed"

CHECK="$BIN check --no-config --format json . > /dev/null"
DIFF="$BIN diff --no-config --base HEAD --format json . > /dev/null"

# --- wall time ---------------------------------------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
cd "$REPO"
bench "trustlint" "$input" "$RUNS" "$WARMUP" "$CHECK"
bench "trustlint diff" "$input" "$RUNS" "$WARMUP" "$DIFF"
cd "$ROOT"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- instructions, one thread --------------------------------------------------
# callgrind counts the trustlint process only, not the `git` processes `diff`
# starts to read the base revision.
instructions() {  # instructions COMMAND...: instructions executed, one thread
    (cd "$REPO" && RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$@" > /dev/null 2> "$WORK/callgrind.err") || true
    grep -Eo 'Collected : [0-9]+' "$WORK/callgrind.err" | grep -Eo '[0-9]+$'
}
IR_TABLE=""
if [ "$CALLGRIND" = 1 ] && command -v valgrind > /dev/null; then
    log "callgrind: check"
    ir_check=$(instructions "$BIN" check --no-config --format json .)
    log "callgrind: diff"
    ir_diff=$(instructions "$BIN" diff --no-config --base HEAD --format json .)
    IR_TABLE=$(
        echo "| Command | Instructions (one thread) | × check |"
        echo "|---|---:|---:|"
        awk -v c="$ir_check" -v d="$ir_diff" 'BEGIN {
            printf "| check | %.3g | 1.00× |\n", c
            printf "| diff --base HEAD | %.3g | %.2f× |\n", d, d / c }'
    )
fi

{
    echo "trustlint $(trustlint_version), $(nproc) CPUs, load average $LOAD_BEFORE before and $LOAD_AFTER after the timed runs"
    echo
    rows_table
    if [ -n "$IR_TABLE" ]; then
        echo
        echo "$IR_TABLE"
    fi
} | tee "$RESULTS"
