# Shared helpers of the load-test scripts (bench.sh, report-bench.sh, scale.sh, engines.sh, health.sh): a temp work folder and
# cleanup on exit or Ctrl-C, a time limit, Release builds, one API key per role, starting a service and waiting for its
# health check, resident memory, a private PostgreSQL server and the jq/awk arithmetic of the summaries.
# Sourced, not run. Before sourcing, a script sets ROOT and OUT; the helpers set WORK, PIDS, STARTED, PG_* and the keys.
# shellcheck shell=bash

# lib_init <name>: the work folder /tmp/rds-<name>.XXXXXX (readable by the postgres user, who must enter it), $OUT, and
# the traps: on exit every started process is stopped (TERM, then KILL after LIB_STOP_GRACE seconds), the PostgreSQL
# server with it, the service logs are copied to $OUT/logs and the work folder is removed; Ctrl-C or TERM exits 130.
lib_init() {
  LIB_NAME=$1
  WORK=$(mktemp -d "/tmp/rds-$LIB_NAME.XXXXXX")
  chmod 755 "$WORK"
  mkdir -p "$OUT"
  PIDS=()
  LIB_PIDS=()
  trap lib_cleanup EXIT
  trap 'echo "$LIB_NAME: stopped" >&2; exit 130' INT TERM
}

