#!/usr/bin/env bash
# HMPPS events benchmark: how many HMPPS domain events a second one hub node applies to EXISTING episodes
# (POST /api/v1/events/hmpps, SNS envelopes of prisoner.released and prisoner.received), and how that compares
# with its PostgreSQL writing the same rows when driven directly (pgbench). See docs/performance.md.
#
#   ops/bench/events/run.sh                       # full run: 30 s hub load + 30 s pgbench
#   DURATION=5 ops/bench/events/run.sh            # quick check
#
# Settings (environment): DURATION (s, default 30), CONCURRENCY (connections, 8), THREADS (wrk threads, 2),
# WARMUP (s, 5), PGBENCH_DURATION (s, = DURATION), PGBENCH_CLIENTS (= CONCURRENCY), PGBENCH_JOBS (2),
# HUB_PEOPLE (episodes for each wrk thread and phase, 40000), PGBENCH_PEOPLE (episodes for each pgbench client,
# 15000), KEEP_DATA=1 keeps the throwaway data folder, STATEMENTS=1 restarts the cluster with pg_stat_statements
# and prints what the database ran for each side (calls, time, rows, buffers per statement; statements-*.txt).
#
# Steps: build the hub (Release); start it on its embedded PostgreSQL in a throwaway folder; load the episodes
# the events are about (load.sql: one set for the hub, one for pgbench); mint an EVENT_FEED token; warm up;
# drive the endpoint with distinct events (wrk + events.lua: even people released one day early, odd people
# returned to custody during their window); record rate, latency, non-2xx answers, the outcomes stored and the
# hub's peak memory; run pgbench (events.pgbench.sql) on the same server; print the comparison.
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
HUB_PEOPLE="${HUB_PEOPLE:-40000}"
PGBENCH_PEOPLE="${PGBENCH_PEOPLE:-15000}"
KEEP_DATA="${KEEP_DATA:-0}"
STATEMENTS="${STATEMENTS:-0}"

# shellcheck source=../lib/hub.sh
source "$here/../lib/hub.sh"

command -v wrk > /dev/null || die "wrk is not installed (Debian: apt-get install wrk; ops/bench/ingest/run.sh installs it)"
bench_pg_bin pgbench
bench_build_hub
bench_prepare events

log "minting a development token (--role EVENT_FEED) in $data"
TOKEN="$(bench_token --role EVENT_FEED)"
export TOKEN
bench_start_hub
psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -A -t -q)
if [[ "$STATEMENTS" == 1 ]]; then
    log "STATEMENTS=1: restarting the hub and its cluster with pg_stat_statements (diagnosis; costs some CPU per statement)"
    bench_stop_hub
    printf "\nshared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n" >> "$data/pg/postgresql.conf"
    bench_start_hub
    psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -A -t -q)
    "${psql[@]}" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
fi
# statements_reset / statements_report NAME: with STATEMENTS=1, what the database ran between the two (by total time).
statements_reset() { [[ "$STATEMENTS" != 1 ]] || "${psql[@]}" -c 'SELECT pg_stat_statements_reset()' > /dev/null; }
statements_report() {
    [[ "$STATEMENTS" == 1 ]] || return 0
    "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -q -P pager=off -c "
        SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms, rows,
               round((shared_blks_hit + shared_blks_read)::numeric / greatest(calls, 1), 1) AS blocks_per_call,
               left(regexp_replace(query, '\s+', ' ', 'g'), 150) AS query
          FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
         ORDER BY total_exec_time DESC LIMIT 30" > "$data/statements-$1.txt"
    log "statements ($1), by total execution time:"
    cat "$data/statements-$1.txt"
}

# --- the episodes the events are about ------------------------------------------------------------------------
today="$(TZ=Europe/London date +%F)"
hub_people=$((HUB_PEOPLE * THREADS * 2))   # a block per wrk thread, for the warm-up and for the measured run
pgbench_people=$((PGBENCH_PEOPLE * PGBENCH_CLIENTS))
log "loading $hub_people episodes for the hub and $pgbench_people for pgbench (load.sql)"
"${psql[@]}" -v people="$hub_people" -v first_letter=65 -v set=hub -v today="$today" -f "$here/load.sql"
"${psql[@]}" -v people="$pgbench_people" -v first_letter=80 -v set=pgb -v today="$today" -f "$here/load.sql"

