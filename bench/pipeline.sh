#!/usr/bin/env bash
# trustlint against the floor of its pipeline on 10,000 policy files: a
# program that only walks the tree, reads every `*.json` file and parses it
# with serde_json on all cores (examples/floor.rs), with parliament on the
# same files.
#
#   bash bench/pipeline.sh       # from anywhere; paths are relative to the repo root
#
# Two measures, each as a ratio to the floor:
#   - wall time, all cores (hyperfine, or a loop of /usr/bin/time runs);
#   - instructions executed on one thread (RAYON_NUM_THREADS=1, counted by
#     valgrind's callgrind): they do not move with the machine's load, where
#     wall times on a busy machine do.
#
# Environment:
#   RUNS=10         timed runs per trustlint / floor command
#   PEER_RUNS=3     timed runs of parliament (tens of seconds each)
#   WARMUP=1        untimed runs before each command's timed runs
#   PEER=1          0 leaves parliament out
#   CALLGRIND=1     0 leaves the instruction counts out (parliament is never
#                   counted: a Python run under valgrind takes most of an hour)
#   TIMER=loop      use the /usr/bin/time loop even if hyperfine is installed
#   BEFORE=FILE     also time and count another trustlint binary (an earlier
#                   build, say), as the row "trustlint (before)"
#   ROUNDS=40       rounds of the interleaved timing (0 leaves it out): the
#                   floor and trustlint (and the build BEFORE) take turns,
#                   one run each a round, so that a machine whose speed
#                   drifts slows them alike; the rows above run one
#                   command's runs after another's. Each round starts with
#                   the next command, so that none always follows the same
#
# Prints markdown tables and writes them to bench/results-pipeline.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-10}
PEER_RUNS=${PEER_RUNS:-3}
WARMUP=${WARMUP:-1}
PEER=${PEER:-1}
CALLGRIND=${CALLGRIND:-1}
TIMER=${TIMER:-hyperfine}

CORPUS=bench/corpus
POLICIES=$CORPUS/policies
VENV=bench/.venv
RESULTS=bench/results-pipeline.md
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

source bench/common.sh

# --- tools -----------------------------------------------------------------
setup_tools
log "building the floor (release)"
cargo build --release --quiet --example floor
FLOOR=$WORK/floor
cp "${CARGO_TARGET_DIR:-target}/release/examples/floor" "$FLOOR"

if [ "$PEER" = 1 ] && ! "$VENV/bin/parliament" --version > /dev/null 2>&1; then
    log "installing parliament into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check parliament
fi
PARLIAMENT=$VENV/bin/parliament

if [ "$CALLGRIND" = 1 ] && ! command -v valgrind > /dev/null; then apt_install valgrind; fi
if [ "$CALLGRIND" = 1 ] && ! command -v valgrind > /dev/null; then
    log "valgrind not found (apt-get install -y valgrind): no instruction counts"
    CALLGRIND=0
fi

# --- corpus ----------------------------------------------------------------
if [ ! -f "$CORPUS/COMPLETE" ]; then
    log "generating corpus in $CORPUS"
    # Only what the generator writes: the other scripts' inputs live here too.
    rm -rf "$CORPUS/policies" "$CORPUS/COMPLETE"
    python3 bench/gen_corpus.py "$CORPUS" >&2
    touch "$CORPUS/COMPLETE"
fi

# --- measuring -------------------------------------------------------------
INPUT="policies/ (10,000 files)"
FLOOR_CMD="$FLOOR $POLICIES > /dev/null"
TRUSTLINT_CMD="$BIN check --no-config --format json $POLICIES > /dev/null"

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
bench "floor" "$INPUT" "$RUNS" "$WARMUP" "$FLOOR_CMD"
bench "trustlint" "$INPUT" "$RUNS" "$WARMUP" "$TRUSTLINT_CMD"
if [ -n "${BEFORE:-}" ]; then
    cp "$BEFORE" "$WORK/trustlint-before"
    bench "trustlint (before)" "$INPUT" "$RUNS" "$WARMUP" \
        "$WORK/trustlint-before check --no-config --format json $POLICIES > /dev/null"
