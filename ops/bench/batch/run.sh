#!/usr/bin/env bash
# CSV batch benchmark: how fast one hub node takes in a 10,000-row release batch (POST /api/v1/releases/batch as
# text/csv, docs/releases-csv.md), and how that compares with its PostgreSQL writing the same rows when driven
# directly (pgbench, the ingest benchmark's transaction: one new notification). See docs/performance.md.
#
#   ops/bench/batch/run.sh                        # 1,000-row warm-up batch, then the 10,000-row batch, then pgbench
#   ROWS=2000 ops/bench/batch/run.sh              # quick check
#
# Settings (environment): ROWS (10000, the most a batch may hold), WARMUP_ROWS (1000), PGBENCH_CLIENTS (8),
# PGBENCH_JOBS (2), KEEP_DATA=1 keeps the throwaway data folder.
#
# Steps: build the hub (Release); start it on its embedded PostgreSQL in a throwaway folder; mint a
# PRISON_HEALTHCARE token for ONI; send a warm-up batch; send the measured batch (releases-csv.py: distinct, valid
# rows, the same content as the ingest benchmark's notifications) and time its answer; record the rows accepted,
# CPU of the hub and of PostgreSQL per row and the hub's peak memory; run pgbench (../ingest/intake.pgbench.sql)
# for the same number of rows on the same server; print the comparison.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

ROWS="${ROWS:-10000}"
WARMUP_ROWS="${WARMUP_ROWS:-1000}"
PGBENCH_CLIENTS="${PGBENCH_CLIENTS:-8}"
PGBENCH_JOBS="${PGBENCH_JOBS:-2}"
KEEP_DATA="${KEEP_DATA:-0}"

# shellcheck source=../lib/hub.sh
source "$here/../lib/hub.sh"

bench_pg_bin pgbench
bench_build_hub
bench_prepare batch

log "minting a development token (--role PRISON_HEALTHCARE --prisons ONI) in $data"
TOKEN="$(bench_token --role PRISON_HEALTHCARE --prisons ONI)"
bench_start_hub
psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -A -t -q)

# send_batch FILE OUT: posts a CSV batch; prints the seconds the answer took.
send_batch() {
    curl -sS -o "$2" -w '%{http_code} %{time_total}\n' --max-time 900 -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: text/csv' --data-binary "@$1" "$base/api/v1/releases/batch" > "$2.status"
    [[ "$(cut -d' ' -f1 "$2.status")" == 200 ]] || { head -c 600 "$2" >&2; die "the batch was answered $(cut -d' ' -f1 "$2.status")"; }
    cut -d' ' -f2 "$2.status"
}
# accepted FILE: the answer's accepted count, and every other count that is not 0.
counts() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["accepted"], " ".join(f"{k}={r[k]}" for k in ("duplicates","rejected","errors") if r[k]))' "$1"; }

run_id="$(printf '%04x' $((RANDOM)))"
python3 "$here/releases-csv.py" "$WARMUP_ROWS" W "$run_id" > "$data/warmup.csv"
python3 "$here/releases-csv.py" "$ROWS" B "$run_id" > "$data/batch.csv"
if ((WARMUP_ROWS > 0)); then
    log "warm-up: a batch of $WARMUP_ROWS rows"
    send_batch "$data/warmup.csv" "$data/warmup.json" > /dev/null
fi

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
log "load: POST /api/v1/releases/batch, text/csv, $ROWS rows, $(($(stat -c %s "$data/batch.csv") / 1024)) KiB (load average: $load_before)"
hub_ticks_before="$(proc_ticks "$hub_pid")"; pg_ticks_before="$(pg_ticks)"
seconds="$(send_batch "$data/batch.csv" "$data/batch.json")"
hub_ticks=$(($(proc_ticks "$hub_pid") - hub_ticks_before)); hub_pg_ticks=$(($(pg_ticks) - pg_ticks_before))
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
bench_peak_memory
read -r accepted others <<< "$(counts "$data/batch.json")"
[[ "$accepted" == "$ROWS" ]] || die "only $accepted of $ROWS rows were accepted ($others)"
hub_rate="$(awk -v n="$ROWS" -v s="$seconds" 'BEGIN { printf "%.1f", n / s }')"

# --- pgbench on the same server: the same number of rows -----------------------------------------------------
per_client=$(((ROWS + PGBENCH_CLIENTS - 1) / PGBENCH_CLIENTS))
log "pgbench: ${PGBENCH_CLIENTS} clients × ${per_client} transactions, ${PGBENCH_JOBS} jobs, $root/ops/bench/ingest/intake.pgbench.sql (hub idle)"
pg_ticks_before="$(pg_ticks)"
"$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U hub -n -c "$PGBENCH_CLIENTS" -j "$PGBENCH_JOBS" -t "$per_client" \
    -D seq=0 -D run="$((RANDOM + 1))" -f "$root/ops/bench/ingest/intake.pgbench.sql" continuityhub > "$data/pgbench.txt" 2>&1 \
    || { cat "$data/pgbench.txt" >&2; die "pgbench failed"; }
bench_pg_ticks=$(($(pg_ticks_after_disconnect) - pg_ticks_before))
cat "$data/pgbench.txt"
bench_pgbench_result "$data/pgbench.txt"

ratio="$(awk -v h="$hub_rate" -v p="$pg_rate" 'BEGIN { printf "%.2f", h / p }')"
cat <<REPORT

ContinuityHub CSV batch benchmark — $(date -u '+%Y-%m-%d %H:%M UTC') — $(bench_machine)
  hub:      POST /api/v1/releases/batch, text/csv, one batch of ${ROWS} rows after a ${WARMUP_ROWS}-row warm-up batch
  hub:                ${ROWS} rows answered in ${seconds} s = ${hub_rate} rows/s   (accepted ${accepted}${others:+; $others})
  CPU per row:        hub process $(bench_ms_per "$hub_ticks" "$ROWS") ms + PostgreSQL $(bench_ms_per "$hub_pg_ticks" "$ROWS") ms   (pgbench: PostgreSQL $(bench_ms_per "$bench_pg_ticks" "$pg_processed") ms per row)
  hub peak memory:    ${hwm_mib} MiB VmHWM   (VmRSS at end ${rss_mib} MiB)
  pgbench rate:       $(printf '%.1f' "$pg_rate") rows/s   (${pg_processed} transactions, ${PGBENCH_CLIENTS} clients, ${PGBENCH_JOBS} jobs; latency average ${pg_latency} ms; failed ${pg_failed:-0})
  ratio hub/pgbench:  ${ratio}
  machine load:       load average ${load_before} before the batch, ${load_after} after it (anything above ~2 on 2 cores is
                      other work competing with the benchmark)
  targets:            ratio >= 0.9: $(bench_verdict "$ratio >= 0.9")
REPORT
