# Shared by the fault scripts: each sets its settings, sources this file and calls fault_start. Sourcing it sets
# fault_lib (this folder) and root (the repository), sources ops/bench/lib/hub.sh, and defines functions.

fault_lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$fault_lib/../../.." && pwd)"
KEEP_DATA="${KEEP_DATA:-0}"
# shellcheck source=../../bench/lib/hub.sh
source "$root/ops/bench/lib/hub.sh"

# fault_start NAME [NOTIFY_OUTAGE_SECONDS]: builds the hub (Release); prepares its throwaway folder (/tmp/ops-NAME-bench.*)
# and, when an outage length is given (0 = none), a Notify stub on $stub_port that the hub sends its emails to;
# starts the hub on its embedded PostgreSQL; sets TOKEN (PRISON_HEALTHCARE for ONI) and psql. On exit everything
# it started is stopped: fault_stop_extra (a script's own extras, e.g. a second node), the stub, the hub, PostgreSQL.
fault_start() {
    local name="$1" notify_outage="${2:-}"
    bench_pg_bin psql
    bench_build_hub
    if [[ -n "$notify_outage" ]]; then
        stub_port="$(fault_free_port)"
        fault_notify_env "$stub_port"
        bench_prepare "$name" "${notify_env[@]}"
        trap 'status=$?; fault_stop_extra || true; fault_stop_notify_stub || true; (exit $status); bench_cleanup' EXIT
        fault_start_notify_stub "$notify_outage"
    else
        bench_prepare "$name"
    fi
    TOKEN="$(bench_token --role PRISON_HEALTHCARE --prisons ONI)"
    bench_start_hub
    fault_psql
}

# fault_stop_extra: stops what a script started besides the hub and the stub; a script redefines it.
fault_stop_extra() { :; }

# fault_check_ingest ACKED_FILE RUN_ID: checks the database ("${psql[@]}") against the notifications the sender saw
# acknowledged (lines "notificationId nomsNumber status"): every acknowledged one stored; one person, one episode
# and at most one referral per NOMS number of the run. Sets acked stored_acked lost dup_people dup_episodes
# dup_referrals stored_unacked check_summary verdict.
fault_check_ingest() {
    local file="$1" run="$2" letter counts
    # The run's NOMS numbers all start with the run's letter (send.py) and the folder is the run's own.
    letter="$(python3 -c "print(chr(65 + int('$run', 16) % 26))")"
    counts="$("${psql[@]}" <<SQL
CREATE TEMP TABLE acked (notification_id uuid, noms_number text, status int);
\copy acked FROM '$file' WITH (FORMAT text, DELIMITER ' ')
SELECT (SELECT count(*) FROM acked) || ' ' ||
       (SELECT count(*) FROM acked a JOIN release_notifications r USING (notification_id)) || ' ' ||
       (SELECT count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM release_notifications r WHERE r.notification_id = a.notification_id)) || ' ' ||
       (SELECT count(*) FROM (SELECT noms_number FROM people WHERE noms_number LIKE '$letter%' GROUP BY 1 HAVING count(*) > 1) d) || ' ' ||
       (SELECT count(*) FROM (SELECT noms_number FROM episodes WHERE noms_number LIKE '$letter%' GROUP BY 1 HAVING count(*) > 1) d) || ' ' ||
       (SELECT count(*) FROM (SELECT e.noms_number FROM referrals f JOIN episodes e ON e.id = f.episode_id WHERE e.noms_number LIKE '$letter%' GROUP BY 1 HAVING count(*) > 1) d) || ' ' ||
       (SELECT count(*) FROM release_notifications r JOIN episodes e ON e.id = r.episode_id WHERE e.noms_number LIKE '$letter%'
          AND NOT EXISTS (SELECT 1 FROM acked a WHERE a.notification_id = r.notification_id)) || ' ' ||
       (SELECT count(*) FROM episodes WHERE noms_number LIKE '$letter%') || ' ' ||
       (SELECT count(*) FROM referrals f JOIN episodes e ON e.id = f.episode_id WHERE e.noms_number LIKE '$letter%');
