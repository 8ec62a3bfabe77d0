#!/usr/bin/env bash
# Large `get-account-authorization-details` exports: how trustlint's time and
# peak memory grow from 32 MB to 200 MB, against the floor (read the file and
# parse it into a `serde_json::Value`, `examples/parse_floor.rs`) and against
# the file's size, with parliament and cloudsplaining on the same files.
#
#   bash bench/exports.sh        # from anywhere; paths are relative to the repo root
#
# Environment:
#   SIZES="32 65 130 200"  export sizes in MB (bench/gen_corpus.py --gaad-mb)
#   RUNS=3                 timed runs per trustlint and floor command (the median is shown)
#   PEERS=1                also run parliament and cloudsplaining (once each); 0 skips them
#   PEER_TIMEOUT=300       seconds before a peer run is stopped (exit 124)
#
# Prints a markdown table and writes it to bench/exports-results.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SIZES=${SIZES:-"32 65 130 200"}
RUNS=${RUNS:-3}
PEERS=${PEERS:-1}
PEER_TIMEOUT=${PEER_TIMEOUT:-300}
TIMER=loop

CORPUS=bench/corpus
VENV=bench/.venv
RESULTS=bench/exports-results.md
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

source bench/common.sh

# --- tools -----------------------------------------------------------------
setup_tools
cargo build --release --quiet --example parse_floor
FLOOR=$WORK/parse_floor
cp "${CARGO_TARGET_DIR:-target}/release/examples/parse_floor" "$FLOOR"

if [ "$PEERS" = 1 ]; then
    if ! "$VENV/bin/parliament" --version > /dev/null 2>&1 || [ ! -x "$VENV/bin/cloudsplaining" ]; then
        log "installing parliament and cloudsplaining into $VENV"
        [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check parliament cloudsplaining
    fi
fi

# --- inputs ----------------------------------------------------------------
# shellcheck disable=SC2086
python3 bench/gen_corpus.py "$CORPUS" --gaad-mb $SIZES > /dev/null

# --- measuring -------------------------------------------------------------

# measure RUNS COMMAND...: runs the command RUNS times under /usr/bin/time
# (and `timeout`); prints "median-seconds max-rss-KiB exit" (the largest peak
# of the runs; the exit code of the last run).
measure() {
    local runs=$1 code=0 out
    shift
    : > "$WORK/runs"
    for _ in $(seq "$runs"); do
        code=0
        /usr/bin/time -o "$WORK/one" -f '%e %M' timeout "$PEER_TIMEOUT" "$@" > /dev/null 2> "$WORK/err" || code=$?
        grep -E '^[0-9.]+ [0-9]+$' "$WORK/one" | tail -n 1 >> "$WORK/runs"
        if [ "$code" -gt 1 ]; then break; fi
    done
    out=$(awk '{ print $1 }' "$WORK/runs" | median)
    printf '%s %s %s\n' "$out" "$(awk '$2 > m { m = $2 } END { print m + 0 }' "$WORK/runs")" "$code"
}

ROWS=()  # size|label|secs|rss-kib|exit|file-bytes
for mb in $SIZES; do
    f=$CORPUS/gaad/gaad-${mb}mb.json
    bytes=$(stat -L -c %s "$f")
    cat "$f" > /dev/null  # into the page cache
    log "floor on $f"
    read -r s k e < <(measure "$RUNS" "$FLOOR" "$f")
    ROWS+=("$mb|floor: serde_json::Value|$s|$k|$e|$bytes")
    log "trustlint check on $f"
    read -r s k e < <(measure "$RUNS" "$BIN" check "$f" --no-config --format json)
    ROWS+=("$mb|trustlint check --format json|$s|$k|$e|$bytes")
    log "trustlint graph on $f"
    read -r s k e < <(measure "$RUNS" "$BIN" graph "$f" --no-config --format json)
    ROWS+=("$mb|trustlint graph --format json|$s|$k|$e|$bytes")
    if [ "$PEERS" = 1 ]; then
        log "parliament on $f"
        read -r s k e < <(measure 1 "$VENV/bin/parliament" --auth-details-file "$f" --json)
        ROWS+=("$mb|parliament --auth-details-file|$s|$k|$e|$bytes")
        log "cloudsplaining on $f"
        out_dir=$(mktemp -d)
        read -r s k e < <(measure 1 "$VENV/bin/cloudsplaining" scan --input-file "$f" --output "$out_dir" --skip-open-report)
        rm -rf "$out_dir"
        ROWS+=("$mb|cloudsplaining scan|$s|$k|$e|$bytes")
    fi
done

# --- report ----------------------------------------------------------------
{
    echo "| Export | Tool | Time | × floor | s per 100 MB | Max RSS | RSS × file | Exit |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    declare -A floor
    for row in "${ROWS[@]}"; do
        IFS='|' read -r mb label s k e bytes <<< "$row"
        [ "$label" = "floor: serde_json::Value" ] && floor[$mb]=$s
        awk -v mb="$mb" -v label="$label" -v s="$s" -v k="$k" -v e="$e" -v b="$bytes" \
            -v f="${floor[$mb]}" -v limit="$PEER_TIMEOUT" 'BEGIN {
            file_mb = b / 1e6
            if (e == 124) { time = ">" limit " s"; ratio = "—"; per = "—" }
            else {
                time = sprintf("%.2f s", s)
                ratio = (f > 0) ? sprintf(s / f < 10 ? "%.2f×" : "%.0f×", s / f) : "—"
                per = sprintf("%.2f s", s / file_mb * 100)
            }
            printf "| %.0f MB | %s | %s | %s | %s | %.0f MiB | %.2f× | %s |\n",
                file_mb, label, time, ratio, per, k / 1024, k * 1024 / b, e
        }'
    done
    echo
    echo "trustlint $(trustlint_version); median of $RUNS runs for trustlint and the floor, one run for peers;" \
        "$([ "$PEERS" = 1 ] && echo "parliament $("$VENV/bin/pip" show parliament 2>/dev/null | awk '/^Version/ { print $2 }'), cloudsplaining $("$VENV/bin/pip" show cloudsplaining 2>/dev/null | awk '/^Version/ { print $2 }');")" \
        "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; $(date -u +%Y-%m-%d)."
} > "$RESULTS"

cat "$RESULTS"
log "written to $RESULTS"
