#!/usr/bin/env bash
# Benchmarks the reporting service alone (issue 20's reporting targets), without the gateway and h2load rounds of
# bench.sh: Summary reports per second with REPORT_BENCH_CONCURRENCY (50) in flight over a farm of 1,000 permanent
# Per Device CALs plus REPORT_BENCH_TEMPORARY temporary CALs (what the bench's connect-new and request-license scenarios
# leave behind), the latency of a Per Device report of 1,000 rows and of a Per User report of 1,000 rows (one at a time),
# and the report over REPORT_BENCH_CALS (1,000,000) issued CALs generated and exported as CSV, with the reporting
# service's memory growth. It kills everything it started.
#
#   loadtest/report-bench.sh                          # builds Release of the working tree
#   REPORT_BENCH_BIN=/tmp/before loadtest/report-bench.sh  # prebuilt folders <dir>/RdsPlatform.{LicenseServer,Reporting,LoadTest}
#   REPORT_BENCH_STORAGE=postgres loadtest/report-bench.sh # reporting stores its reports in a private PostgreSQL (Debian's
#                                                          # postgresql-15, run as the postgres user) instead of SQLite
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${REPORT_BENCH_OUT:-$ROOT/loadtest/out/reports}
CONCURRENCY=${REPORT_BENCH_CONCURRENCY:-50}
DURATION=${REPORT_BENCH_DURATION:-10s}
TEMPORARY=${REPORT_BENCH_TEMPORARY:-150000}
REPORT_CALS=${REPORT_BENCH_CALS:-1000000}
LS_PORT=${REPORT_BENCH_LS_PORT:-19431}
REP_PORT=${REPORT_BENCH_REP_PORT:-19433}
STORAGE=${REPORT_BENCH_STORAGE:-sqlite}
PG_PORT=${REPORT_BENCH_PG_PORT:-19435}
WORK=$(mktemp -d /tmp/rds-report-bench.XXXXXX)
mkdir -p "$OUT"
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 3
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [[ -n "${PG_DIR:-}" ]]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast stop >/dev/null 2>&1 || true; fi
  mkdir -p "$OUT/logs" && cp "$WORK"/*.log "$OUT/logs/" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

BIN=${REPORT_BENCH_BIN:-}
if [[ -z "$BIN" ]]; then
  BIN=$WORK/bin
  for project in RdsPlatform.LicenseServer RdsPlatform.Reporting RdsPlatform.LoadTest; do
    log "building $project (Release)"
    dotnet build "$ROOT/src/$project" -c Release -v q -nologo -clp:ErrorsOnly -o "$BIN/$project" >&2
  done
fi
TOOL="dotnet $BIN/RdsPlatform.LoadTest/RdsPlatform.LoadTest.dll"

key() { od -An -tx1 -N20 /dev/urandom | tr -d ' \n'; }
ADMIN_KEY=$(key); SESSION_HOST_KEY=$(key); REPORTER_KEY=$(key)
AUTH_ENV=(
  "Auth__Keys__admin__Key=$ADMIN_KEY" "Auth__Keys__admin__Role=admin"
  "Auth__Keys__sessionhost__Key=$SESSION_HOST_KEY" "Auth__Keys__sessionhost__Role=session-host" "Auth__Keys__sessionhost__HostIds__0=*"
  "Auth__Keys__reporter__Key=$REPORTER_KEY" "Auth__Keys__reporter__Role=reporter"
  "Reporting__LicenseServerApiKey=$REPORTER_KEY"
)
export RDS_ADMIN_API_KEY=$ADMIN_KEY

# start <name> <project> <port> [VAR=value...]: sets STARTED to the pid once the service answers health checks.
start() {
  local name=$1 project=$2 port=$3
  shift 3
  # Another engineer's service on the port would answer the health check and refuse our keys.
  if ss -ltn | grep -q "127.0.0.1:$port "; then log "port $port is taken; set REPORT_BENCH_LS_PORT / REPORT_BENCH_REP_PORT"; return 1; fi
  mkdir -p "$WORK/$name"
  (cd "$BIN/$project" && exec env ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:$port" \
      Clock__Mode=Simulated Storage__DataDirectory="$WORK/$name" Logging__LogLevel__Default=Warning \
      "${AUTH_ENV[@]}" "$@" dotnet "$project.dll" >"$WORK/$name.log" 2>&1) &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 90); do
    if $TOOL run --scenario health --host "127.0.0.1:$port" --total 1 --concurrency 1 --json 2>/dev/null | jq -e '.errors == 0' >/dev/null 2>&1; then
      STARTED=$pid
      return 0
    fi
    sleep 0.5
  done
  log "$name did not answer on 127.0.0.1:$port"; tail -n 30 "$WORK/$name.log" >&2
  return 1
}
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
mem() { awk -v k="$2" '$1 == k":" { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
# load <label> <kind> <concurrency> <duration>: GenerateReport in a closed loop after a 3 s warm-up (the JIT's second tier),
# the JSON summary in $OUT/<label>.json.
load() {
  $TOOL run --scenario generate-report --report-kind "$2" --host "127.0.0.1:$REP_PORT" --concurrency "$3" --connections 2 \
    --warmup 3s --duration "$4" --timeout 120s --api-key "$REPORTER_KEY" --name "$1" --json >"$OUT/$1.json"
}
figures() { jq -r '"\(.name): \(.count) reports, \(.rps*100|round/100) reports/s, p50 \(.latencyDistribution[]|select(.percentage==50)|.latency/1e6*100|round/100) ms, p99 \(.latencyDistribution[]|select(.percentage==99)|.latency/1e6*100|round/100) ms, errors \(.errors)"' "$OUT/$1.json"; }

# Reporting's store: its SQLite file (default) or a private PostgreSQL server in $WORK, the postgres user's (initdb and
# postgres refuse root); the license server stays on SQLite.
REP_STORAGE=()
if [[ "$STORAGE" == postgres ]]; then
  PG_BIN=$(dirname "$(dpkg -L postgresql-15 | grep 'bin/postgres$')")
  chmod 755 "$WORK"; mkdir -p "$WORK/pg"; chown postgres "$WORK/pg"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/pg" -A trust -U postgres >/dev/null
  PG_DIR=$WORK/pg
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
  REP_STORAGE=(Storage__Provider=Postgres "ConnectionStrings__reporting=Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres")
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "farm: 1,000 permanent Per Device CALs and 1,000 Per User CALs on :$LS_PORT"
start farm RdsPlatform.LicenseServer "$LS_PORT"; LS_PID=$STARTED
$TOOL seed-licenses --data-dir "$WORK/farm" --count 1000 --license-server "127.0.0.1:$LS_PORT" --subject-prefix dev >&2
$TOOL seed-licenses --data-dir "$WORK/farm" --count 1000 --license-server "127.0.0.1:$LS_PORT" --cal-type per-user --subject-prefix user >&2
start reporting RdsPlatform.Reporting "$REP_PORT" Reporting__LicenseServerAddress="http://127.0.0.1:$LS_PORT" "${REP_STORAGE[@]}"; REP_PID=$STARTED
load per-device-1000 per-device 1 "$DURATION"
load per-user-1000 per-user 1 "$DURATION"

log "farm: adding $TEMPORARY temporary CALs, then Summary reports with $CONCURRENCY in flight"
$TOOL seed-licenses --data-dir "$WORK/farm" --count "$TEMPORARY" --subject-prefix tmp >&2
load summary-concurrent summary "$CONCURRENCY" "$DURATION"
stop "$REP_PID"; stop "$LS_PID"

REPORT_LINE="report: skipped (REPORT_BENCH_CALS=0)"
if [[ "$REPORT_CALS" -gt 0 ]]; then
  log "report: seeding $REPORT_CALS issued CALs into a fresh license server"
  start license-server-report RdsPlatform.LicenseServer "$LS_PORT"; LS2_PID=$STARTED
  $TOOL seed-licenses --data-dir "$WORK/license-server-report" --count "$REPORT_CALS" --license-server "127.0.0.1:$LS_PORT" >&2
  start reporting-report RdsPlatform.Reporting "$REP_PORT" Reporting__LicenseServerAddress="http://127.0.0.1:$LS_PORT" "${REP_STORAGE[@]}"; REP2_PID=$STARTED
  REP_BEFORE=$(mem "$REP2_PID" VmRSS)
  $TOOL report --api-key "$REPORTER_KEY" --host "127.0.0.1:$REP_PORT" --kind per-device --csv "$WORK/report.csv" --json >"$OUT/report.json"
  REP_HWM=$(mem "$REP2_PID" VmHWM); LS2_HWM=$(mem "$LS2_PID" VmHWM)
  REPORT_LINE=$(jq -r --argjson before "$REP_BEFORE" --argjson hwm "$REP_HWM" --argjson ls "$LS2_HWM" \
    '"report: \(.entries) entries, generate \(.generateSeconds) s + export \(.exportSeconds) s = \(.totalSeconds) s (target <= 5 s); CSV \(.csvBytes) bytes; reporting RSS \($before) MB before, peak \($hwm) MB (growth \($hwm - $before) MB, target <= 100); license server peak \($ls) MB"' \
    "$OUT/report.json")
fi

{
  echo "reporting benchmark ($STORAGE), load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  figures per-device-1000
  figures per-user-1000
  figures summary-concurrent
  echo "$REPORT_LINE"
} | tee "$OUT/summary.txt"