# stop_all: TERM to every service started so far (PIDS), then KILL to those left after LIB_STOP_GRACE (3) seconds.
# The cache and the watchdog (LIB_PIDS) live until the script ends.
stop_all() {
  local pid
  [[ ${#PIDS[@]} -eq 0 ]] && return 0
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep "${LIB_STOP_GRACE:-3}"
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  PIDS=()
}

lib_cleanup() {
  trap - INT TERM
  PIDS+=(${LIB_PIDS[@]+"${LIB_PIDS[@]}"})
  stop_all
  pg_stop
  # Service logs are kept next to the results; data folders (and the 1M-row databases) are not.
  mkdir -p "$OUT/logs" && cp "$WORK"/*.log "$OUT/logs/" 2>/dev/null || true
  rm -rf "$WORK"
}

# after <seconds> <command...>: runs the command in the background after a delay; prints the waiter's pid. Stopping
# the waiter stops its sleep too: a sleep left behind would keep the files the script inherited open, among them the
# `flock /tmp/rds-bench.lock` lock, and hold it for every other benchmark on the machine until it ends.
after() {
  local delay=$1
  shift
  ( trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$delay" & sleeper=$!
    wait "$sleeper" && "$@" ) >/dev/null 2>&1 &
  echo $!
}

# watchdog <seconds>: the whole run is bounded; the watchdog signals this script, whose trap stops what it started.
watchdog() {
  LIB_PIDS+=("$(after "$1" lib_time_up "$1")")
}
lib_time_up() { echo "$LIB_NAME: time limit of ${1}s reached, stopping" >&2; kill -TERM $$; }

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# build_release <source root> <project...>: Release builds; with BUILD_OUT set, each into $BUILD_OUT/<project>.
build_release() {
  local src=$1 project
  shift
  for project in "$@"; do
    [[ -n "${BUILD_OUT:-}" ]] && log "building $project (Release)"
    dotnet build "$src/src/$project" -c Release -v q -nologo -clp:ErrorsOnly ${BUILD_OUT:+-o "$BUILD_OUT/$project"} >&2
  done
}

# use_source <tree|head|commit>: SRC, the source root to build: the working tree ($ROOT), or a clean copy of the last
# commit ("head") or of any commit in the work folder (immune to edits in progress); SRC_NAME says which.
use_source() {
  SRC=$ROOT
  SRC_NAME="$(git -C "$ROOT" rev-parse --short HEAD) + working tree"
  if [[ "$1" != tree ]]; then
    local rev=$1
    [[ $rev == head ]] && rev=HEAD
    SRC=$WORK/source
    SRC_NAME=$(git -C "$ROOT" rev-parse --short "$rev")
    mkdir -p "$SRC"
    git -C "$ROOT" archive "$rev" | tar -x -C "$SRC"
  fi
  log "building Release from $SRC ($SRC_NAME)"
}

# bin <project>: the folder of a built project: $BIN/<project> when BIN names prebuilt folders, else its Release output
# under $SRC (default $ROOT).
# BIN_<project with _ for .> names one project's folder instead (bench.sh's Native AOT gateway: BIN_RdsPlatform_SessionHost).
bin() {
  local own="BIN_${1//./_}"
  if [[ -n "${!own:-}" ]]; then echo "${!own}"
  elif [[ -n "${BIN:-}" ]]; then echo "$BIN/$1"; else echo "${SRC:-$ROOT}/src/$1/bin/Release/net10.0"; fi
}
# use_tool: TOOL, the command line of the built load tool (rds-load).
use_tool() { TOOL="dotnet $(bin RdsPlatform.LoadTest)/RdsPlatform.LoadTest.dll"; }

# make_keys: a fresh API key per role, accepted by every service (as the AppHost does); the gateway and reporting use
# theirs to reach the license server, and the tool sends the key of the role each scenario needs.
make_keys() {
  ADMIN_KEY=$(lib_key); CLIENT_KEY=$(lib_key); SESSION_HOST_KEY=$(lib_key); REPORTER_KEY=$(lib_key)
  AUTH_ENV=(
    "Auth__Keys__admin__Key=$ADMIN_KEY" "Auth__Keys__admin__Role=admin"
    "Auth__Keys__client__Key=$CLIENT_KEY" "Auth__Keys__client__Role=client"
    "Auth__Keys__sessionhost__Key=$SESSION_HOST_KEY" "Auth__Keys__sessionhost__Role=session-host" "Auth__Keys__sessionhost__HostIds__0=*"
    "Auth__Keys__reporter__Key=$REPORTER_KEY" "Auth__Keys__reporter__Role=reporter"
    "Gateway__LicenseServerApiKey=$SESSION_HOST_KEY" "Reporting__LicenseServerApiKey=$REPORTER_KEY"
  )
  export RDS_ADMIN_API_KEY=$ADMIN_KEY
}
lib_key() { od -An -tx1 -N20 /dev/urandom | tr -d ' \n'; }

# start_cache <port>: the embedded cache (Garnet) on loopback, one simulated clock for every process; sets CACHE_PID
# and CACHE_ENV (the connection string for the services).
start_cache() {
  (cd "$(bin RdsPlatform.Cache)" && CACHE_PORT=$1 exec dotnet RdsPlatform.Cache.dll >"$WORK/cache.log" 2>&1) &
  CACHE_PID=$!
  LIB_PIDS+=("$CACHE_PID")
  CACHE_ENV=("ConnectionStrings__cache=127.0.0.1:$1")
  for _ in $(seq 1 60); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.5; done
}

# healthy <port>: one Health/Check answered without error.
healthy() { $TOOL run --scenario health --host "127.0.0.1:$1" --total 1 --concurrency 1 --json 2>/dev/null | jq -e '.errors == 0' >/dev/null 2>&1; }

# start <name> <project> <port> [VAR=value...]: starts a built service on 127.0.0.1:<port> with simulated time, its own
# data folder $WORK/<name>, the keys, START_ENV (the script's extra environment) and the given variables; sets STARTED
# to its pid once it answers health checks (START_TRIES half-seconds, 60). Refuses a taken port: another engineer's
# service there would answer the health check and refuse our keys.
start() {
  local name=$1 project=$2 port=$3
  shift 3
  if ss -ltn | grep -q "127.0.0.1:$port "; then log "port $port is taken; choose other ports (the script's *_PORT settings)"; return 1; fi
  mkdir -p "$WORK/$name"
  # A framework-dependent build runs on dotnet; a Native AOT one (no <project>.dll beside it) is its own executable.
  local folder program=(dotnet "$project.dll")
  folder=$(bin "$project")
  [[ ! -f "$folder/$project.dll" && -x "$folder/$project" ]] && program=("./$project")
  (cd "$folder" && exec env ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:$port" \
      Clock__Mode=Simulated Storage__DataDirectory="$WORK/$name" Logging__LogLevel__Default=Warning \
      "${AUTH_ENV[@]}" ${START_ENV[@]+"${START_ENV[@]}"} "$@" "${program[@]}" >"$WORK/$name.log" 2>&1) &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 "${START_TRIES:-60}"); do
    if healthy "$port"; then
      STARTED=$pid
      return 0
    fi
    sleep 0.5
  done
  log "$name did not answer on 127.0.0.1:$port; its log:"; tail -n 30 "$WORK/$name.log" >&2
  return 1
}
# stop <pid>: TERM, and KILL if it has not ended within 10 s; waits for it.
stop() {
  local killer
  kill -TERM "$1" 2>/dev/null || return 0
  killer=$(after 10 kill -KILL "$1")
  wait "$1" 2>/dev/null || true
  kill "$killer" 2>/dev/null || true
}

# measure <label> <port> <scenario> [options...]: one rds-load run with CONCURRENCY in flight after WARMUP for DURATION,
# the scenarios' state in $WORK/state.json (written by setup); its ghz-style JSON report in $OUT/<label>.json.
measure() {
  local label=$1 port=$2 scenario=$3
  shift 3
  log "run $label ($scenario on :$port, $CONCURRENCY in flight, warm-up $WARMUP, $DURATION)"
  $TOOL run --scenario "$scenario" --host "127.0.0.1:$port" --concurrency "$CONCURRENCY" --warmup "$WARMUP" \
    --duration "$DURATION" --state "$WORK/state.json" --name "$label" --json "$@" >"$OUT/$label.json"
}

# mem <pid> <VmRSS|VmHWM>: resident memory (now, or the peak) in MB.
mem() { awk -v k="$2" '$1 == k":" { printf "%d", $2 / 1024 }' "/proc/$1/status"; }

# ratio <a> <b>: the rps of $OUT/<a>.json over that of $OUT/<b>.json, two decimals.
ratio() { jq -n --slurpfile a "$OUT/$1.json" --slurpfile b "$OUT/$2.json" '($a[0].rps / $b[0].rps * 100 | round) / 100'; }
# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- a private PostgreSQL server -----------------------------------------------------------------------------------------
# pg_start <port>: Debian's server binaries (the newest /usr/lib/postgresql/<version>/bin; `apt-get install -y postgresql`
# when there are none) on 127.0.0.1:<port>, data in $WORK/pg, trust authentication on loopback, the server's defaults
# otherwise: fsync on, synchronous_commit on, full_page_writes on (a real, durable commit per transaction). initdb and
# postgres refuse to run as root, so as root they run as the postgres user (runuser), never through systemd.
# Extra server settings: PG_OPTIONS ("-c name=value ..."). Sets PG_BIN, AS_PG and PG_STARTED.
pg_start() {
  PG_PORT=$1
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ ! -x "$PG_BIN/postgres" ]]; then
    log "installing postgresql (Debian's package; its cluster is not started)"
    { apt-get install -y postgresql || { apt-get update && apt-get install -y postgresql; }; } >&2 ||
      { log "no PostgreSQL under /usr/lib/postgresql and apt-get could not install it (apt-get install -y postgresql)"; return 1; }
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  AS_PG=(); [[ $(id -u) == 0 ]] && AS_PG=(runuser -u postgres --)
  log "starting PostgreSQL ($PG_BIN) on 127.0.0.1:$PG_PORT, data in $WORK/pg"
  mkdir -p "$WORK/pg"
  [[ ${#AS_PG[@]} -gt 0 ]] && chown postgres:postgres "$WORK/pg"
  "${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/pg" -A trust -U postgres -E UTF8 >/dev/null
  PG_STARTED=1
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 ${PG_OPTIONS:-}" start >/dev/null
}
psql_admin() { "${AS_PG[@]}" "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -c "$1"; }
# pg_connection <database>: over TCP loopback, or the server's Unix-domain socket with PG_SOCKET=1 (the socket lives in
# the data folder, $WORK/pg; how a service on the same machine as its database would reach it).
pg_connection() {
  local host=127.0.0.1
  [[ ${PG_SOCKET:-0} == 1 ]] && host=$WORK/pg
  echo "Host=$host;Port=$PG_PORT;Username=postgres;Database=$1${PG_CONNECTION_EXTRA:-}"
}
# pg_pid: the postmaster's pid (first line of postmaster.pid).
pg_pid() { head -n 1 "$WORK/pg/postmaster.pid" 2>/dev/null; }
# pg_stop: a fast shutdown; the postmaster is killed by its pid if it has not stopped within 30 s.
pg_stop() {
  [[ -n "${PG_STARTED:-}" ]] || return 0
  local pid
  pid=$(pg_pid)
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -t 30 -w stop >/dev/null 2>&1 || { [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null; } || true
  cp "$WORK/pg/server.log" "$WORK/postgres.log" 2>/dev/null || true
  PG_STARTED=
}
# pg_pss: the proportional set size of the PostgreSQL server (the postmaster and its children), MB: shared buffers
# counted once across the processes that touched them.
pg_pss() {
  local pid=$(pg_pid) p total=0
  for p in "$pid" $(ps -o pid= --ppid "$pid"); do
    total=$(( total + $(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0) ))
  done
  echo $(( total / 1024 ))
}

# cpu_ticks <pid...>: user + system CPU of the processes so far, in clock ticks (getconf CLK_TCK per second).
cpu_ticks() {
  local p total=0
  for p in "$@"; do
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

# pg_cpu_ticks: cpu_ticks of the private PostgreSQL server and every process it forked (backends, WAL writer, ...).
pg_cpu_ticks() {
  local pid=$(pg_pid)
  cpu_ticks "$pid" $(ps -o pid= --ppid "$pid")
}

# machine_busy_ticks: every core's non-idle time so far (the first line of /proc/stat, without idle and iowait).
machine_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# --- the 1M-CAL report ---------------------------------------------------------------------------------------------------
# million_report <tag> <license server port> <reporting port> <count>: a fresh license server
# (license-server-report<tag>), <count> permanent Per Device CALs seeded straight into its database (seed-licenses:
# SQLite in its data folder, or the REPORT_SEED arguments, e.g. --storage-provider Postgres --connection-string CS),
# a fresh reporting service (reporting-report<tag>) on it, then one Per Device report generated and exported as CSV
# ($OUT/report<tag>.json). Extra environment: REPORT_LS_ENV for the license server, REPORT_REP_ENV for reporting.
# Sets SEED_SECONDS, REP_BEFORE (reporting RSS before the report), REP_HWM (its peak), REP_AFTER, LS2_HWM (the
# license server's peak) and REPORT_LS_PID / REPORT_REP_PID (both left running).
million_report() {
  local tag=$1 ls_port=$2 rep_port=$3 count=$4 began
  start "license-server-report$tag" RdsPlatform.LicenseServer "$ls_port" ${REPORT_LS_ENV[@]+"${REPORT_LS_ENV[@]}"}; REPORT_LS_PID=$STARTED
  began=$SECONDS
  if [[ ${#REPORT_SEED[@]} -eq 0 ]]; then
    $TOOL seed-licenses --data-dir "$WORK/license-server-report$tag" --count "$count" --license-server "127.0.0.1:$ls_port" >&2
  else
    $TOOL seed-licenses "${REPORT_SEED[@]}" --count "$count" --license-server "127.0.0.1:$ls_port" >&2
  fi
  SEED_SECONDS=$((SECONDS - began))
  start "reporting-report$tag" RdsPlatform.Reporting "$rep_port" Reporting__LicenseServerAddress="http://127.0.0.1:$ls_port" \
    ${REPORT_REP_ENV[@]+"${REPORT_REP_ENV[@]}"}; REPORT_REP_PID=$STARTED
  REP_BEFORE=$(mem "$REPORT_REP_PID" VmRSS)
  log "report: generating the Per Device report over $count CALs and exporting it as CSV"
  $TOOL report --api-key "$REPORTER_KEY" --host "127.0.0.1:$rep_port" --kind per-device --csv "$WORK/report.csv" --json >"$OUT/report$tag.json"
  REP_HWM=$(mem "$REPORT_REP_PID" VmHWM); REP_AFTER=$(mem "$REPORT_REP_PID" VmRSS)
  LS2_HWM=$(mem "$REPORT_LS_PID" VmHWM)
  rm -f "$WORK/report.csv"
}
REPORT_SEED=()

# report_line <json> [after]: the summary line of million_report's figures; with "after", the reporting RSS after it too.
report_line() {
  jq -r --argjson before "$REP_BEFORE" --argjson hwm "$REP_HWM" --argjson after "$REP_AFTER" --argjson ls "$LS2_HWM" --arg show "${2:-}" \
    '"report: \(.entries) entries, generate \(.generateSeconds) s + export \(.exportSeconds) s = \(.totalSeconds) s (target <= 5 s); CSV \(.csvBytes) bytes; reporting RSS \($before) MB before, peak \($hwm) MB (growth \($hwm - $before) MB, target <= 100)\(if $show == "after" then ", \($after) MB after" else "" end); license server peak \($ls) MB"' \
    "$1"
}
