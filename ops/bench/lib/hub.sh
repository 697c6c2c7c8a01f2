# Shared by the benchmarks (source it; it defines functions and nothing runs): build the hub, start it on its
# embedded PostgreSQL in a throwaway data folder on a free loopback port, measure CPU, and stop everything on
# exit, whatever happens. The caller sets `root` (the repository) and KEEP_DATA (1 keeps the folder).

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# bench_pg_bin TOOL: sets pg_bin to the newest PostgreSQL bin folder that has TOOL (psql, pgbench…).
bench_pg_bin() {
    pg_bin="$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/$1" | sort -V | tail -n 1)")"
    [[ -x "$pg_bin/$1" ]] || pg_bin="$(dirname "$(command -v "$1" || true)")"
    [[ -x "$pg_bin/$1" ]] || die "$1 not found (Debian: apt-get install postgresql)"
    command -v curl > /dev/null || die "curl is needed"
    command -v python3 > /dev/null || die "python3 is needed"
}

# bench_build_hub: builds the hub (Release) and sets dll.
bench_build_hub() {
    log "building the hub (Release)"
    dotnet build "$root/src/ContinuityHub/ContinuityHub.csproj" -c Release -nologo -v quiet > /dev/null
    dll="$root/src/ContinuityHub/bin/Release/net10.0/ContinuityHub.dll"
    [[ -f "$dll" ]] || die "build output $dll not found"
}

# bench_prepare NAME [EXTRA_ENV…]: a throwaway data folder (/tmp/ops-NAME-bench.*: a name of our own, since
# other tools on a shared machine may sweep /tmp/continuityhub-*), a free port, the hub's environment
# (hub_env, extra settings appended), and the EXIT trap that stops the hub and its PostgreSQL.
bench_prepare() {
    local name="$1"
    shift
    data="$(mktemp -d "/tmp/ops-$name-bench.XXXXXX")"
    chmod 755 "$data"   # as root the embedded PostgreSQL runs as `postgres`, which must traverse the folder
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    base="http://127.0.0.1:$port"
    # Development: the benchmarks mint their tokens with dev-token, which only the Development environment allows.
    hub_env=(env "ConnectionStrings__Hub=" "Hub__DataDirectory=$data" "Hub__Logging__Json=true"
        "Urls=$base" "ASPNETCORE_ENVIRONMENT=Development" "DOTNET_NOLOGO=1" "$@")
    hub_pid=""
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_stop_hub() {
    if [[ -n "$hub_pid" ]] && kill -0 "$hub_pid" 2> /dev/null; then
        log "stopping the hub (SIGTERM; it stops its PostgreSQL)"
        kill -TERM "$hub_pid" 2> /dev/null || true
        for _ in $(seq 60); do kill -0 "$hub_pid" 2> /dev/null || break; sleep 0.5; done
        if kill -0 "$hub_pid" 2> /dev/null; then
            log "the hub did not stop in 30 s: killing it"
            kill -KILL "$hub_pid" 2> /dev/null || true
        fi
    fi
    hub_pid=""
}

bench_stop_postgres() {
    if [[ -f "$data/pg/postmaster.pid" ]]; then
        if [[ $(id -u) -eq 0 ]]; then
            runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data/pg" -m fast -w stop > /dev/null 2>&1 || true
        else
            "$pg_bin/pg_ctl" -D "$data/pg" -m fast -w stop > /dev/null 2>&1 || true
        fi
    fi
}

bench_cleanup() {
    local status=$?
    if [[ $status -ne 0 && -f "$data/hub.log" ]]; then
        log "failed; the end of the hub's log:"
        tail -n 30 "$data/hub.log" >&2 || true
    fi
    bench_stop_hub
    # Belt and braces: never leave a PostgreSQL server running on the throwaway folder.
    bench_stop_postgres
    if [[ "$KEEP_DATA" == 1 ]]; then log "data kept in $data"; else rm -rf "$data"; fi
    exit "$status"
}

# bench_token ARGS…: a development token (dev-token ARGS) signed with the folder's key.
bench_token() { "${hub_env[@]}" dotnet "$dll" dev-token "$@"; }

# bench_start_hub: starts the hub, waits until it is ready, and sets pg_port and PGPASSWORD for psql/pgbench.
bench_start_hub() {
    log "starting the hub on $base (embedded PostgreSQL in $data/pg)"
    (cd "$(dirname "$dll")" && exec "${hub_env[@]}" dotnet "$dll") >> "$data/hub.log" 2>&1 &
    hub_pid=$!
    for _ in $(seq 240); do
        curl -fs -o /dev/null "$base/health/live" && break
        kill -0 "$hub_pid" 2> /dev/null || { tail -n 20 "$data/hub.log" >&2; die "the hub exited during start-up"; }
        sleep 0.5
    done
    curl -fs -o /dev/null "$base/health/live" || { tail -n 20 "$data/hub.log" >&2; die "the hub did not start"; }
    pg_port="$(sed -n 4p "$data/pg/postmaster.pid")"
    PGPASSWORD="$(cat "$data/pg.password")"
    export PGPASSWORD
}

# CPU time (clock ticks) of the hub process, and of the whole PostgreSQL server: postmaster + its live children +
# the children it has already reaped (cutime/cstime) — the cost of the work whatever else the machine is doing,
# where wall-clock rates on a busy shared machine are not.
ticks_per_s="$(getconf CLK_TCK)"
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2> /dev/null || echo 0; }
# After a client such as pgbench disconnects, its backends exit a moment later: read too soon, a backend listed as a
# child is gone (reaped) before its times are read, and its CPU is counted nowhere. Wait for them first.
pg_ticks_after_disconnect() { sleep 1; pg_ticks; }
pg_ticks() {
    local pm total child
    pm="$(head -n 1 "$data/pg/postmaster.pid" 2> /dev/null)" || { echo 0; return; }
    total="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat" 2> /dev/null)" || { echo 0; return; }
    for child in $(ps --ppid "$pm" -o pid= 2> /dev/null); do total=$((total + $(proc_ticks "$child"))); done
    echo "$total"
}

