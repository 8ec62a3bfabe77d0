#!/usr/bin/env bash
# Time trustlint, a read-only floor (cat) and parliament on the same corpus.
#
#   bash bench/run.sh            # from anywhere; paths are relative to the repo root
#
# Environment:
#   RUNS=10       timed runs per fast command (trustlint, cat)
#   PEER_RUNS=5   timed runs per parliament command (it takes seconds to a minute)
#   WARMUP=1      untimed runs before each command's timed runs
#   BIG=1         also generate and time gaad/gaad-200mb.json (trustlint and cat only)
#   TIMER=loop    use the /usr/bin/time loop even if hyperfine is installed
#
# Prints a markdown table and writes it to bench/results.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-10}
PEER_RUNS=${PEER_RUNS:-5}
WARMUP=${WARMUP:-1}
BIG=${BIG:-0}
TIMER=${TIMER:-hyperfine}

CORPUS=bench/corpus
POLICIES=$CORPUS/policies
GAAD=$CORPUS/gaad/gaad-20000.json
BIG_GAAD=$CORPUS/gaad/gaad-200mb.json
VENV=bench/.venv
RESULTS=bench/results.md
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

source bench/common.sh

# --- tools -----------------------------------------------------------------
setup_tools

if ! "$VENV/bin/parliament" --version > /dev/null 2>&1; then
    log "installing parliament into $VENV"
    python3 -m venv --clear "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check parliament
fi
PARLIAMENT=$VENV/bin/parliament

# --- corpus ----------------------------------------------------------------
if [ ! -f "$CORPUS/COMPLETE" ] || { [ "$BIG" = 1 ] && [ ! -f "$BIG_GAAD" ]; }; then
    log "generating corpus in $CORPUS"
    # Only what the generator writes: the other scripts' inputs live here too.
    rm -rf "$CORPUS/policies" "$CORPUS/COMPLETE"
    if [ "$BIG" = 1 ]; then
        python3 bench/gen_corpus.py "$CORPUS" --big >&2
    else
        python3 bench/gen_corpus.py "$CORPUS" >&2
    fi
fi

# --- measuring -------------------------------------------------------------

bench "floor: cat" "policies/ (10,000 files)" "$RUNS" "$WARMUP" \
    "find $POLICIES -name '*.json' -print0 | xargs -0 cat > /dev/null"
bench "trustlint" "policies/ (10,000 files)" "$RUNS" "$WARMUP" \
    "$BIN check $POLICIES --format json --fail-on error > /dev/null"
bench "parliament" "policies/ (10,000 files)" "$PEER_RUNS" "$WARMUP" \
    "$PARLIAMENT --directory $POLICIES --include_policy_extension .json --json > /dev/null"

bench "floor: cat" "gaad-20000.json" "$RUNS" "$WARMUP" "cat $GAAD > /dev/null"
bench "trustlint" "gaad-20000.json" "$RUNS" "$WARMUP" "$BIN check $GAAD --format json > /dev/null"
bench "parliament" "gaad-20000.json" "$PEER_RUNS" "$WARMUP" \
    "$PARLIAMENT --auth-details-file $GAAD --json > /dev/null"

if [ "$BIG" = 1 ]; then
    bench "floor: cat" "gaad-200mb.json" 3 "$WARMUP" "cat $BIG_GAAD > /dev/null"
    bench "trustlint" "gaad-200mb.json" 3 "$WARMUP" "$BIN check $BIG_GAAD --format json > /dev/null"
fi

# --- report ----------------------------------------------------------------
{
    echo "| Tool | Input | Median | Mean | Min … Max | Runs | × floor | Max RSS | Exit |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    declare -A floor
    for row in "${ROWS[@]}"; do
        IFS='|' read -r label input med mean min max runs rss code <<< "$row"
        [ "$label" = "floor: cat" ] && floor[$input]=$med
        ratio=$(awk -v m="$med" -v f="${floor[$input]}" 'BEGIN { r = m / f; printf (r < 10 ? "%.2f×" : "%.0f×"), r }')
        printf '| %s | %s | %s | %s | %s … %s | %s | %s | %s MiB | %s |\n' \
            "$label" "$input" "$(fmt_time "$med")" "$(fmt_time "$mean")" \
            "$(fmt_time "$min")" "$(fmt_time "$max")" "$runs" "$ratio" \
            "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "$code"
    done
    echo
    echo "Timer: $([ "$HYPERFINE" = 1 ] && hyperfine --version || echo '/usr/bin/time loop'), warmup $WARMUP;" \
        "trustlint $(trustlint_version);" \
        "parliament $("$PARLIAMENT" --version 2>/dev/null | awk '{ print $NF }');" \
        "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; $(date -u +%Y-%m-%d)."
} > "$RESULTS"

cat "$RESULTS"
log "written to $RESULTS"