SQL
)"
    read -r acked stored_acked lost dup_people dup_episodes dup_referrals stored_unacked episodes referrals <<< "$counts"
    check_summary="$acked acknowledged, $stored_acked of them stored ($lost lost); $episodes episodes and $referrals referrals for the run; NOMS numbers with more than one person $dup_people, episode $dup_episodes, referral $dup_referrals; stored but never acknowledged $stored_unacked"
    if [[ "$lost" == 0 && "$dup_people" == 0 && "$dup_episodes" == 0 && "$dup_referrals" == 0 && "$stored_unacked" == 0 && "$acked" -gt 0 ]]; then
        verdict=PASS
    else
        verdict=FAIL
    fi
}

# The settings that point a hub at the Notify stub (notify_stub.py) on port $1, with a template id for every
# follow-up email, so every email the follow-ups queue is dispatched.
fault_notify_env() {
    local port="$1" key
    notify_env=("Hub__Notify__BaseUrl=http://127.0.0.1:$port"
        "Hub__Notify__ApiKey=fault-stub-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0")
    for key in day-before-release day-2-escalation day-7-alert day-14-alert window-close; do
        notify_env+=("Hub__Notify__Templates__follow-up.$key=$(python3 -c 'import uuid; print(uuid.uuid4())')")
    done
}

# fault_free_port: a free loopback port.
fault_free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# fault_wait SECONDS DESCRIPTION COMMAND…: runs COMMAND every second until it succeeds; dies after SECONDS.
fault_wait() {
    local seconds="$1" what="$2"
    shift 2
    for _ in $(seq "$seconds"); do
        "$@" && return 0
        sleep 1
    done
    die "timed out after ${seconds}s waiting for $what"
}

# fault_pg_ctl ARGS…: pg_ctl on the embedded cluster's folder, as the `postgres` OS user when run as root (as the hub does).
fault_pg_ctl() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data/pg" "$@"
    else
        "$pg_bin/pg_ctl" -D "$data/pg" "$@"
    fi
}

# fault_field LINE KEY: the value of KEY=value in a `SEND …`/`RESULT …` line.
fault_field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< " $1"; }

# fault_psql: psql on the hub's database (after bench_start_hub).
fault_psql() { psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -A -t -q -v ON_ERROR_STOP=1); }

# fault_send_in_background UNTIL_ACKED SEND_ARGS…: starts send.py (to $data/send.txt, acknowledged ids to
# $data/acked.txt) and returns once UNTIL_ACKED notifications are acknowledged; sets sender (its pid) and acked_now.
fault_send_in_background() {
    local until="$1"
    shift
    : > "$data/acked.txt"
    python3 "$fault_lib/send.py" --token "$TOKEN" --acked "$data/acked.txt" "$@" > "$data/send.txt" 2> "$data/send.err" &
    sender=$!
    until [[ $(wc -l < "$data/acked.txt") -ge $until ]]; do
        kill -0 "$sender" 2> /dev/null || die "the sender ended before $until were acknowledged: $(cat "$data/send.txt" "$data/send.err")"
        sleep 0.05
    done
    acked_now="$(wc -l < "$data/acked.txt")"
}

# fault_start_notify_stub OUTAGE_SECONDS: the Notify stub on $stub_port (see fault_notify_env), reporting to
# $data/notify-report.txt when stopped by fault_stop_notify_stub.
fault_start_notify_stub() {
    python3 "$fault_lib/notify_stub.py" --port "$stub_port" --outage-seconds "$1" --report "$data/notify-report.txt" &
    stub_pid=$!
}
fault_stop_notify_stub() { if [[ -n "${stub_pid:-}" ]]; then kill -TERM "$stub_pid" 2> /dev/null && wait "$stub_pid" 2> /dev/null; stub_pid=""; fi; }

# fault_notify_exactly_once: compares the outbox's references with those the stopped stub accepted; sets
# accepted_once accepted_twice never.
fault_notify_exactly_once() {
    tail -n +2 "$data/notify-report.txt" | sort > "$data/accepted.txt"
    "${psql[@]}" -c "SELECT reference FROM notification_outbox" | sort > "$data/outbox-references.txt"
    accepted_once="$(awk '$2 == 1' "$data/accepted.txt" | wc -l)"
    accepted_twice="$(awk '$2 > 1' "$data/accepted.txt" | wc -l)"
    never="$(comm -23 "$data/outbox-references.txt" <(cut -d' ' -f1 "$data/accepted.txt") | wc -l)"
}