fi
if [ "$PEER" = 1 ]; then
    bench "parliament" "$INPUT" "$PEER_RUNS" "$WARMUP" \
        "$PARLIAMENT --directory $POLICIES --include_policy_extension .json --json > /dev/null"
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# Interleaved timing: the commands take turns, a run each per round, timed
# from fork to exit (the same cost for each, unlike the rows above, whose
# ratios also carry the machine's drift between one command and the next).
ROUNDS=${ROUNDS:-40}
TURNS=("floor" "trustlint")
[ -n "${BEFORE:-}" ] && TURNS+=("trustlint (before)")
turn() {
    case $1 in
        0) "$FLOOR" "$POLICIES" ;;
        1) "$BIN" check --no-config --format json "$POLICIES" ;;
        2) "$WORK/trustlint-before" check --no-config --format json "$POLICIES" ;;
    esac > /dev/null 2>&1 || true
}
INTERLEAVED=()
if [ "$ROUNDS" -gt 0 ]; then
    log "interleaved: $ROUNDS rounds"
    for round in $(seq "$ROUNDS"); do
        # Each round starts one turn later: a run can be slowed by the one
        # before it (the memory a larger run leaves to be freed), and so
        # each command comes after each other equally often.
        for k in "${!TURNS[@]}"; do
            i=$(( (k + round) % ${#TURNS[@]} ))
            start=$(date +%s%N)
            turn "$i"
            echo $(( $(date +%s%N) - start )) >> "$WORK/turns.$i"
        done
    done
    for i in "${!TURNS[@]}"; do
        INTERLEAVED+=("${TURNS[$i]}|$(awk '{ print $1 / 1e9 }' "$WORK/turns.$i" | median)|$(sort -g "$WORK/turns.$i" | head -1 | awk '{ print $1 / 1e9 }')")
    done
fi

# instructions LABEL COMMAND...: instructions counted by callgrind, one thread.
INSTRUCTIONS=()
instructions() {
    local label=$1
    shift
    log "$label under callgrind (one thread)"
    RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$@" \
        > /dev/null 2> "$WORK/cg.err" || true
    INSTRUCTIONS+=("$label|$(awk '/^(summary|totals):/ { print $2; exit }' "$WORK/cg.out")")
}
if [ "$CALLGRIND" = 1 ]; then
    instructions "floor" "$FLOOR" "$POLICIES"
    instructions "trustlint" "$BIN" check --no-config --format json "$POLICIES"
    if [ -n "${BEFORE:-}" ]; then
        instructions "trustlint (before)" "$WORK/trustlint-before" check --no-config --format json "$POLICIES"
    fi
fi

# --- report ----------------------------------------------------------------
{
    echo "| Tool | Input | Median | Mean | Min … Max | Runs | × floor | Max RSS | Exit |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    floor_med=
    for row in "${ROWS[@]}"; do
        IFS='|' read -r label input med mean min max runs rss code <<< "$row"
        [ "$label" = "floor" ] && floor_med=$med
        ratio=$(awk -v m="$med" -v f="$floor_med" 'BEGIN { r = m / f; printf (r < 10 ? "%.2f×" : "%.0f×"), r }')
        printf '| %s | %s | %s | %s | %s … %s | %s | %s | %s MiB | %s |\n' \
            "$label" "$input" "$(fmt_time "$med")" "$(fmt_time "$mean")" \
            "$(fmt_time "$min")" "$(fmt_time "$max")" "$runs" "$ratio" \
            "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "$code"
    done
    if [ "${#INTERLEAVED[@]}" -gt 0 ]; then
        echo
        echo "| Tool | Median, interleaved ($ROUNDS rounds) | Min | × floor |"
        echo "|---|---:|---:|---:|"
        floor_med=
        for row in "${INTERLEAVED[@]}"; do
            IFS='|' read -r label med min <<< "$row"
            [ "$label" = "floor" ] && floor_med=$med
            printf '| %s | %s | %s | %s |\n' "$label" "$(fmt_time "$med")" "$(fmt_time "$min")" \
                "$(awk -v m="$med" -v f="$floor_med" 'BEGIN { printf "%.2f×", m / f }')"
        done
    fi
    if [ "${#INSTRUCTIONS[@]}" -gt 0 ]; then
        echo
        echo "| Tool | Instructions, one thread (callgrind) | × floor |"
        echo "|---|---:|---:|"
        floor_ir=
        for row in "${INSTRUCTIONS[@]}"; do
            IFS='|' read -r label ir <<< "$row"
            [ "$label" = "floor" ] && floor_ir=$ir
            awk -v l="$label" -v i="$ir" -v f="$floor_ir" \
                'BEGIN { printf "| %s | %.0f M | %.2f× |\n", l, i / 1e6, i / f }'
        done
    fi
    echo
    echo "Timer: $([ "$HYPERFINE" = 1 ] && hyperfine --version || echo '/usr/bin/time loop'), warmup $WARMUP;" \
        "trustlint $(trustlint_version);" \
        "$([ "$PEER" = 1 ] && echo "parliament $("$PARLIAMENT" --version 2>/dev/null | awk '{ print $NF }');")" \
        "load average $LOAD_BEFORE before, $LOAD_AFTER after;" \
        "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; $(date -u +%Y-%m-%d)."
} > "$RESULTS"

cat "$RESULTS"
log "written to $RESULTS"
