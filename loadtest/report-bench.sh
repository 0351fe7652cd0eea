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
# shellcheck source=loadtest/lib.sh
source "$ROOT/loadtest/lib.sh"
lib_init report-bench

BIN=${REPORT_BENCH_BIN:-}
if [[ -z "$BIN" ]]; then
  BUILD_OUT=$WORK/bin build_release "$ROOT" RdsPlatform.LicenseServer RdsPlatform.Reporting RdsPlatform.LoadTest
  BIN=$WORK/bin
fi
use_tool
make_keys
START_TRIES=90
# load <label> <kind> <concurrency> <duration>: GenerateReport in a closed loop after a 3 s warm-up (the JIT's second tier),
# the JSON summary in $OUT/<label>.json.
load() {
  $TOOL run --scenario generate-report --report-kind "$2" --host "127.0.0.1:$REP_PORT" --concurrency "$3" --connections 2 \
    --warmup 3s --duration "$4" --timeout 120s --api-key "$REPORTER_KEY" --name "$1" --json >"$OUT/$1.json"
}
figures() { jq -r '"\(.name): \(.count) reports, \(.rps*100|round/100) reports/s, p50 \(.latencyDistribution[]|select(.percentage==50)|.latency/1e6*100|round/100) ms, p99 \(.latencyDistribution[]|select(.percentage==99)|.latency/1e6*100|round/100) ms, errors \(.errors)"' "$OUT/$1.json"; }

# Reporting's store: its SQLite file (default) or a private PostgreSQL server (lib.sh's pg_start: Debian's binaries as
# the postgres user, fsync on); the license server stays on SQLite.
REP_STORAGE=()
if [[ "$STORAGE" == postgres ]]; then
  pg_start "$PG_PORT"
  REP_STORAGE=(Storage__Provider=Postgres "ConnectionStrings__reporting=$(pg_connection postgres)")
fi
REPORT_REP_ENV=(${REP_STORAGE[@]+"${REP_STORAGE[@]}"})

LOAD_BEFORE=$(load_average)
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
  million_report "" "$LS_PORT" "$REP_PORT" "$REPORT_CALS"
  REPORT_LINE=$(report_line "$OUT/report.json")
fi

{
  echo "reporting benchmark ($STORAGE), load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  figures per-device-1000
  figures per-user-1000
  figures summary-concurrent
  echo "$REPORT_LINE"
} | tee "$OUT/summary.txt"
