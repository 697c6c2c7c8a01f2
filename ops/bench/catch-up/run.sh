#!/usr/bin/env bash
# Catch-up benchmark (issues #4 item 7, #14): 100,000 open episodes whose follow-ups all fell due during a one-day
# outage. How long does the hub take, from the moment it is started again, until every missed follow-up has run
# once and its emails are in the notification outbox? Target: under 60 s on this 2-core machine. See
# docs/performance.md ("Follow-up catch-up").
#
#   ops/bench/catch-up/run.sh                       # full run: 100,000 missed follow-ups
#   EPISODES=10000 ops/bench/catch-up/run.sh        # quick check
#
# Settings (environment): EPISODES (100000), TIMEOUT (s to wait for the catch-up, 900), KEEP_DATA=1, and any
# Hub__FollowUps__… setting, passed on to the measured hub (e.g. Hub__FollowUps__BatchSize=500).
#
# Steps: build the hub (Release); start it on its embedded PostgreSQL in a throwaway folder with follow-ups not
# running (Hub__FollowUps__Enabled=false: it migrates and installs Hangfire's schema); load the episodes,
# referrals and follow-ups by SQL (load.sql): per episode the day-7 alert due at an instant in the last 24 hours,
# two reminders already done, two follow-ups still ahead; stop it (SIGTERM: the outage; its PostgreSQL stops with
# it). Then start the hub again, running follow-ups (Hangfire's server starts a sweep at once), and poll the
# database every second until no missed follow-up is still scheduled and the outbox holds two emails for each
# (probation and provider); print the time from the start, follow-ups/s, CPU of the hub and of PostgreSQL in all
# and per follow-up, the hub's peak memory (VmHWM), and the machine's load; stop the hub and remove the folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

EPISODES="${EPISODES:-100000}"
TIMEOUT="${TIMEOUT:-900}"
KEEP_DATA="${KEEP_DATA:-0}"

# shellcheck source=../lib/hub.sh
source "$here/../lib/hub.sh"

bench_pg_bin psql
bench_build_hub
# The Hub__FollowUps__… settings of the caller's environment apply to the measured (second) start.
tuning=()
while IFS= read -r setting; do tuning+=("$setting"); done < <(env | grep '^Hub__FollowUps__' || true)
bench_prepare catch-up

# --- before the outage: plan ---------------------------------------------------------------------------------
base_env=("${hub_env[@]}")
hub_env=("${base_env[@]}" "Hub__FollowUps__Enabled=false")
bench_start_hub
psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -A -t -q)
today="$(TZ=Europe/London date +%F)"
log "loading $EPISODES episodes with their follow-ups (load.sql)"
load_start=$(date +%s.%N)
"${psql[@]}" -v episodes="$EPISODES" -v today="$today" -f "$here/load.sql"
log "loaded in $(awk -v s="$load_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s; the outage starts (the hub stops)"
bench_stop_hub

# --- after the outage: catch up ------------------------------------------------------------------------------
hub_env=("${base_env[@]}" "Hub__FollowUps__Enabled=true" "${tuning[@]}")
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
bench_start_hub
ready_s="$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')"
# CPU spent starting up (up to the first health answer), told apart from the catch-up's.
hub_ticks_ready="$(proc_ticks "$hub_pid")"
pg_ticks_ready="$(pg_ticks)"
psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -A -t -q)   # a new port at each start
log "the hub is up after $ready_s s; waiting for the missed follow-ups (polling every second)"
missed_sql="SELECT count(*) FROM follow_ups WHERE checkpoint = 'day-7-alert' AND state = 'scheduled'"
outbox_sql="SELECT count(*) FROM notification_outbox WHERE template_key = 'follow-up.day-7-alert'"
expected_emails=$((EPISODES * 2))
hwm_kib=0
done_s=""
while true; do
    now_s="$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')"
    missed="$("${psql[@]}" -c "$missed_sql")"
    emails="$("${psql[@]}" -c "$outbox_sql")"
    h="$(awk '/^VmHWM:/ { print $2 }' "/proc/$hub_pid/status" 2> /dev/null || echo 0)"
    ((h > hwm_kib)) && hwm_kib=$h
    printf '  t=%6.1f s  missed follow-ups still scheduled: %6d  emails queued: %6d\n' "$now_s" "$missed" "$emails" >&2
    if [[ "$missed" == 0 && "$emails" -ge "$expected_emails" ]]; then done_s="$now_s"; break; fi
    awk -v t="$now_s" -v m="$TIMEOUT" 'BEGIN { exit !(t > m) }' && break
    kill -0 "$hub_pid" 2> /dev/null || die "the hub exited during the catch-up"
    sleep 1
