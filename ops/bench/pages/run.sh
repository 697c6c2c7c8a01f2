#!/usr/bin/env bash
# Pages benchmark (issue #11 item 9): the provider's referral inbox (/referrals) and the probation caseload (/caseload)
# with EPISODES episodes in the database, each page fetched RUNS times in a row over one signed-in cookie session
# (curl, one connection), p50 and p95 printed. Target: p95 < 150 ms. See docs/performance.md.
#
#   ops/bench/pages/run.sh                       # 50,000 episodes, 200 timed GETs of each page
#   EPISODES=5000 RUNS=50 ops/bench/pages/run.sh  # quick check
#
# Settings (environment): EPISODES (50000), RUNS (200), WARMUP (20), KEEP_DATA=1 keeps the throwaway data folder.
#
# Steps: build the hub (Release); start it on its embedded PostgreSQL in a throwaway folder on a free port; load the
# episodes by SQL (load.sql: a year of releases and four weeks planned, half to each delivery unit and provider,
# referrals in every state) and VACUUM ANALYZE; sign in through /dev/signin (anti-forgery token and all) as PROBATION
# for N56NNE and as TREATMENT_PROVIDER for EXS2SN; time each page; stop the hub (it stops its PostgreSQL).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

EPISODES="${EPISODES:-50000}"
RUNS="${RUNS:-200}"
WARMUP="${WARMUP:-20}"
KEEP_DATA="${KEEP_DATA:-0}"

# shellcheck source=../lib/hub.sh
source "$here/../lib/hub.sh"

bench_pg_bin psql
bench_build_hub
bench_prepare pages
bench_start_hub
psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U hub -d continuityhub -X -q -v ON_ERROR_STOP=1)

today="$(TZ=Europe/London date +%F)"
log "loading $EPISODES episodes by SQL (load.sql, today $today)"
load_start=$(date +%s)
"${psql[@]}" -v episodes="$EPISODES" -v today="$today" -f "$here/load.sql" > "$data/load.txt" 2>&1 || { cat "$data/load.txt" >&2; die "loading failed"; }
load_s=$(($(date +%s) - load_start))
mix="$("${psql[@]}" -A -t -F ' ' -c "SELECT (SELECT count(*) FROM episodes), (SELECT count(*) FROM referrals),
    (SELECT count(*) FROM referrals WHERE provider_ods = 'EXS2SN'),
    (SELECT count(*) FROM referrals WHERE provider_ods = 'EXS2SN' AND task_status IN ('requested', 'accepted', 'in-progress')),
    (SELECT count(*) FROM episodes WHERE pdu_code = 'N56NNE' AND release_date >= date '$today' - 90)")"
read -r n_episodes n_referrals n_inbox n_inbox_open n_caseload <<< "$mix"
log "loaded in ${load_s}s: $n_episodes episodes, $n_referrals referrals ($n_inbox for EXS2SN, $n_inbox_open open), $n_caseload in N56NNE's 90 days"

# sign_in JAR ROLE FIELD VALUE: a cookie session through the development sign-in form, as a browser gets one.
sign_in() {
    local jar="$1" role="$2" field="$3" value="$4" token status
    token="$(curl -fs -c "$jar" -b "$jar" "$base/dev/signin" | sed -n 's/.*name="__RequestVerificationToken" type="hidden" value="\([^"]*\)".*/\1/p' | head -n 1)"
    [[ -n "$token" ]] || die "no anti-forgery token on /dev/signin"
    status="$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "__RequestVerificationToken=$token" \
        --data-urlencode "name=Bench User" --data-urlencode "role=$role" --data-urlencode "$field=$value" "$base/dev/signin")"
    [[ "$status" == 302 ]] || die "signing in as $role answered $status"
}

# Milliseconds of CPU (proc_ticks/pg_ticks of lib/hub.sh) per request: the cost whatever else the machine is doing.
ms_per() { awk -v t="$1" -v n="$2" -v hz="$ticks_per_s" 'BEGIN { if (n > 0) printf "%.1f", t * 1000 / hz / n; else print "n/a" }'; }

percentile() { # $1 = p (0-100); numbers on stdin, one a line
    sort -n | awk -v p="$1" '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } i = int((p / 100) * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.1f", v[i] }'
}

# measure LABEL JAR PATH: WARMUP then RUNS sequential GETs on one connection; prints one result line.
measure() {
    local label="$1" jar="$2" path="$3" status urls=() ms p50 p95 verdict
    status="$(curl -s -o "$data/page.html" -w '%{http_code}' -b "$jar" "$base$path")"
    [[ "$status" == 200 ]] || { echo "  $label ($path): answered $status, not measured"; return; }
    # -o once per URL: each body to /dev/null, so stdout holds only the -w lines.
    for _ in $(seq "$WARMUP"); do urls+=(-o /dev/null "$base$path"); done
    curl -s -b "$jar" "${urls[@]}" > /dev/null
    urls=()
    for _ in $(seq "$RUNS"); do urls+=(-o /dev/null "$base$path"); done
    local hub_before pg_before hub_cpu pg_cpu
    hub_before="$(proc_ticks "$hub_pid")"; pg_before="$(pg_ticks)"
    ms="$(curl -s -b "$jar" -w '%{time_total}\n' "${urls[@]}" | awk '{ printf "%.1f\n", $1 * 1000 }')"
    hub_cpu=$(($(proc_ticks "$hub_pid") - hub_before)); pg_cpu=$(($(pg_ticks) - pg_before))
    p50="$(percentile 50 <<< "$ms")"; p95="$(percentile 95 <<< "$ms")"
    if awk "BEGIN { exit !($p95 < 150) }"; then verdict="met"; else verdict="MISSED"; fi
    printf '  %-40s p50 %6s ms  p95 %6s ms  CPU/GET: hub %s ms + PostgreSQL %s ms  (%s GETs after %s; p95 < 150 ms: %s)\n' \
        "$label ($path)" "$p50" "$p95" "$(ms_per "$hub_cpu" "$RUNS")" "$(ms_per "$pg_cpu" "$RUNS")" "$RUNS" "$WARMUP" "$verdict"
}

probation="$data/probation.cookies"; provider="$data/provider.cookies"
sign_in "$probation" PROBATION pdu N56NNE
sign_in "$provider" TREATMENT_PROVIDER ods EXS2SN

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
log "timing (load average: $load_before)"
results="$(
    measure "provider inbox, first page" "$provider" "/referrals"
    measure "provider inbox, every state" "$provider" "/referrals?state=any"
    measure "provider inbox, 0-7 days left" "$provider" "/referrals?daysLeft=0-7"
    measure "provider inbox, page 5" "$provider" "/referrals?page=5"
    measure "probation caseload, first page" "$probation" "/caseload"
    measure "probation caseload, at risk" "$probation" "/caseload?status=at-risk"
    measure "probation caseload, page 5" "$probation" "/caseload?page=5"
)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

cat <<REPORT

ContinuityHub pages benchmark — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores, PostgreSQL $("$pg_bin/psql" --version | awk '{ print $3 }') (embedded)
  data: $n_episodes episodes, $n_referrals referrals; EXS2SN's inbox holds $n_inbox referrals ($n_inbox_open open); N56NNE's caseload $n_caseload releases (90 days); loaded in ${load_s}s
$results
  machine load: load average $load_before before timing, $load_after after (above ~2 on 2 cores means other work competed)
REPORT
