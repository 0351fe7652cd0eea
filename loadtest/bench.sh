#!/usr/bin/env bash
# Benchmarks RdsPlatform on this machine: builds Release, starts the services on loopback with their own temp data
# folders and simulated time, runs every scenario with the same tool and concurrency, and prints throughput as a ratio of
# grpc.health.v1.Health/Check on the same service in the same run, p99s, resident memory, and the 1M-CAL report.
# It stops by itself (BENCH_TIMEOUT) and kills everything it started.
#
#   loadtest/bench.sh                      # everything, embedded Garnet cache
#   BENCH_CACHE=0 loadtest/bench.sh        # no cache (gateway and clock without Redis)
#   BENCH_REPORT_CALS=0 loadtest/bench.sh  # skip the report scenario
#   BENCH_SOURCE=head loadtest/bench.sh    # build and measure the last commit, not the working tree
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/loadtest/out}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-3s}
CONCURRENCY=${BENCH_CONCURRENCY:-50}
DEVICES=${BENCH_DEVICES:-1000}
REPORT_CALS=${BENCH_REPORT_CALS:-1000000}
USE_CACHE=${BENCH_CACHE:-1}
LIMIT=${BENCH_TIMEOUT:-1200}
LS_PORT=${BENCH_LS_PORT:-15101}
GW_PORT=${BENCH_GW_PORT:-15102}
REP_PORT=${BENCH_REP_PORT:-15103}
LS2_PORT=${BENCH_LS2_PORT:-15111}
CACHE_PORT=${BENCH_CACHE_PORT:-16379}

