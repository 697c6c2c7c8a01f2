#!/usr/bin/env bash
# Fault: GOV.UK Notify answering 500 and 429 for 10 minutes (issue 12 item 8; results in docs/reliability.md).
#
#   ops/faults/notify-outage.sh                    # 200 emails, a 600 s outage (about 25–40 minutes in all)
#   OUTAGE=60 EMAILS=50 ops/faults/notify-outage.sh    # a shorter check (not the measured figure)
#
# Settings: EMAILS (200), OUTAGE (seconds, 600), DRAIN_TIMEOUT (seconds to wait after the outage, 3600), KEEP_DATA=1.
# The hub runs with its default delivery settings (backoff 30 s doubling to 1 h, 48 attempts, breaker, 1,500/min).
#
# Steps: start a Notify stub (ops/faults/lib/notify_stub.py) that answers every request 500 and 429 in turn for
# OUTAGE seconds from the first request it gets, then accepts; build and start the hub pointed at it; send EMAILS
# release notifications of people released 25 days ago (status released), so the follow-up engine closes each
# window at once and queues one email per episode (the probation practitioner's window-close alert), through the
# same path as every follow-up; wait until the outbox is settled; stop the stub, which reports every reference it
# accepted. Checks: every queued email accepted by Notify exactly once, none failed, none still pending.
set -euo pipefail

EMAILS="${EMAILS:-200}"
OUTAGE="${OUTAGE:-600}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-3600}"

# shellcheck source=lib/faults.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/faults.sh"
fault_start notify "$OUTAGE"
outbox() { "${psql[@]}" -c "SELECT count(*) FILTER (WHERE true) || ' ' || count(*) FILTER (WHERE state = 'sent') || ' ' ||
    count(*) FILTER (WHERE state = 'pending') || ' ' || count(*) FILTER (WHERE state = 'failed') || ' ' ||
    count(*) FILTER (WHERE state = 'undeliverable') || ' ' || coalesce(max(attempts), 0) FROM notification_outbox"; }

log "sending $EMAILS notifications of releases 25 days ago (one window-close email each)"
python3 "$fault_lib/send.py" --count "$EMAILS" --clients 4 --base "$base" --token "$TOKEN" --acked "$data/acked.txt" \
    --status released --release-days-ago 25 > "$data/send.txt"
cat "$data/send.txt"
queued_all() { read -r total _ <<< "$(outbox)"; [[ "$total" -ge "$EMAILS" ]]; }
fault_wait 600 "the follow-ups to queue $EMAILS emails" queued_all
log "outbox: $(outbox) (total sent pending failed undeliverable max-attempts); Notify is down for ${OUTAGE}s from its first request"
settled() { read -r _ _ pending _ <<< "$(outbox)"; [[ "$pending" == 0 ]]; }
start=$(date +%s)
fault_wait $((OUTAGE + DRAIN_TIMEOUT)) "the outbox to settle" settled
settled_s=$(($(date +%s) - start))
read -r total sent pending failed undeliverable max_attempts <<< "$(outbox)"
fault_stop_notify_stub
stub="$(head -n 1 "$data/notify-report.txt")"
stub_field() { python3 -c "import json,sys; d = json.loads(sys.argv[1]); print(d['$1'] if d['$1'] is not None else '')" "$stub"; }
fault_notify_exactly_once
once="$accepted_once"; twice="$accepted_twice"
outage_s="$(awk -v s="$(stub_field outage_started)" -v e="$(stub_field outage_ended)" 'BEGIN { printf "%.0f", e - s }')"
drain_s="$(awk -v s="$(stub_field outage_ended)" -v e="$(stub_field last_accept)" 'BEGIN { printf "%.0f", e - s }')"
verdict=FAIL
[[ "$sent" == "$total" && "$total" -ge "$EMAILS" && "$once" == "$total" && "$twice" == 0 && "$never" == 0 ]] && verdict=PASS
cat <<REPORT

ContinuityHub fault: GOV.UK Notify answering 500/429 — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores
  outage:      ${outage_s} s of 500 and 429 in turn from the first request (${OUTAGE} s asked)
  stub:        POSTs $(stub_field posts), look-ups $(stub_field lookups); answered 500: $(stub_field answered_500), 429: $(stub_field answered_429); accepted $(stub_field accepted)
  outbox:      $total emails queued; $sent sent, $pending pending, $failed failed, $undeliverable undeliverable; most attempts for one email: $max_attempts
  drain:       the last email accepted ${drain_s} s after the outage ended; the outbox settled ${settled_s} s after the emails were queued
  exactly once: accepted once $once, more than once $twice, never $never (of $total)
RESULT notify-outage emails=$total sent=$sent failed=$failed accepted_once=$once accepted_twice=$twice never=$never outage_s=$outage_s drain_s=$drain_s verdict=$verdict
REPORT
[[ "$verdict" == PASS ]]
