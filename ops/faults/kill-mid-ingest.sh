#!/usr/bin/env bash
# Fault: the hub killed with SIGKILL in the middle of an ingest (issue 12 item 8; results in docs/reliability.md).
#
#   ops/faults/kill-mid-ingest.sh                  # 5,000 notifications, 8 clients, the kill after 2,000 acknowledged
#
# Settings: COUNT (5000), CLIENTS (8), KILL_AFTER (acknowledged notifications before the kill, 2000), KEEP_DATA=1.
#
# Steps: build the hub (Release) and start it on its embedded PostgreSQL in a throwaway folder; 8 clients send
# 5,000 distinct notifications, each retried with the same id and body until the hub answers 201 or 200
# (ops/faults/lib/send.py); once KILL_AFTER are acknowledged the hub gets SIGKILL (its PostgreSQL keeps running, as
# after a crash of the hub's process or container) and is started again at once; the clients carry on through the
# outage. Then the database is checked: every acknowledged notification stored, nothing stored twice, one person
# and one episode (and at most one referral) per NOMS number. Prints `RESULT …` and exits non-zero on a failure.
set -euo pipefail

COUNT="${COUNT:-5000}"
CLIENTS="${CLIENTS:-8}"
KILL_AFTER="${KILL_AFTER:-2000}"

# shellcheck source=lib/faults.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/faults.sh"
fault_start kill

run_id="$(printf '%04x' $((RANDOM)))"
log "sending $COUNT notifications with $CLIENTS clients (run $run_id); SIGKILL after $KILL_AFTER acknowledged"
fault_send_in_background "$KILL_AFTER" --count "$COUNT" --clients "$CLIENTS" --base "$base" --run-id "$run_id"
acked_at_kill="$acked_now"
kill -KILL "$hub_pid"
killed_at=$(date +%s.%N)
wait "$hub_pid" 2> /dev/null || true
hub_pid=""
log "SIGKILL sent with $acked_at_kill acknowledged; starting the hub again"
bench_start_hub
back_s="$(awk -v s="$killed_at" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')"
log "the hub answers again ${back_s} s after the kill; waiting for the clients"
wait "$sender" || die "the sender failed: $(cat "$data/send.err")"
cat "$data/send.txt"
[[ -s "$data/send.err" ]] && { log "sender errors:"; head -n 5 "$data/send.err" >&2; }

fault_check_ingest "$data/acked.txt" "$run_id"
cat <<REPORT

ContinuityHub fault: SIGKILL mid-ingest — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores
  load:        $COUNT notifications, $CLIENTS clients retrying with the same id and body; SIGKILL after $acked_at_kill acknowledged
  restart:     the hub answered again ${back_s} s after the kill (same embedded PostgreSQL, left running by the killed hub)
  sender:      $(sed 's/^SEND //' "$data/send.txt" | head -n 1)
  database:    $check_summary
RESULT kill-mid-ingest acknowledged=$acked stored_acknowledged=$stored_acked lost=$lost duplicated_people=$dup_people duplicated_episodes=$dup_episodes duplicated_referrals=$dup_referrals stored_unacknowledged=$stored_unacked verdict=$verdict
REPORT
[[ "$verdict" == PASS ]]