WORK=$(mktemp -d /tmp/rds-bench.XXXXXX)
mkdir -p "$OUT"
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 5
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  # Service logs are kept next to the results; data folders (and the 1M-row database) are not.
  mkdir -p "$OUT/logs" && cp "$WORK"/*.log "$OUT/logs/" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "bench: stopped" >&2; exit 130' INT TERM

# The whole run is bounded: a watchdog signals this script, whose trap kills what it started.
( sleep "$LIMIT"; echo "bench: time limit of ${LIMIT}s reached, stopping" >&2; kill -TERM $$ ) &
PIDS+=($!)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# BENCH_SOURCE=head measures the last commit (a clean copy, immune to edits in progress); default: the working tree.
SRC=$ROOT
if [[ "${BENCH_SOURCE:-tree}" == head ]]; then
  SRC=$WORK/source
  mkdir -p "$SRC"
  git -C "$ROOT" archive HEAD | tar -x -C "$SRC"
fi
log "building Release from $SRC ($(git -C "$ROOT" rev-parse --short HEAD)$([[ $SRC == "$ROOT" ]] && echo ' + working tree'))"
for project in RdsPlatform.LicenseServer RdsPlatform.SessionHost RdsPlatform.Reporting RdsPlatform.Cache RdsPlatform.LoadTest; do
  dotnet build "$SRC/src/$project" -c Release -v q -nologo -clp:ErrorsOnly >&2
done
bin() { echo "$SRC/src/$1/bin/Release/net10.0"; }
TOOL="dotnet $(bin RdsPlatform.LoadTest)/RdsPlatform.LoadTest.dll"

# Extra environment for every service, e.g. BENCH_SERVICE_ENV="DOTNET_gcServer=0" to compare garbage collectors.
read -r -a SERVICE_ENV <<<"${BENCH_SERVICE_ENV:-}"
# One API key per role, accepted by every service (as the AppHost does); the gateway and reporting use theirs to reach
# the license server, and the tool sends the key of the role each scenario needs.
key() { od -An -tx1 -N20 /dev/urandom | tr -d ' \n'; }
ADMIN_KEY=$(key); CLIENT_KEY=$(key); SESSION_HOST_KEY=$(key); REPORTER_KEY=$(key)
AUTH_ENV=(
  "Auth__Keys__admin__Key=$ADMIN_KEY" "Auth__Keys__admin__Role=admin"
  "Auth__Keys__client__Key=$CLIENT_KEY" "Auth__Keys__client__Role=client"
  "Auth__Keys__sessionhost__Key=$SESSION_HOST_KEY" "Auth__Keys__sessionhost__Role=session-host" "Auth__Keys__sessionhost__HostIds__0=*"
  "Auth__Keys__reporter__Key=$REPORTER_KEY" "Auth__Keys__reporter__Role=reporter"
  "Gateway__LicenseServerApiKey=$SESSION_HOST_KEY" "Reporting__LicenseServerApiKey=$REPORTER_KEY"
)
export RDS_ADMIN_API_KEY=$ADMIN_KEY

CACHE_ENV=()
if [[ "$USE_CACHE" == 1 ]]; then
  log "starting the embedded cache (Garnet) on 127.0.0.1:$CACHE_PORT"
  (cd "$(bin RdsPlatform.Cache)" && CACHE_PORT=$CACHE_PORT exec dotnet RdsPlatform.Cache.dll >"$WORK/cache.log" 2>&1) &
  PIDS+=($!)
  CACHE_ENV=("ConnectionStrings__cache=127.0.0.1:$CACHE_PORT")
  for _ in $(seq 1 60); do (echo >"/dev/tcp/127.0.0.1/$CACHE_PORT") 2>/dev/null && break; sleep 0.5; done
fi

# start <name> <project> <port> [VAR=value...]: sets STARTED to the pid of the dotnet process once it answers health checks.
start() {
  local name=$1 project=$2 port=$3
  shift 3
  mkdir -p "$WORK/$name"
  (cd "$(bin "$project")" && exec env ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:$port" \
      Clock__Mode=Simulated Storage__DataDirectory="$WORK/$name" Logging__LogLevel__Default=Warning \
      "${AUTH_ENV[@]}" "${CACHE_ENV[@]}" "${SERVICE_ENV[@]}" "$@" dotnet "$project.dll" >"$WORK/$name.log" 2>&1) &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 60); do
    if $TOOL run --scenario health --host "127.0.0.1:$port" --total 1 --concurrency 1 --json 2>/dev/null | jq -e '.errors == 0' >/dev/null 2>&1; then
      STARTED=$pid
      return 0
    fi
    sleep 0.5
  done
  log "$name did not answer on 127.0.0.1:$port; its log:"; tail -n 30 "$WORK/$name.log" >&2
  return 1
}

mem() { awk -v k="$2" '$1 == k":" { printf "%d", $2 / 1024 }' "/proc/$1/status"; }

log "starting license server :$LS_PORT and gateway :$GW_PORT"
start license-server RdsPlatform.LicenseServer "$LS_PORT"; LS_PID=$STARTED
start session-host RdsPlatform.SessionHost "$GW_PORT"; GW_PID=$STARTED

log "setup: $DEVICES devices with permanent CALs, host past its grace period"
RDS_API_KEY=$CLIENT_KEY $TOOL setup --gateway "127.0.0.1:$GW_PORT" --license-server "127.0.0.1:$LS_PORT" --devices "$DEVICES" --past-grace \
  --state "$WORK/state.json" --ghz-data "$WORK/ghz" >&2

declare -A PID_OF
PID_OF[$LS_PORT]=$LS_PID
PID_OF[$GW_PORT]=$GW_PID

# run <label> <port> <scenario> [extra options...]: one measured run, its JSON report kept in $OUT, and the loaded
# service's resident memory right after it in $OUT/<label>.rss.
run() {
  local label=$1 port=$2 scenario=$3
  shift 3
  log "run $label ($scenario on :$port, $CONCURRENCY in flight, warm-up $WARMUP, $DURATION)"
  $TOOL run --scenario "$scenario" --host "127.0.0.1:$port" --concurrency "$CONCURRENCY" --warmup "$WARMUP" \
    --duration "$DURATION" --state "$WORK/state.json" --name "$label" --json "$@" >"$OUT/$label.json"
  mem "${PID_OF[$port]}" VmRSS >"$OUT/$label.rss"
}

run gateway-health "$GW_PORT" health
run connect-valid "$GW_PORT" connect-valid --api-key "$CLIENT_KEY"
run connect-new "$GW_PORT" connect-new --subjects unique --api-key "$CLIENT_KEY"
run signin "$GW_PORT" signin --api-key "$CLIENT_KEY"
run license-server-health "$LS_PORT" health
run request-license "$LS_PORT" request-license --subjects unique --api-key "$SESSION_HOST_KEY"
GW_RSS=$(mem "$GW_PID" VmRSS); GW_HWM=$(mem "$GW_PID" VmHWM)
LS_RSS=$(mem "$LS_PID" VmRSS); LS_HWM=$(mem "$LS_PID" VmHWM)

start reporting RdsPlatform.Reporting "$REP_PORT" Reporting__LicenseServerAddress="http://127.0.0.1:$LS_PORT"; REP_PID=$STARTED
PID_OF[$REP_PORT]=$REP_PID
run reporting-health "$REP_PORT" health
run generate-report "$REP_PORT" generate-report --report-kind summary --timeout 60s --api-key "$REPORTER_KEY"
kill -TERM "$REP_PID" 2>/dev/null || true
wait "$REP_PID" 2>/dev/null || true

REPORT_LINE="report: skipped (BENCH_REPORT_CALS=0)"
if [[ "$REPORT_CALS" -gt 0 ]]; then
  log "report: seeding $REPORT_CALS issued CALs into a fresh license server :$LS2_PORT"
  start license-server-report RdsPlatform.LicenseServer "$LS2_PORT"; LS2_PID=$STARTED
  $TOOL seed-licenses --data-dir "$WORK/license-server-report" --count "$REPORT_CALS" --license-server "127.0.0.1:$LS2_PORT" >&2
  start reporting-report RdsPlatform.Reporting "$REP_PORT" Reporting__LicenseServerAddress="http://127.0.0.1:$LS2_PORT"; REP2_PID=$STARTED
  REP_BEFORE=$(mem "$REP2_PID" VmRSS)
  log "report: generating the Per Device report over $REPORT_CALS CALs and exporting it as CSV"
  $TOOL report --api-key "$REPORTER_KEY" --host "127.0.0.1:$REP_PORT" --kind per-device --csv "$WORK/report.csv" --json >"$OUT/report.json"
  REP_HWM=$(mem "$REP2_PID" VmHWM); REP_AFTER=$(mem "$REP2_PID" VmRSS)
  LS2_HWM=$(mem "$LS2_PID" VmHWM)
  REPORT_LINE=$(jq -r --argjson before "$REP_BEFORE" --argjson hwm "$REP_HWM" --argjson after "$REP_AFTER" --argjson ls "$LS2_HWM" \
    '"report: \(.entries) entries, generate \(.generateSeconds) s + export \(.exportSeconds) s = \(.totalSeconds) s (target <= 20 s); CSV \(.csvBytes) bytes; reporting RSS \($before) MB before, peak \($hwm) MB (growth \($hwm - $before) MB, target <= 200), \($after) MB after; license server peak \($ls) MB"' \
    "$OUT/report.json")
fi

ratio() { jq -n --slurpfile a "$OUT/$1.json" --slurpfile b "$OUT/$2.json" '($a[0].rps / $b[0].rps * 100 | round) / 100'; }
row() {
  jq -r --arg ratio "$3" --arg target "$4" --arg rss "$(cat "$OUT/$1.rss")" \
    '[.name, (.rps|floor|tostring), $ratio, (.latencyDistribution[] | select(.percentage==50) | .latency/1e6*100|round/100|tostring),
      (.latencyDistribution[] | select(.percentage==99) | .latency/1e6*100|round/100|tostring),
      (.latencyDistribution[] | select(.percentage==99.9) | .latency/1e6*100|round/100|tostring),
      (.errors|tostring), $rss, ((.outcomeDistribution|to_entries|map("\(.key)=\(.value)")|join(" ")) // ""), $target] | @tsv' "$OUT/$1.json"
}

{
  echo "RdsPlatform benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ): $(nproc) cores, $(awk '/MemTotal/ {printf "%d MB", $2/1024}' /proc/meminfo), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "concurrency $CONCURRENCY, warm-up $WARMUP, duration $DURATION, cache: $([[ $USE_CACHE == 1 ]] && echo "Garnet" || echo none), $DEVICES devices, service env: ${BENCH_SERVICE_ENV:-none}, load average before: $LOAD_BEFORE"
  echo
  printf 'scenario\trps\tx health\tp50 ms\tp99 ms\tp99.9 ms\terrors\tRSS MB\toutcomes\ttarget\n'
  row gateway-health gateway-health 1 baseline
  row connect-valid gateway-health "$(ratio connect-valid gateway-health)" ">=0.6x, p99<=5ms"
  row connect-new gateway-health "$(ratio connect-new gateway-health)" ">=0.2x, p99<=25ms"
  row signin gateway-health "$(ratio signin gateway-health)" "-"
  row license-server-health license-server-health 1 baseline
  row request-license license-server-health "$(ratio request-license license-server-health)" "-"
  row reporting-health reporting-health 1 baseline
  row generate-report reporting-health "$(ratio generate-report reporting-health)" "-"
  echo
  echo "memory after the loads: gateway RSS $GW_RSS MB (peak $GW_HWM MB), license server RSS $LS_RSS MB (peak $LS_HWM MB); target <= 250 MB each"
  echo "$REPORT_LINE"
} | tee "$OUT/summary.txt"