# --- reading and reporting (shared by the benchmarks' reports) ------------------------------------------------

# bench_ms_per TICKS N: milliseconds of CPU (clock ticks from proc_ticks/pg_ticks) per unit of work.
bench_ms_per() { awk -v t="$1" -v n="$2" -v hz="$ticks_per_s" 'BEGIN { if (n > 0) printf "%.2f", t * 1000 / hz / n; else print "n/a" }'; }

# bench_verdict EXPR: "met" when the awk expression holds, else "MISSED".
bench_verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }

# bench_wrk_result FILE: reads the RESULT line our wrk scripts print; sets wrk_rate, wrk_requests, p50_ms, p90_ms,
# p99_ms, max_ms, non2xx, socket_errors, timeouts.
bench_wrk_result() {
    local result
    result="$(grep '^RESULT ' "$1")" || die "no RESULT line from wrk"
    _wrk_field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< " ${result#RESULT }"; }
    _wrk_ms() { awk -v us="$(_wrk_field "$1")" 'BEGIN { printf "%.1f", us / 1000 }'; }
    wrk_rate="$(_wrk_field rate)"; wrk_requests="$(_wrk_field requests)"
    p50_ms="$(_wrk_ms p50_us)"; p90_ms="$(_wrk_ms p90_us)"; p99_ms="$(_wrk_ms p99_us)"; max_ms="$(_wrk_ms max_us)"
    non2xx="$(_wrk_field non2xx)"; socket_errors="$(_wrk_field socket_errors)"; timeouts="$(_wrk_field timeouts)"
}

# bench_pgbench_result FILE: reads pgbench's summary; sets pg_processed, pg_rate, pg_latency, pg_failed.
bench_pgbench_result() {
    pg_processed="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$1")"
    pg_rate="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$1")"
    pg_latency="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$1")"
    pg_failed="$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$1")"
    [[ -n "$pg_rate" ]] || die "could not read the pgbench rate"
}

# bench_peak_memory: the hub's peak and current resident memory in MiB (hwm_mib, rss_mib).
bench_peak_memory() {
    hwm_mib=$(($(awk '/^VmHWM:/ { print $2 }' "/proc/$hub_pid/status") / 1024))
    rss_mib=$(($(awk '/^VmRSS:/ { print $2 }' "/proc/$hub_pid/status") / 1024))
}

# bench_machine: one line naming the machine, for the report's title.
bench_machine() { echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"; }

# bench_measured_wrk DESCRIPTION RUN_WRK_ARGS…: the measured wrk run (run_wrk, defined by the caller, with these
# arguments; its output in $data/wrk.txt, printed), with the machine's load before and after (load_before,
# load_after), the CPU the hub and PostgreSQL used meanwhile (hub_ticks, hub_pg_ticks), the hub's peak memory and
# wrk's figures (bench_peak_memory, bench_wrk_result).
bench_measured_wrk() {
    local description="$1"
    shift
    load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
    log "load: $description (load average: $load_before)"
    local hub_before pg_before
    hub_before="$(proc_ticks "$hub_pid")"; pg_before="$(pg_ticks)"
    run_wrk "$@" > "$data/wrk.txt" 2>&1 || { cat "$data/wrk.txt" >&2; die "wrk failed"; }
    kill -0 "$hub_pid" 2> /dev/null && [[ -f "$data/pg/postmaster.pid" ]] \
        || { cat "$data/wrk.txt" >&2; die "the hub or its PostgreSQL went away during the measured run (stopped from outside?)"; }
    hub_ticks=$(($(proc_ticks "$hub_pid") - hub_before)); hub_pg_ticks=$(($(pg_ticks) - pg_before))
    load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
    bench_peak_memory
    cat "$data/wrk.txt"
    bench_wrk_result "$data/wrk.txt"
}
