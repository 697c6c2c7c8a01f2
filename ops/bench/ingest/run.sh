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

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------------------------------
if ! command -v wrk > /dev/null; then
    [[ $(id -u) -eq 0 ]] || die "wrk is not installed (Debian: apt-get install wrk) and we are not root to install it"
    log "installing wrk"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk > /dev/null
fi
pg_bin="$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/pgbench' | sort -V | tail -n 1)")"
[[ -x "$pg_bin/pgbench" ]] || pg_bin="$(dirname "$(command -v pgbench || true)")"
[[ -x "$pg_bin/pgbench" ]] || die "pgbench not found (Debian: apt-get install postgresql)"
command -v curl > /dev/null || die "curl is needed"

# --- build ---------------------------------------------------------------------------------------------------
log "building the hub (Release)"
dotnet build "$root/src/ContinuityHub/ContinuityHub.csproj" -c Release -nologo -v quiet > /dev/null
dll="$root/src/ContinuityHub/bin/Release/net10.0/ContinuityHub.dll"
[[ -f "$dll" ]] || die "build output $dll not found"

# --- throwaway data folder + free port ---------------------------------------------------------------------
# A name of our own: other tools on a shared machine may sweep /tmp/continuityhub-* (the tests' clusters).
data="$(mktemp -d /tmp/ops-ingest-bench.XXXXXX)"
chmod 755 "$data"   # as root the embedded PostgreSQL runs as `postgres`, which must traverse the folder
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

hub_env=(
    env
    "ConnectionStrings__Hub="
    "Hub__DataDirectory=$data"
    "Hub__Auth__Mode=development"
    "Hub__LogFormat=json"
    "Urls=$base"
    "ASPNETCORE_ENVIRONMENT=Production"
    "DOTNET_NOLOGO=1"
)

hub_pid=""
cleanup() {
    local status=$?
    if [[ $status -ne 0 && -f "$data/hub.log" ]]; then
        log "failed; the end of the hub's log:"
        tail -n 30 "$data/hub.log" >&2 || true
    fi
    if [[ -n "$hub_pid" ]] && kill -0 "$hub_pid" 2> /dev/null; then
        log "stopping the hub (SIGTERM; it stops its PostgreSQL)"
        kill -TERM "$hub_pid" 2> /dev/null || true
        for _ in $(seq 60); do kill -0 "$hub_pid" 2> /dev/null || break; sleep 0.5; done
        if kill -0 "$hub_pid" 2> /dev/null; then
            log "the hub did not stop in 30 s: killing it"
            kill -KILL "$hub_pid" 2> /dev/null || true
        fi
    fi
    # Belt and braces: never leave a PostgreSQL server running on the throwaway folder.
    if [[ -f "$data/pg/postmaster.pid" ]]; then
        if [[ $(id -u) -eq 0 ]]; then
            runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data/pg" -m fast -w stop > /dev/null 2>&1 || true
        else
            "$pg_bin/pg_ctl" -D "$data/pg" -m fast -w stop > /dev/null 2>&1 || true
        fi
    fi
    if [[ "$KEEP_DATA" == 1 ]]; then log "data kept in $data"; else rm -rf "$data"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- token + start -------------------------------------------------------------------------------------------
log "minting a development token (PRISON_HEALTHCARE, ONI) in $data"
TOKEN="$("${hub_env[@]}" dotnet "$dll" dev-token --role PRISON_HEALTHCARE --prisons ONI)"
export TOKEN

log "starting the hub on $base (embedded PostgreSQL in $data/pg)"
(cd "$(dirname "$dll")" && exec "${hub_env[@]}" dotnet "$dll") > "$data/hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 120); do
    curl -fs -o /dev/null "$base/health/ready" && break
    kill -0 "$hub_pid" 2> /dev/null || { tail -n 20 "$data/hub.log" >&2; die "the hub exited during start-up"; }
    sleep 0.5
done
curl -fs -o /dev/null "$base/health/ready" || { tail -n 20 "$data/hub.log" >&2; die "the hub did not become ready"; }

pg_port="$(sed -n 4p "$data/pg/postmaster.pid")"
PGPASSWORD="$(cat "$data/pg.password")"
export PGPASSWORD
psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -A -t -q)

