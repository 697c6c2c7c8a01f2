#!/usr/bin/env bash
# Report benchmark (issue #5 item 7): GET /api/v1/reports/engagement?groupBy=prison&groupBy=month over 1,000,000
# episodes (15 years of releases in England), against a hand-written SQL query computing the same totals on the
# same data in the same run. See docs/performance.md.
#
#   ops/bench/report/run.sh                  # full run: 1,000,000 episodes, 20 timed runs of each
#   EPISODES=100000 RUNS=5 ops/bench/report/run.sh   # quick check
#
# Settings (environment): EPISODES (1000000), PEOPLE (70% of EPISODES), RUNS (20), WARMUP (3 runs of each),
# AS_OF (2026-11-30: the data's last day), KEEP_DATA=1 keeps the throwaway data folder.
#
# Steps: build the hub (Release); start it on its embedded PostgreSQL in a throwaway data folder on a free
# loopback port; mint a COMMISSIONER development token; load the episodes by SQL (load.sql) and VACUUM ANALYZE;
# for each period (the full 15 years; financial year 2025/26): check that the hub's totals equal the
# hand-written query's, then time WARMUP + RUNS requests with curl and WARMUP + RUNS runs of reference.sql in
# one psql session (\timing), and print p50 and p95 of each and the ratio; stop the hub (SIGTERM, which also
# stops its PostgreSQL) and remove the folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

EPISODES="${EPISODES:-1000000}"
PEOPLE="${PEOPLE:-$((EPISODES * 7 / 10))}"
RUNS="${RUNS:-20}"
WARMUP="${WARMUP:-3}"
AS_OF="${AS_OF:-2026-11-30}"
KEEP_DATA="${KEEP_DATA:-0}"

# shellcheck source=../lib/hub.sh
source "$here/../lib/hub.sh"

# --- tools, build, throwaway data folder + free port --------------------------------------------------------
bench_pg_bin psql
bench_build_hub
bench_prepare report

# --- token + start -------------------------------------------------------------------------------------------
log "minting a development token (--role COMMISSIONER) in $data"
TOKEN="$(bench_token --role COMMISSIONER)"
bench_start_hub
psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -q -v ON_ERROR_STOP=1)

# --- data ----------------------------------------------------------------------------------------------------
log "loading $EPISODES episodes of $PEOPLE people by SQL (load.sql), then VACUUM ANALYZE"
load_start=$(date +%s)
"${psql[@]}" -v episodes="$EPISODES" -v people="$PEOPLE" -f "$here/load.sql" > "$data/load.txt" 2>&1 || { cat "$data/load.txt" >&2; die "loading failed"; }
load_s=$(($(date +%s) - load_start))
mix="$("${psql[@]}" -A -t -F '|' -c "SELECT count(*), min(release_date), max(release_date), count(DISTINCT prison_code), count(DISTINCT local_authority_code),
    count(DISTINCT provider_ods), pg_size_pretty(pg_table_size('episodes')), pg_size_pretty(pg_relation_size('ix_episodes_engagement_report')) FROM episodes")"
IFS='|' read -r n_episodes first_release last_release n_prisons n_authorities n_providers table_size index_size <<< "$mix"
log "loaded in ${load_s}s: $mix"

# Milliseconds of CPU (proc_ticks/pg_ticks of lib/hub.sh) per unit of work.
ms_per() { awk -v t="$1" -v n="$2" -v hz="$ticks_per_s" 'BEGIN { if (n > 0) printf "%.0f", t * 1000 / hz / n; else print "n/a" }'; }

percentile() { # $1 = p (0-100); numbers on stdin, one a line
    sort -n | awk -v p="$1" '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } i = int((p / 100) * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.1f", v[i] }'
}