# --- HTTP load ---------------------------------------------------------------------------------------------
run_wrk() { # $1 = seconds, $2 = phase (0 warm-up, 1 measured)
    FIRST=$(($2 * THREADS * HUB_PEOPLE)) BLOCK="$HUB_PEOPLE" LETTER=65 RUN_ID="$(printf '%04x' $((RANDOM)))" \
        wrk -t"$THREADS" -c"$CONCURRENCY" -d"$1s" --latency --timeout 10s -s "$here/events.lua" "$base"
}
if ((WARMUP > 0)); then
    log "warm-up: ${WARMUP}s"
    run_wrk "$WARMUP" 0 > "$data/wrk-warmup.txt" 2>&1 || { cat "$data/wrk-warmup.txt" >&2; die "warm-up failed"; }
fi
events_before="$("${psql[@]}" -c 'SELECT count(*) FROM hmpps_events')"
statements_reset

bench_measured_wrk "POST /api/v1/events/hmpps, ${CONCURRENCY} connections, ${THREADS} threads, ${DURATION}s" "$DURATION" 1
statements_report hub
events_stored=$(($("${psql[@]}" -c 'SELECT count(*) FROM hmpps_events') - events_before))
# What the events did, all phases: every one should have found its episode.
outcomes="$("${psql[@]}" -F ' ' -c "SELECT outcome || '=' || count(*) FROM hmpps_events GROUP BY outcome ORDER BY outcome" | tr '\n' ' ')"

# --- pgbench on the same server ------------------------------------------------------------------------------
log "pgbench: ${PGBENCH_CLIENTS} clients, ${PGBENCH_JOBS} jobs, ${PGBENCH_DURATION}s, $here/events.pgbench.sql (hub idle)"
statements_reset
pg_ticks_before="$(pg_ticks)"
"$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U hub -n -c "$PGBENCH_CLIENTS" -j "$PGBENCH_JOBS" -T "$PGBENCH_DURATION" \
    -D seq=-1 -D block="$PGBENCH_PEOPLE" -D run="$((RANDOM + 1))" -f "$here/events.pgbench.sql" continuityhub > "$data/pgbench.txt" 2>&1 \
    || { cat "$data/pgbench.txt" >&2; die "pgbench failed"; }
bench_pg_ticks=$(($(pg_ticks_after_disconnect) - pg_ticks_before))
cat "$data/pgbench.txt"
statements_report pgbench
bench_pgbench_result "$data/pgbench.txt"
((pg_processed <= pgbench_people)) || die "pgbench ran out of episodes ($pg_processed events for $pgbench_people): raise PGBENCH_PEOPLE"
pgbench_excluded="$("${psql[@]}" -c "SELECT count(*) FROM episodes WHERE noms_number >= 'P' AND status = 'excluded'")"

# --- report --------------------------------------------------------------------------------------------------
ratio="$(awk -v h="$wrk_rate" -v p="$pg_rate" 'BEGIN { printf "%.2f", h / p }')"
cat <<REPORT

ContinuityHub HMPPS events benchmark — $(date -u '+%Y-%m-%d %H:%M UTC') — $(bench_machine)
  hub:      POST /api/v1/events/hmpps (SNS envelopes: prisoner.released / prisoner.received, existing episodes), ${CONCURRENCY} connections, ${DURATION}s after ${WARMUP}s warm-up
  hub rate:           $(printf '%.1f' "$wrk_rate") events/s   (${wrk_requests} answers; ${events_stored} events stored)
  outcomes (all):     ${outcomes}
  hub latency:        p50 ${p50_ms} ms, p90 ${p90_ms} ms, p99 ${p99_ms} ms, max ${max_ms} ms
  non-2xx answers:    ${non2xx}   (socket errors ${socket_errors}, timeouts ${timeouts})
  CPU per event:      hub process $(bench_ms_per "$hub_ticks" "$events_stored") ms + PostgreSQL $(bench_ms_per "$hub_pg_ticks" "$events_stored") ms   (pgbench: PostgreSQL $(bench_ms_per "$bench_pg_ticks" "$pg_processed") ms per event)
  hub peak memory:    ${hwm_mib} MiB VmHWM   (VmRSS at end ${rss_mib} MiB)
  pgbench rate:       $(printf '%.1f' "$pg_rate") events/s   (${PGBENCH_CLIENTS} clients, ${PGBENCH_JOBS} jobs, ${PGBENCH_DURATION}s; latency average ${pg_latency} ms; failed ${pg_failed:-0}; ${pgbench_excluded} episodes excluded)
  ratio hub/pgbench:  ${ratio}
  machine load:       load average ${load_before} before the hub load, ${load_after} after it (anything above ~2 on 2 cores is
                      other work competing with the benchmark)
  targets:            ratio >= 0.8: $(bench_verdict "$ratio >= 0.8");  non-2xx = 0: $(bench_verdict "$non2xx == 0")
REPORT