# CPU time (clock ticks) of the hub process, and of the whole PostgreSQL server: postmaster + its live
# children + the children it has already reaped (cutime/cstime) — so a noisy machine cannot hide the cost per
# notification the way it distorts rates.
ticks_per_s="$(getconf CLK_TCK)"
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2> /dev/null || echo 0; }
pg_ticks() {
    local pm total child
    pm="$(head -n 1 "$data/pg/postmaster.pid" 2> /dev/null)" || { echo 0; return; }
    total="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat" 2> /dev/null)" || { echo 0; return; }
    for child in $(ps --ppid "$pm" -o pid= 2> /dev/null); do total=$((total + $(proc_ticks "$child"))); done
    echo "$total"
}
ms_per() { awk -v t="$1" -v n="$2" -v hz="$ticks_per_s" 'BEGIN { if (n > 0) printf "%.2f", t * 1000 / hz / n; else print "n/a" }'; }

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

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
log "load: POST /api/v1/releases, ${CONCURRENCY} connections, ${THREADS} threads, ${DURATION}s (load average: $load_before)"
hub_ticks_before="$(proc_ticks "$hub_pid")"; pg_ticks_before="$(pg_ticks)"
run_wrk "$DURATION" "$THREADS" > "$data/wrk.txt" 2>&1 || { cat "$data/wrk.txt" >&2; die "wrk failed"; }
kill -0 "$hub_pid" 2> /dev/null && [[ -f "$data/pg/postmaster.pid" ]] \
    || { cat "$data/wrk.txt" >&2; die "the hub or its PostgreSQL went away during the measured run (stopped from outside?)"; }
hub_ticks=$(($(proc_ticks "$hub_pid") - hub_ticks_before)); hub_pg_ticks=$(($(pg_ticks) - pg_ticks_before))
cat "$data/wrk.txt"
result="$(grep '^RESULT ' "$data/wrk.txt")" || die "no RESULT line from wrk"
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< " ${result#RESULT }"; }

hub_rate="$(field rate)"
hub_requests="$(field requests)"
p50_ms="$(awk -v us="$(field p50_us)" 'BEGIN { printf "%.1f", us / 1000 }')"
p90_ms="$(awk -v us="$(field p90_us)" 'BEGIN { printf "%.1f", us / 1000 }')"
p99_ms="$(awk -v us="$(field p99_us)" 'BEGIN { printf "%.1f", us / 1000 }')"
max_ms="$(awk -v us="$(field max_us)" 'BEGIN { printf "%.1f", us / 1000 }')"
non2xx="$(field non2xx)"
socket_errors="$(field socket_errors)"
timeouts="$(field timeouts)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
hwm_kib="$(awk '/^VmHWM:/ { print $2 }' "/proc/$hub_pid/status")"
rss_kib="$(awk '/^VmRSS:/ { print $2 }' "/proc/$hub_pid/status")"
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
bench_pg_ticks=$(($(pg_ticks) - pg_ticks_before))
cat "$data/pgbench.txt"
pg_processed="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$data/pgbench.txt")"
pg_rate="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$data/pgbench.txt")"
pg_latency="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$data/pgbench.txt")"
pg_failed="$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$data/pgbench.txt")"
[[ -n "$pg_rate" ]] || die "could not read the pgbench rate"

# --- report --------------------------------------------------------------------------------------------------
ratio="$(awk -v h="$hub_rate" -v p="$pg_rate" 'BEGIN { printf "%.2f", h / p }')"
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }
cat <<REPORT

ContinuityHub ingest benchmark — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
  hub:      POST /api/v1/releases, ${CONCURRENCY} connections, ${DURATION}s after ${WARMUP}s warm-up (embedded PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $3 }'))
  hub rate:           $(printf '%.1f' "$hub_rate") notifications/s   (${hub_requests} answers; ${rows_written} notifications stored; ${episodes} episodes, ${referrals} referrals in total)
  hub latency:        p50 ${p50_ms} ms, p90 ${p90_ms} ms, p99 ${p99_ms} ms, max ${max_ms} ms
  non-2xx answers:    ${non2xx}   (socket errors ${socket_errors}, timeouts ${timeouts})
  CPU per notification: hub process $(ms_per "$hub_ticks" "$rows_written") ms + PostgreSQL $(ms_per "$hub_pg_ticks" "$rows_written") ms   (pgbench: PostgreSQL $(ms_per "$bench_pg_ticks" "$pg_processed") ms per transaction)
  hub peak memory:    $((hwm_kib / 1024)) MiB VmHWM   (VmRSS at end $((rss_kib / 1024)) MiB)
  pgbench rate:       $(printf '%.1f' "$pg_rate") transactions/s   (${PGBENCH_CLIENTS} clients, ${PGBENCH_JOBS} jobs, ${PGBENCH_DURATION}s; latency average ${pg_latency} ms; failed ${pg_failed:-0})
  ratio hub/pgbench:  ${ratio}
  machine load:       load average ${load_before} before the hub load, ${load_after} after it (anything above ~2 on 2 cores is
                      other work competing with the benchmark)
  targets:            ratio >= 0.5: $(verdict "$ratio >= 0.5");  >= 500 notifications/s: $(verdict "$hub_rate >= 500");  p99 < 100 ms: $(verdict "$p99_ms < 100");  non-2xx = 0: $(verdict "$non2xx == 0")
REPORT