measure() { # $1 = label, $2 = from, $3 = to
    local label="$1" from="$2" to="$3"
    local url="$base/api/v1/reports/engagement?from=$from&to=$to&asOf=$AS_OF&groupBy=prison&groupBy=month"

    # The same totals, or the comparison means nothing.
    local hub_totals sql_totals
    hub_totals="$(curl -fs -H "Authorization: Bearer $TOKEN" "$url" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["cohort"], r["engaged"], r["notEngaged"], r["pending"], r["excluded"], len(r["groups"]))')"
    sql_totals="$("${psql[@]}" -A -t -F '|' -v from="$from" -v to="$to" -v as_of="$AS_OF" -f "$here/reference.sql" \
        | awk -F '|' '$1 == 3 { total = $4 " " $5 " " $6 " " $7 " " $8 } END { print total }')"
    [[ "${hub_totals% *}" == "$sql_totals" ]] || die "$label: the hub's totals ($hub_totals) differ from the hand-written query's ($sql_totals)"

    local hub_ms sql_ms hub_cpu_before pg_cpu_before hub_cpu hub_pg_cpu sql_pg_cpu
    for _ in $(seq "$WARMUP"); do curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "$url"; done
    hub_cpu_before="$(proc_ticks "$hub_pid")"; pg_cpu_before="$(pg_ticks)"
    hub_ms="$(for _ in $(seq "$RUNS"); do
        curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$url"
    done | awk '{ printf "%.1f\n", $1 * 1000 }')"
    hub_cpu=$(($(proc_ticks "$hub_pid") - hub_cpu_before)); hub_pg_cpu=$(($(pg_ticks) - pg_cpu_before))
    # Warm-up runs first, in a session of their own, so the timed session's CPU is the timed runs'.
    { for _ in $(seq "$WARMUP"); do echo "\\i $here/reference.sql"; done; } \
        | "${psql[@]}" -o /dev/null -v from="$from" -v to="$to" -v as_of="$AS_OF"
    pg_cpu_before="$(pg_ticks)"
    sql_ms="$( { echo '\timing on'; for _ in $(seq "$RUNS"); do echo "\\i $here/reference.sql"; done; } \
        | "${psql[@]}" -o /dev/null -v from="$from" -v to="$to" -v as_of="$AS_OF" \
        | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')"
    sleep 1   # let the postmaster reap psql's backend, so its CPU is in the postmaster's cutime
    sql_pg_cpu=$(($(pg_ticks) - pg_cpu_before))
    [[ $(wc -l <<< "$sql_ms") -eq "$RUNS" ]] || die "$label: could not read psql's timings"

    local hub_p50 hub_p95 sql_p50 sql_p95 ratio
    hub_p50="$(percentile 50 <<< "$hub_ms")"; hub_p95="$(percentile 95 <<< "$hub_ms")"
    sql_p50="$(percentile 50 <<< "$sql_ms")"; sql_p95="$(percentile 95 <<< "$sql_ms")"
    ratio="$(awk -v h="$hub_p50" -v s="$sql_p50" 'BEGIN { printf "%.2f", h / s }')"
    verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }
    cat <<PERIOD
  $label: from=$from to=$to asOf=$AS_OF, groupBy=prison&groupBy=month
    totals (cohort engaged notEngaged pending excluded):  hub ${hub_totals% *}  =  SQL $sql_totals   (${hub_totals##* } groups)
    hub   GET /api/v1/reports/engagement:  p50 ${hub_p50} ms   p95 ${hub_p95} ms   (curl time_total, ${RUNS} runs after ${WARMUP})
    SQL   reference.sql via psql \\timing:  p50 ${sql_p50} ms   p95 ${sql_p95} ms   (${RUNS} runs after ${WARMUP})
    ratio hub/SQL (p50):                   ${ratio}
    CPU per report:  hub process $(ms_per "$hub_cpu" "$RUNS") ms + PostgreSQL $(ms_per "$hub_pg_cpu" "$RUNS") ms;  SQL: PostgreSQL $(ms_per "$sql_pg_cpu" "$RUNS") ms
    targets: p50 < 500 ms: $(verdict "$hub_p50 < 500");  ratio <= 2: $(verdict "$ratio <= 2")
PERIOD
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
log "timing (load average: $load_before)"
full="$(measure "15 years" 2011-12-01 2026-11-30)"
year="$(measure "financial year 2025/26" 2025-04-01 2026-03-31)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

cat <<REPORT

ContinuityHub report benchmark — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), PostgreSQL $("$pg_bin/psql" --version | awk '{ print $3 }') (embedded)
  data: $n_episodes episodes ($PEOPLE people), releases $first_release … $last_release, $n_prisons prisons, $n_authorities local authorities,
        $n_providers providers; loaded in ${load_s}s; episodes table $table_size, report index $index_size
$full
$year
  machine load: load average $load_before before timing, $load_after after (above ~2 on 2 cores means other work competed)
REPORT