done
[[ -n "$done_s" ]] || die "the catch-up did not finish in $TIMEOUT s"
hub_ticks="$(proc_ticks "$hub_pid")"
pg_total_ticks="$(pg_ticks)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
rss_kib="$(awk '/^VmRSS:/ { print $2 }' "/proc/$hub_pid/status")"
states="$("${psql[@]}" -c "SELECT string_agg(state || ' ' || n, ', ' ORDER BY state) FROM (SELECT state, count(*) n FROM follow_ups WHERE checkpoint = 'day-7-alert' GROUP BY state) s")"
attempts="$("${psql[@]}" -c "SELECT max(attempts) FROM follow_ups WHERE checkpoint = 'day-7-alert'")"
duplicates="$("${psql[@]}" -c "SELECT count(*) - count(DISTINCT reference) FROM notification_outbox")"
audit="$("${psql[@]}" -c "SELECT count(*) FROM audit_log WHERE action = 'follow-up.day-7-alert'")"
fired_window="$("${psql[@]}" -c "SELECT round(extract(epoch FROM max(ran_at) - min(ran_at))::numeric, 1) FROM follow_ups WHERE checkpoint = 'day-7-alert'")"
rate="$(awk -v n="$EPISODES" -v t="$done_s" 'BEGIN { printf "%.0f", n / t }')"
cpu() { awk -v t="$1" -v hz="$ticks_per_s" 'BEGIN { printf "%.1f", t / hz }'; }
per_follow_up() { awk -v t="$1" -v hz="$ticks_per_s" -v n="$EPISODES" 'BEGIN { printf "%.3f", t / hz / n * 1000 }'; }
hub_catch_up_ticks=$((hub_ticks - hub_ticks_ready))
pg_catch_up_ticks=$((pg_total_ticks - pg_ticks_ready))
sweeps="$("${psql[@]}" -c "SELECT string_agg(statename || ' ' || n, ', ' ORDER BY statename) FROM (SELECT statename, count(*) n FROM hangfire.job GROUP BY statename) s")"
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }
settings="$(printf '%s ' "${tuning[@]}")"
cat <<REPORT

ContinuityHub follow-up catch-up benchmark — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
  data:               $EPISODES open episodes; each one's day-7 alert fell due during the last 24 hours
  settings:           ${settings:-defaults}
  hub up (ready):     ${ready_s} s after start
  all missed run:     ${done_s} s after start   (first to last follow-up run: ${fired_window} s)
  rate:               ${rate} follow-ups/s over the whole time from start; $((EPISODES * 2)) emails queued
  outcome:            day-7 alerts: ${states}; max attempts ${attempts}; duplicate outbox references ${duplicates}; audit entries ${audit}
  Hangfire jobs:      ${sweeps}
  CPU:                hub process $(cpu "$hub_ticks") s, PostgreSQL $(cpu "$pg_total_ticks") s (since their start; of which start-up until ready: hub $(cpu "$hub_ticks_ready") s, PostgreSQL $(cpu "$pg_ticks_ready") s)
  CPU per follow-up:  hub $(per_follow_up "$hub_catch_up_ticks") ms, PostgreSQL $(per_follow_up "$pg_catch_up_ticks") ms (after ready; with start-up: hub $(per_follow_up "$hub_ticks") ms, PostgreSQL $(per_follow_up "$pg_total_ticks") ms)
  hub peak memory:    $((hwm_kib / 1024)) MiB VmHWM   (VmRSS at end $((rss_kib / 1024)) MiB)
  machine load:       load average ${load_before} before the start, ${load_after} at the end (above ~2 on 2 cores is other work)
  target:             all done in < 60 s: $(verdict "$done_s < 60")
REPORT
