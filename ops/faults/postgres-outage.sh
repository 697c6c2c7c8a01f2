#!/usr/bin/env bash
# Fault: PostgreSQL stopped for 30 s under load (issue 12 item 8; results in docs/reliability.md).
#
#   ops/faults/postgres-outage.sh                  # 8 clients sending 6,000 notifications; PostgreSQL down 30 s mid-way
#
# Settings: COUNT (6000), CLIENTS (8), STOP_AFTER (acknowledged before the stop, 1000), OUTAGE (seconds, 30), KEEP_DATA=1.
#
# Steps: build the hub (Release), start it on its embedded PostgreSQL in a throwaway folder; 8 clients send
# distinct notifications, each retried with the same id and body until 201/200 (ops/faults/lib/send.py, which
# waits Retry-After on a 503); after STOP_AFTER are acknowledged PostgreSQL is stopped (pg_ctl stop -m fast: it
# closes every connection) for OUTAGE seconds, while readiness and liveness are probed every second; then it is
# started again on the same port, nothing is done to the hub, and the time until it is ready again is measured.
# Checks: while down, answers are 503 with Retry-After (never 500); the hub recovers by itself; every acknowledged
# notification is stored, nothing twice (one person, episode, referral per NOMS number).
set -euo pipefail

COUNT="${COUNT:-6000}"
CLIENTS="${CLIENTS:-8}"
STOP_AFTER="${STOP_AFTER:-1000}"
OUTAGE="${OUTAGE:-30}"

# shellcheck source=lib/faults.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/faults.sh"
fault_start pg-outage

run_id="$(printf '%04x' $((RANDOM)))"
log "sending $COUNT notifications with $CLIENTS clients (run $run_id); PostgreSQL stops for ${OUTAGE}s after $STOP_AFTER acknowledged"
fault_send_in_background "$STOP_AFTER" --count "$COUNT" --clients "$CLIENTS" --base "$base" --run-id "$run_id"
acked_at_stop="$acked_now"
log "stopping PostgreSQL ($acked_at_stop acknowledged)"
fault_pg_ctl -m fast -w stop > /dev/null
stopped_at=$(date +%s)
ready_503=0; ready_other=0; live_200=0; live_other=0; probe_posts=""
while (($(date +%s) - stopped_at < OUTAGE)); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/health/ready")" == 503 ]] && ready_503=$((ready_503 + 1)) || ready_other=$((ready_other + 1))
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/health/live")" == 200 ]] && live_200=$((live_200 + 1)) || live_other=$((live_other + 1))
    sleep 1
done
# One request by hand while it is down, to show the whole answer.
probe="$(curl -s -i --max-time 10 -X POST "$base/api/v1/releases" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data @"$root/docs/examples/release-notification.json" | tr -d '\r')"
probe_status="$(head -n 1 <<< "$probe" | awk '{ print $2 }')"
probe_retry_after="$(sed -n 's/^[Rr]etry-[Aa]fter: //p' <<< "$probe")"
probe_type="$(sed -n 's/^[Cc]ontent-[Tt]ype: //p' <<< "$probe")"
log "starting PostgreSQL again on port $pg_port after $(($(date +%s) - stopped_at)) s"
fault_pg_ctl -l "$data/pg/restart.log" -w -t 60 -o "-p $pg_port" start > /dev/null
restarted_at=$(date +%s.%N)
fault_wait 120 "the hub to be ready again" curl -fs -o /dev/null --max-time 5 "$base/health/ready"
recovered_s="$(awk -v s="$restarted_at" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')"
wait "$sender" || die "the sender failed: $(cat "$data/send.err")"
send="$(head -n 1 "$data/send.txt")"
cat "$data/send.txt"
[[ -s "$data/send.err" ]] && { log "sender errors:"; head -n 5 "$data/send.err" >&2; }
fault_check_ingest "$data/acked.txt" "$run_id"
answers_500="$(fault_field "$send" answers_500)"
answers_503="$(fault_field "$send" answers_503)"
no_retry_after="$(fault_field "$send" answers_503_without_retry_after)"
[[ "$answers_500" == 0 && "$no_retry_after" == 0 && "$answers_503" -gt 0 && "$probe_status" == 503 && -n "$probe_retry_after" ]] || verdict=FAIL
cat <<REPORT

ContinuityHub fault: PostgreSQL stopped for ${OUTAGE} s under load — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores
  load:        $COUNT notifications, $CLIENTS clients retrying with the same id and body (waiting Retry-After); PostgreSQL stopped (fast) after $acked_at_stop acknowledged
  while down:  readiness 503 in $ready_503 of $((ready_503 + ready_other)) probes, liveness 200 in $live_200 of $((live_200 + live_other));
               a POST by hand: $probe_status, Retry-After: ${probe_retry_after:-none}, Content-Type: ${probe_type:-none}
  recovery:    the hub ready again ${recovered_s} s after PostgreSQL was started, without being touched
  sender:      $(sed 's/^SEND //' <<< "$send")
  database:    $check_summary
RESULT postgres-outage answers_503=$answers_503 answers_503_without_retry_after=$no_retry_after answers_500=$answers_500 recovered_s=$recovered_s acknowledged=$acked lost=$lost duplicated_episodes=$dup_episodes verdict=$verdict
REPORT
[[ "$verdict" == PASS ]]
