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

log() { echo "==> $*" >&2; }

apt_install() {  # apt_install PACKAGE: only as root, only if apt-get exists
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        log "installing $1 with apt-get"
        apt-get install -y -qq "$1" > /dev/null || { apt-get update -qq && apt-get install -y -qq "$1" > /dev/null; } || true
    fi
}

# --- tools -----------------------------------------------------------------
log "building trustlint (release)"
cargo build --release --quiet
# Time a copy, so that a rebuild in this work tree during the run cannot swap
# the binary between rows; note the commit it was built from.
BIN=$WORK/trustlint
cp target/release/trustlint "$BIN"
BUILT_FROM=$(git rev-parse --short HEAD 2>/dev/null || echo 'no git')
if ! git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null; then
    BUILT_FROM="$BUILT_FROM + uncommitted changes"
fi

if [ ! -x /usr/bin/time ]; then apt_install time; fi
if [ ! -x /usr/bin/time ]; then
    echo "/usr/bin/time (GNU time) is required: apt-get install -y time" >&2
    exit 2
fi
HYPERFINE=0
if [ "$TIMER" = hyperfine ]; then
    if ! command -v hyperfine > /dev/null; then apt_install hyperfine; fi
    if command -v hyperfine > /dev/null; then
        HYPERFINE=1
    else
        log "hyperfine not found (apt-get install -y hyperfine); timing with a loop of /usr/bin/time runs"
    fi
fi

if ! "$VENV/bin/parliament" --version > /dev/null 2>&1; then
    log "installing parliament into $VENV"
    python3 -m venv --clear "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check parliament
fi
PARLIAMENT=$VENV/bin/parliament

# --- corpus ----------------------------------------------------------------
if [ ! -f "$CORPUS/COMPLETE" ] || { [ "$BIG" = 1 ] && [ ! -f "$BIG_GAAD" ]; }; then
    log "generating corpus in $CORPUS"
    rm -rf "$CORPUS"
    if [ "$BIG" = 1 ]; then
        python3 bench/gen_corpus.py "$CORPUS" --big >&2
    else
        python3 bench/gen_corpus.py "$CORPUS" >&2
    fi
fi

# --- measuring -------------------------------------------------------------
ROWS=()

# median of numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'; }

# bench LABEL INPUT RUNS COMMAND
# COMMAND is run by bash; exit codes 0 and 1 (1 = findings reported) count as success.
bench() {
    local label=$1 input=$2 runs=$3 cmd=$4 code rss
    log "$label on $input"

    # One checked run: exit code and peak memory (max RSS of the largest process).
    code=0
    /usr/bin/time -f '%M' -o "$WORK/mem" bash -c "$cmd" || code=$?
    if [ "$code" -gt 1 ]; then
        echo "command failed with exit code $code: $cmd" >&2
        exit 1
    fi
    rss=$(tail -n 1 "$WORK/mem")

    local med mean min max
    if [ "$HYPERFINE" = 1 ]; then
        hyperfine --style basic --ignore-failure --warmup "$WARMUP" --runs "$runs" \
            --export-json "$WORK/hf.json" "$cmd" >&2
        read -r med mean min max < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(r["median"], r["mean"], r["min"], r["max"])' "$WORK/hf.json")
    else
        for _ in $(seq "$WARMUP"); do bash -c "$cmd" || true; done
        : > "$WORK/times"
        for _ in $(seq "$runs"); do
            /usr/bin/time -f '%e' -a -o "$WORK/times" bash -c "$cmd" || true
        done
        grep -E '^[0-9.]+$' "$WORK/times" > "$WORK/secs"
        med=$(median < "$WORK/secs")
        read -r mean min max < <(awk '{ s += $1; if (NR == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }
            END { print s / NR, lo, hi }' "$WORK/secs")
    fi
    ROWS+=("$label|$input|$med|$mean|$min|$max|$runs|$rss|$code")
}

bench "floor: cat" "policies/ (10,000 files)" "$RUNS" \
    "find $POLICIES -name '*.json' -print0 | xargs -0 cat > /dev/null"
bench "trustlint" "policies/ (10,000 files)" "$RUNS" \
    "$BIN check $POLICIES --format json --fail-on error > /dev/null"
bench "parliament" "policies/ (10,000 files)" "$PEER_RUNS" \
    "$PARLIAMENT --directory $POLICIES --include_policy_extension .json --json > /dev/null"

bench "floor: cat" "gaad-20000.json" "$RUNS" "cat $GAAD > /dev/null"
bench "trustlint" "gaad-20000.json" "$RUNS" "$BIN check $GAAD --format json > /dev/null"
bench "parliament" "gaad-20000.json" "$PEER_RUNS" \
    "$PARLIAMENT --auth-details-file $GAAD --json > /dev/null"

if [ "$BIG" = 1 ]; then
    bench "floor: cat" "gaad-200mb.json" 3 "cat $BIG_GAAD > /dev/null"
    bench "trustlint" "gaad-200mb.json" 3 "$BIN check $BIG_GAAD --format json > /dev/null"
fi

# --- report ----------------------------------------------------------------
trustlint_version() {
    local v
    v=$("$BIN" --version 2>/dev/null | awk '{ print $NF }') || true
    [ -n "$v" ] || v=$(awk -F'"' '/^version/ { print $2; exit }' Cargo.toml)
    echo "$v ($BUILT_FROM)"
}

# ms with 1 decimal below 10 ms, whole ms below 1 s, else seconds
fmt_time() { awk -v t="$1" 'BEGIN { if (t < 0.01) printf "%.1f ms", t * 1000; else if (t < 1) printf "%.0f ms", t * 1000; else printf "%.2f s", t }'; }

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
