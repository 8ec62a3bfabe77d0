# Shared by the benchmark drivers (run.sh, iac.sh): logging, installs, the
# binary under test and the timer, and one timed row.
#
# Expects WORK (a scratch directory) and TIMER (hyperfine or loop) to be set;
# sets BIN, BUILT_FROM, HYPERFINE; rows go to the ROWS array.

log() { echo "==> $*" >&2; }

apt_install() {  # apt_install PACKAGE: only as root, only if apt-get exists
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        log "installing $1 with apt-get"
        apt-get install -y -qq "$1" > /dev/null || { apt-get update -qq && apt-get install -y -qq "$1" > /dev/null; } || true
    fi
}

setup_tools() {
    log "building trustlint (release)"
    cargo build --release --quiet
    # Time a copy, so that a rebuild in this work tree during the run cannot swap
    # the binary between rows; note the commit it was built from.
    BIN=$WORK/trustlint
    cp "${CARGO_TARGET_DIR:-target}/release/trustlint" "$BIN"
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
}

ROWS=()

# median of numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'; }

# bench LABEL INPUT RUNS WARMUP COMMAND
# COMMAND is run by bash; exit codes 0 and 1 (1 = findings reported) count as success.
bench() {
    local label=$1 input=$2 runs=$3 warmup=$4 cmd=$5 code rss
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
        hyperfine --style basic --ignore-failure --warmup "$warmup" --runs "$runs" \
            --export-json "$WORK/hf.json" "$cmd" >&2
        read -r med mean min max < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(r["median"], r["mean"], r["min"], r["max"])' "$WORK/hf.json")
    else
        for _ in $(seq "$warmup"); do bash -c "$cmd" || true; done
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

# The version and commit of the binary under test, for the report.
trustlint_version() {
    local v
    v=$("$BIN" --version 2>/dev/null | awk '{ print $NF }') || true
    [ -n "$v" ] || v=$(awk -F'"' '/^version/ { print $2; exit }' Cargo.toml)
    echo "$v ($BUILT_FROM)"
}

# ms with 1 decimal below 10 ms, whole ms below 1 s, else seconds
fmt_time() { awk -v t="$1" 'BEGIN { if (t < 0.01) printf "%.1f ms", t * 1000; else if (t < 1) printf "%.0f ms", t * 1000; else printf "%.2f s", t }'; }

# rows_table: the ROWS as a markdown table, each row's time also as a ratio
# to trustlint's on the same input.
rows_table() {
    echo "| Tool | Input | Median | Mean | Min … Max | Runs | × trustlint | Max RSS | Exit |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    local -A base
    local row label input med mean min max runs rss code ratio
    for row in "${ROWS[@]}"; do
        IFS='|' read -r label input med mean min max runs rss code <<< "$row"
        [ "$label" = "trustlint" ] && base[$input]=$med
        ratio=—
        if [ "$label" != "floor: cat" ]; then
            ratio=$(awk -v m="$med" -v f="${base[$input]}" 'BEGIN { r = m / f; printf (r < 10 ? "%.2f×" : "%.0f×"), r }')
        fi
        printf '| %s | %s | %s | %s | %s … %s | %s | %s | %s MiB | %s |\n' \
            "$label" "$input" "$(fmt_time "$med")" "$(fmt_time "$mean")" \
            "$(fmt_time "$min")" "$(fmt_time "$max")" "$runs" "$ratio" \
            "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "$code"
    done
}
