#!/usr/bin/env bash
# Fault: two hub nodes on one PostgreSQL under ingest and follow-ups (issue 12 item 8; results in docs/reliability.md).
#
#   ops/faults/two-nodes.sh                        # 2,000 notifications spread over both nodes by 8 clients
#
# Settings: COUNT (2000), CLIENTS (8), KEEP_DATA=1.
#
# Steps: build the hub (Release); node 1 starts on its embedded PostgreSQL; node 2 starts on the same database
# (ConnectionStrings__Hub) and the same data folder (so one development key); both fire follow-ups and send
# emails to a Notify stub (ops/faults/lib/notify_stub.py, no outage). 8 clients send COUNT notifications of
# people released 25 days ago, each to one node and, when retried, to the other (same id and body). Each release
# is past its 21-day window, so the follow-up engine closes it at once: one window-close run per episode (outcome,
# audit entry) and one email to the probation practitioner. Checks, once everything has settled: one person,
# episode and referral per NOMS number; every window-close follow-up done once (one audit entry each); one email
# per episode in the outbox, accepted by Notify exactly once; and how the work was shared between the nodes.
set -euo pipefail

COUNT="${COUNT:-2000}"
CLIENTS="${CLIENTS:-8}"

# shellcheck source=lib/faults.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/faults.sh"
node2_pid=""
fault_stop_extra() { if [[ -n "$node2_pid" ]]; then kill -TERM "$node2_pid" 2> /dev/null && wait "$node2_pid" 2> /dev/null; node2_pid=""; fi; }
fault_start two-nodes 0
node1="$base"

node2="http://127.0.0.1:$(fault_free_port)"
log "starting node 2 on $node2, on node 1's PostgreSQL (port $pg_port)"
node2_env=()
for setting in "${hub_env[@]}"; do
    case "$setting" in
        ConnectionStrings__Hub=*) node2_env+=("ConnectionStrings__Hub=Host=127.0.0.1;Port=$pg_port;Database=continuityhub;Username=hub;Password=$PGPASSWORD") ;;
        Urls=*) node2_env+=("Urls=$node2") ;;
        *) node2_env+=("$setting") ;;
    esac
done
(cd "$(dirname "$dll")" && exec "${node2_env[@]}" dotnet "$dll") >> "$data/hub-2.log" 2>&1 &
node2_pid=$!
fault_wait 120 "node 2 to be ready" curl -fs -o /dev/null --max-time 5 "$node2/health/ready"

run_id="$(printf '%04x' $((RANDOM)))"
log "sending $COUNT notifications (released 25 days ago) over both nodes with $CLIENTS clients (run $run_id)"
python3 "$fault_lib/send.py" --count "$COUNT" --clients "$CLIENTS" --base "$node1,$node2" --token "$TOKEN" \
    --acked "$data/acked.txt" --run-id "$run_id" --status released --release-days-ago 25 > "$data/send.txt" 2> "$data/send.err"
cat "$data/send.txt"
[[ -s "$data/send.err" ]] && { log "sender errors:"; head -n 5 "$data/send.err" >&2; }
fault_check_ingest "$data/acked.txt" "$run_id"

letter="$(python3 -c "print(chr(65 + int('$run_id', 16) % 26))")"
follow_ups() { "${psql[@]}" -c "SELECT count(*) FILTER (WHERE f.state = 'done') || ' ' || count(*) FILTER (WHERE f.state = 'scheduled') || ' ' ||
    count(*) FILTER (WHERE f.state = 'failed') FROM follow_ups f JOIN episodes e ON e.id = f.episode_id
    WHERE e.noms_number LIKE '$letter%' AND f.checkpoint = 'window-close'"; }
closed_all() { read -r done _ <<< "$(follow_ups)"; [[ "$done" -ge "$acked" ]]; }
fault_wait 900 "every window to close" closed_all
outbox_settled() { [[ "$("${psql[@]}" -c "SELECT count(*) FROM notification_outbox WHERE state = 'pending'")" == 0 ]]; }
fault_wait 900 "the outbox to settle" outbox_settled
read -r fu_done fu_scheduled fu_failed <<< "$(follow_ups)"
read -r audit_runs audit_twice emails emails_twice emails_sent <<< "$("${psql[@]}" -c "
WITH run AS (SELECT id FROM episodes WHERE noms_number LIKE '$letter%'),
     audit AS (SELECT resource_id, count(*) AS n FROM audit_log WHERE action = 'follow-up.window-close' AND resource_id IN (SELECT id::text FROM run) GROUP BY 1),
     mail AS (SELECT episode_id, count(*) AS n, count(*) FILTER (WHERE state = 'sent') AS sent FROM notification_outbox WHERE episode_id IN (SELECT id FROM run) GROUP BY 1)
SELECT (SELECT count(*) FROM audit) || ' ' || (SELECT count(*) FROM audit WHERE n > 1) || ' ' ||
       (SELECT coalesce(sum(n), 0) FROM mail) || ' ' || (SELECT count(*) FROM mail WHERE n > 1) || ' ' || (SELECT coalesce(sum(sent), 0) FROM mail)")"
fault_stop_extra
fault_stop_notify_stub
fault_notify_exactly_once
# Which node did the work: each node logs a line per follow-up it runs alone, per sweep batch and per email it sends
# (matched on their rendered messages; string values are quoted, hence the optional characters).
node_share() { grep -c -- "$2" "$1" 2> /dev/null || true; }
# The sweep's set-based batches log "Ran N due follow-ups in one transaction": the follow-ups each node ran that way.
batched() { grep -o 'Ran [0-9]* due follow-ups in one transaction' "$1" 2> /dev/null | awk '{ n += $2 } END { print n + 0 }'; }
run_line='window-close.\{0,3\} of episode'; batch_line='due follow-ups in one transaction'; mail_line='Notify email.*at attempt'
share="follow-ups run in the sweep's batches: node 1 $(batched "$data/hub.log") in $(node_share "$data/hub.log" "$batch_line") batches, node 2 $(batched "$data/hub-2.log") in $(node_share "$data/hub-2.log" "$batch_line"); window closes run one by one: node 1 $(node_share "$data/hub.log" "$run_line"), node 2 $(node_share "$data/hub-2.log" "$run_line"); emails sent: node 1 $(node_share "$data/hub.log" "$mail_line"), node 2 $(node_share "$data/hub-2.log" "$mail_line")"
[[ "$fu_done" == "$acked" && "$fu_failed" == 0 && "$audit_runs" == "$acked" && "$audit_twice" == 0 && "$emails" == "$acked" && "$emails_twice" == 0 \
    && "$accepted_once" == "$emails" && "$accepted_twice" == 0 && "$never" == 0 ]] || verdict=FAIL
cat <<REPORT

ContinuityHub fault: two hub nodes on one PostgreSQL — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores
  ingest:      $(sed 's/^SEND //' "$data/send.txt" | head -n 1)
  database:    $check_summary
  follow-ups:  window-close done $fu_done, still scheduled $fu_scheduled, failed $fu_failed; audit entries $audit_runs (episodes with more than one: $audit_twice)
  emails:      $emails queued ($emails_sent sent; episodes with more than one: $emails_twice); Notify accepted once $accepted_once, more than once $accepted_twice, never $never
  sharing:     $share
RESULT two-nodes acknowledged=$acked lost=$lost duplicated_episodes=$dup_episodes window_closes=$fu_done audit_twice=$audit_twice emails=$emails accepted_once=$accepted_once accepted_twice=$accepted_twice never=$never verdict=$verdict
REPORT
[[ "$verdict" == PASS ]]
