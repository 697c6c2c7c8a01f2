#!/usr/bin/env bash
# Ingest benchmark: how many release notifications a second one hub node takes in, and how that compares with
# what its PostgreSQL can do for the same rows when driven directly (pgbench). See docs/performance.md.
#
#   ops/bench/ingest/run.sh                       # full run: 30 s hub load + 30 s pgbench
#   DURATION=5 ops/bench/ingest/run.sh            # quick check
#
# Settings (environment): DURATION (s, default 30), CONCURRENCY (connections, 8), THREADS (wrk threads, 2),
# WARMUP (s, 5), PGBENCH_DURATION (s, = DURATION), PGBENCH_CLIENTS (= CONCURRENCY), PGBENCH_JOBS (2),
# KEEP_DATA=1 keeps the throwaway data folder.
#
# Steps: build the hub (Release); start it on its embedded PostgreSQL in a throwaway data folder on a free
# loopback port; mint a development token; warm up; drive POST /api/v1/releases with distinct valid
# notifications (wrk + releases.lua); record rate, latency, non-2xx answers and the hub's peak memory; run
# pgbench (intake.pgbench.sql) against the same PostgreSQL server; print the comparison; stop the hub (SIGTERM,
# which also stops its PostgreSQL) and remove the folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

DURATION="${DURATION:-30}"
CONCURRENCY="${CONCURRENCY:-8}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-5}"
PGBENCH_DURATION="${PGBENCH_DURATION:-$DURATION}"
PGBENCH_CLIENTS="${PGBENCH_CLIENTS:-$CONCURRENCY}"
PGBENCH_JOBS="${PGBENCH_JOBS:-2}"
KEEP_DATA="${KEEP_DATA:-0}"

# shellcheck source=../lib/hub.sh
source "$here/../lib/hub.sh"

# --- tools, build, throwaway data folder + free port --------------------------------------------------------
if ! command -v wrk > /dev/null; then
    [[ $(id -u) -eq 0 ]] || die "wrk is not installed (Debian: apt-get install wrk) and we are not root to install it"
    log "installing wrk"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk > /dev/null
fi
bench_pg_bin pgbench
bench_build_hub
bench_prepare ingest

# --- token + start -------------------------------------------------------------------------------------------
log "minting a development token (--role PRISON_HEALTHCARE --prisons ONI) in $data"
TOKEN="$(bench_token --role PRISON_HEALTHCARE --prisons ONI)"
export TOKEN
bench_start_hub
psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -A -t -q)

# --- HTTP load ---------------------------------------------------------------------------------------------
run_wrk() { # $1 = seconds, $2 = first NOMS letter index
    NOMS_FIRST_LETTER="$2" RUN_ID="$(printf '%04x' $((RANDOM)))" \
        wrk -t"$THREADS" -c"$CONCURRENCY" -d"$1s" --latency --timeout 10s -s "$here/releases.lua" "$base"
}
if ((WARMUP > 0)); then
    log "warm-up: ${WARMUP}s"
    run_wrk "$WARMUP" 0 > "$data/wrk-warmup.txt" 2>&1 || { cat "$data/wrk-warmup.txt" >&2; die "warm-up failed"; }
fi
rows_before="$("${psql[@]}" -c 'SELECT count(*) FROM release_notifications')"

bench_measured_wrk "POST /api/v1/releases, ${CONCURRENCY} connections, ${THREADS} threads, ${DURATION}s" "$DURATION" "$THREADS"
rows_after="$("${psql[@]}" -c 'SELECT count(*) FROM release_notifications')"
rows_written=$((rows_after - rows_before))
episodes="$("${psql[@]}" -c 'SELECT count(*) FROM episodes')"
referrals="$("${psql[@]}" -c 'SELECT count(*) FROM referrals')"

# --- pgbench on the same server ------------------------------------------------------------------------------
log "pgbench: ${PGBENCH_CLIENTS} clients, ${PGBENCH_JOBS} jobs, ${PGBENCH_DURATION}s, $here/intake.pgbench.sql (hub idle)"
pg_ticks_before="$(pg_ticks)"
"$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U hub -n -c "$PGBENCH_CLIENTS" -j "$PGBENCH_JOBS" -T "$PGBENCH_DURATION" \
    -D seq=0 -D run="$((RANDOM + 1))" -f "$here/intake.pgbench.sql" continuityhub > "$data/pgbench.txt" 2>&1 \
    || { cat "$data/pgbench.txt" >&2; die "pgbench failed"; }
bench_pg_ticks=$(($(pg_ticks_after_disconnect) - pg_ticks_before))
cat "$data/pgbench.txt"
bench_pgbench_result "$data/pgbench.txt"

# --- report --------------------------------------------------------------------------------------------------
ratio="$(awk -v h="$wrk_rate" -v p="$pg_rate" 'BEGIN { printf "%.2f", h / p }')"
hub_cpu="$(bench_ms_per "$hub_ticks" "$rows_written")"
cat <<REPORT

ContinuityHub ingest benchmark — $(date -u '+%Y-%m-%d %H:%M UTC') — $(bench_machine)
  hub:      POST /api/v1/releases, ${CONCURRENCY} connections, ${DURATION}s after ${WARMUP}s warm-up (embedded PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $3 }'))
  hub rate:           $(printf '%.1f' "$wrk_rate") notifications/s   (${wrk_requests} answers; ${rows_written} notifications stored; ${episodes} episodes, ${referrals} referrals in total)
  hub latency:        p50 ${p50_ms} ms, p90 ${p90_ms} ms, p99 ${p99_ms} ms, max ${max_ms} ms
  non-2xx answers:    ${non2xx}   (socket errors ${socket_errors}, timeouts ${timeouts})
  CPU per notification: hub process ${hub_cpu} ms + PostgreSQL $(bench_ms_per "$hub_pg_ticks" "$rows_written") ms   (pgbench: PostgreSQL $(bench_ms_per "$bench_pg_ticks" "$pg_processed") ms per transaction)
  hub peak memory:    ${hwm_mib} MiB VmHWM   (VmRSS at end ${rss_mib} MiB)
  pgbench rate:       $(printf '%.1f' "$pg_rate") transactions/s   (${PGBENCH_CLIENTS} clients, ${PGBENCH_JOBS} jobs, ${PGBENCH_DURATION}s; latency average ${pg_latency} ms; failed ${pg_failed:-0})
  ratio hub/pgbench:  ${ratio}
  machine load:       load average ${load_before} before the hub load, ${load_after} after it (anything above ~2 on 2 cores is
                      other work competing with the benchmark)
  targets:            ratio >= 0.8: $(bench_verdict "$ratio >= 0.8");  hub CPU <= 1.0 ms: $(bench_verdict "$hub_cpu <= 1.0");  p99 < 50 ms: $(bench_verdict "$p99_ms < 50");  non-2xx = 0: $(bench_verdict "$non2xx == 0");  peak memory < 300 MiB: $(bench_verdict "$hwm_mib < 300")
REPORT
