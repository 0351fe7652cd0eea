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
#   BENCH_GATEWAY=aot loadtest/bench.sh    # the gateway published with Native AOT instead of the JIT build
#   BENCH_PERF_LOAD=request-license loadtest/bench.sh  # a perf profile of that rds-load run: CPU per call by process
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

# shellcheck source=loadtest/lib.sh
source "$ROOT/loadtest/lib.sh"
LIB_STOP_GRACE=5
lib_init bench
watchdog "$LIMIT"

LOAD_BEFORE=$(load_average)
# BENCH_SOURCE=head measures the last commit (a clean copy, immune to edits in progress); default: the working tree.
use_source "${BENCH_SOURCE:-tree}"
build_release "$SRC" RdsPlatform.LicenseServer RdsPlatform.SessionHost RdsPlatform.Reporting RdsPlatform.Cache RdsPlatform.LoadTest
use_tool

# BENCH_GATEWAY=aot: the gateway compiled ahead of time (Native AOT, the project's own publish settings: partial
# trimming, EventSource on so dotnet-counters can watch it) instead of run on the JIT, to compare the two in resident
# memory and rate (docs/performance.md). The publish needs clang and zlib1g-dev, installed when missing.
GATEWAY_BUILD=${BENCH_GATEWAY:-jit}
case "$GATEWAY_BUILD" in
  jit) ;;
  aot)
    if ! command -v clang >/dev/null || ! dpkg -s zlib1g-dev >/dev/null 2>&1; then
      log "installing clang and zlib1g-dev (Native AOT's linker and zlib)"
      { apt-get install -y clang zlib1g-dev || { apt-get update && apt-get install -y clang zlib1g-dev; }; } >&2
    fi
    log "publishing the gateway with Native AOT (a few minutes)"
    dotnet publish "$SRC/src/RdsPlatform.SessionHost" -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/gateway-aot" \
      -v q -nologo -clp:ErrorsOnly >&2
    BIN_RdsPlatform_SessionHost=$WORK/gateway-aot
    ;;
  *) log "BENCH_GATEWAY: '$GATEWAY_BUILD' is neither jit nor aot"; exit 2 ;;
esac

# Extra environment for every service, e.g. BENCH_SERVICE_ENV="DOTNET_gcServer=0" to compare garbage collectors.
read -r -a SERVICE_ENV <<<"${BENCH_SERVICE_ENV:-}"
make_keys

CACHE_ENV=()
if [[ "$USE_CACHE" == 1 ]]; then
  log "starting the embedded cache (Garnet) on 127.0.0.1:$CACHE_PORT"
  start_cache "$CACHE_PORT"
fi
START_ENV=(${CACHE_ENV[@]+"${CACHE_ENV[@]}"} ${SERVICE_ENV[@]+"${SERVICE_ENV[@]}"})

log "starting license server :$LS_PORT and gateway :$GW_PORT"
start license-server RdsPlatform.LicenseServer "$LS_PORT"; LS_PID=$STARTED
start session-host RdsPlatform.SessionHost "$GW_PORT"; GW_PID=$STARTED

log "setup: $DEVICES devices with permanent CALs, host past its grace period"
RDS_API_KEY=$CLIENT_KEY $TOOL setup --gateway "127.0.0.1:$GW_PORT" --license-server "127.0.0.1:$LS_PORT" --devices "$DEVICES" --past-grace \
  --state "$WORK/state.json" --ghz-data "$WORK/ghz" >&2

declare -A PID_OF NAME_OF
PID_OF[$LS_PORT]=$LS_PID; NAME_OF[$LS_PORT]="license server"
PID_OF[$GW_PORT]=$GW_PID; NAME_OF[$GW_PORT]=gateway

# --- perf profiles: BENCH_PERF=<h2load scenarios> (first round), BENCH_PERF_LOAD=<rds-load run labels> -----------------
# A system-wide CPU profile (perf, PERF_SECONDS after the warm-up) of one run, written to a text file: the CPU each
# process spent per call (samples / PERF_HZ / PERF_SECONDS / the run's calls a second; pid 0 is the idle CPUs), the
# loaded service's per call by module (libcoreclr: the GC and the runtime's helpers; perf-<pid>.map: JIT-compiled code)
# and its hottest symbols. JIT-compiled methods are named only with
# BENCH_SERVICE_ENV="DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0" (with W^X on, perf sees JIT code only as
# memfd:doublemapper).
PERF_HZ=499
PERF_SECONDS=6
if [[ -n "${BENCH_PERF:-}${BENCH_PERF_LOAD:-}" ]] && ! command -v perf >/dev/null; then
  log "installing linux-perf (perf)"
  apt-get install -y linux-perf >&2 || { apt-get update >&2 && apt-get install -y linux-perf >&2; }
fi
# perf_start <name>: records in the background (PERF_JOB), and notes each sampled process's command line while the
# load tool still runs.
perf_start() {
  ( sleep "${WARMUP%s}"; perf record -F "$PERF_HZ" -a -g -o "$WORK/perf-$1.data" -- sleep "$PERF_SECONDS" >/dev/null 2>&1
    perf script -i "$WORK/perf-$1.data" -F pid 2>/dev/null | sort -un |
      while read -r p; do echo "$p $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | cut -c1-70)"; done >"$WORK/perf-$1.pids" ) &
  PERF_JOB=$!
}
# perf_report <name> <file> <service pid> <service name> <calls a second>: waits for the recording, writes $OUT/<file>.
perf_report() {
  local name=$1 file=$2 pid=$3 service=$4 rps=$5 data=$WORK/perf-$1.data per_call
  wait "$PERF_JOB" || true
  # One sample's share of a call, in microseconds.
  per_call=$(awk -v h="$PERF_HZ" -v s="$PERF_SECONDS" -v r="$rps" 'BEGIN { print 1e6 / (h * s * r) }')
  {
    echo "## CPU per call by process, us ($rps calls/s; $PERF_HZ Hz on each of $(nproc) cores for $PERF_SECONDS s; pid 0: idle)"
    perf script -i "$data" -F pid -G 2>/dev/null |
      awk -v k="$per_call" \
        '{ n[$1]++; all++ } END { for (p in n) printf "%7.1f %s\n", n[p] * k, p; printf "%7.1f all\n", all * k }' |
      sort -rn | head -n 9 |
      while read -r us p; do
        case $p in
          all) echo "$us  whole machine (idle included)" ;;
          0) echo "$us  idle" ;;
          "$pid") echo "$us  $service (pid $p)" ;;
          *) echo "$us  pid $p: $(awk -v p="$p" '$1 == p { $1 = ""; print }' "$WORK/perf-$name.pids")" ;;
        esac
      done
    echo "## $service (pid $pid) per call by module, us"
    perf script -i "$data" -F pid,ip,dso -G 2>/dev/null |
      awk -v pid="$pid" -v k="$per_call" \
        '$1 == pid { d[$NF]++ } END { for (m in d) printf "%7.1f %s\n", d[m] * k, m }' | sort -rn | head -n 8
    echo "## $service, by symbol (share of all the machine's samples)"
    perf report -i "$data" --pid "$pid" --no-children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 60
  } >"$OUT/$file" || true  # a profile that cannot be read (or a pipe that head closes early) does not end the bench
}

# run <label> <port> <scenario> [extra options...]: one measured run, its JSON report kept in $OUT, and the loaded
# service's resident memory right after it in $OUT/<label>.rss; with <label> in BENCH_PERF_LOAD, its profile in
# $OUT/<label>.perf.txt.
run() {
  local profiled=0
  if [[ ",${BENCH_PERF_LOAD:-}," == *",$1,"* ]]; then perf_start "$1"; profiled=1; fi
  measure "$@"
  mem "${PID_OF[$2]}" VmRSS >"$OUT/$1.rss"
  if [[ $profiled == 1 ]]; then
    perf_report "$1" "$1.perf.txt" "${PID_OF[$2]}" "${NAME_OF[$2]}" "$(jq '.rps' "$OUT/$1.json")"
  fi
}

# --- h2load: a client written in C that the gateway, not the client, limits -------------------------------------------
# The .NET load tool tops out near 25-35k calls/s here, below what Health/Check and Connect-valid reach, so its ratios
# for the gateway's cheapest calls measure the tool. h2load sends one framed request body again and again (the Connect
# setup's first device sent last, presenting its permanent certificate; a SignIn of the session it opened) and counts
# HTTP statuses only, so the gRPC status and reason are checked with nghttp before and after, and the gateway's own gRPC
# call counters (dotnet-counters, Grpc.AspNetCore.Server) are compared with h2load's count.
H2_ROUNDS=${BENCH_H2LOAD_ROUNDS:-3}
H2_CLIENTS=${BENCH_H2LOAD_CLIENTS:-5}
H2_STREAMS=$(( (CONCURRENCY + H2_CLIENTS - 1) / H2_CLIENTS ))
H2_COUNT_CHECK=${BENCH_H2LOAD_COUNT_CHECK:-20000}
PROTOC=$(ls -d "$HOME"/.nuget/packages/grpc.tools/*/tools/linux_x64/protoc 2>/dev/null | sort -V | tail -n 1)
if ! command -v h2load >/dev/null || ! command -v nghttp >/dev/null; then
  log "installing nghttp2-client (h2load, nghttp)"
  apt-get install -y nghttp2-client >&2 || { apt-get update >&2 && apt-get install -y nghttp2-client >&2; }
fi
COUNTERS=$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")
if [[ ! -x "$COUNTERS" ]]; then
  log "installing dotnet-counters"
  dotnet tool install -g dotnet-counters >&2
fi

GATEWAY_SERVICE=rds.sessionhost.v1.SessionHostGateway
declare -A H2_PATH=([health]=/grpc.health.v1.Health/Check [connect-valid]=/$GATEWAY_SERVICE/Connect [signin]=/$GATEWAY_SERVICE/SignIn)
declare -A H2_REPLY=([connect-valid]=rds.sessionhost.v1.ConnectResponse [signin]=rds.sessionhost.v1.SignInResponse)
# An empty HealthCheckRequest: the flag byte and a zero length.
printf '\x00\x00\x00\x00\x00' >"$WORK/ghz/health.grpc"
H2_HEADERS=(-H 'content-type: application/grpc' -H 'te: trailers' -H "authorization: Bearer $CLIENT_KEY")

# grpc_check <scenario> <when>: one call through nghttp; prints "grpc-status=<n> <reply fields>", marked NOT OK unless the
# status is 0 (marked NOT OK otherwise; the reply's reason is decoded with protoc from the protos, when protoc is there).
grpc_check() {
  local scenario=$1 when=$2 out=$WORK/nghttp-$1-$2
  nghttp -v "${H2_HEADERS[@]}" -d "$WORK/ghz/$scenario.grpc" "http://127.0.0.1:$GW_PORT${H2_PATH[$scenario]}" >"$out.txt" 2>&1 || true
  nghttp "${H2_HEADERS[@]}" -d "$WORK/ghz/$scenario.grpc" "http://127.0.0.1:$GW_PORT${H2_PATH[$scenario]}" >"$out.bin" 2>/dev/null || true
  local status reply=""
  status=$(grep -a -o 'grpc-status: [0-9]*' "$out.txt" | head -n 1 | cut -d' ' -f2 || true)
  if [[ -n "$PROTOC" && -s "$out.bin" ]]; then
    # Health's reply is not in protos/: its field 1 is the serving status (1 = SERVING).
    local decode=(--decode_raw)
    [[ $scenario != health ]] && decode=(-I "$SRC/protos" -I "$(dirname "$PROTOC")/../../build/native/include" --decode "${H2_REPLY[$scenario]}" rds/sessionhost/v1/session_host_gateway.proto)
    reply=$(tail -c +6 "$out.bin" | "$PROTOC" "${decode[@]}" 2>/dev/null | grep -E '^(1|reason|admitted):' | tr '\n' ' ' || true)
  fi
  echo "$scenario $when: grpc-status=${status:-none} $reply$([[ "$status" == 0 ]] || echo ' NOT OK: h2load counted calls that failed')" \
    | tee -a "$OUT/h2load-checks.txt" >&2
}

# counted <label> <scenario> <calls>: h2load makes exactly <calls> calls while dotnet-counters watches the gateway's
# Grpc.AspNetCore.Server event counters; prints the change of "Total Calls" and "Total Calls Failed" from the watch's
# first sample to its last, and, from the runtime's counters over the same window, the bytes allocated and the CPU time
# per call: figures that a shared, loaded machine hardly moves, unlike the rates (docs/performance.md; the idle
# gateway's own allocations over the window add about 40 bytes per call). The gateway counts only while a listener is
# attached, and dotnet-counters writes its file only when it ends, so the watch has a fixed window
# (BENCH_COUNTERS_WINDOW, 20 s) and h2load starts 6 s into it.
counted() {
  local label=$1 scenario=$2 calls=$3 file=$WORK/counters-$1.csv watcher
  "$COUNTERS" collect -p "$GW_PID" --counters Grpc.AspNetCore.Server,System.Runtime --format csv -o "$file" --refresh-interval 1 \
    --duration "00:00:00:${BENCH_COUNTERS_WINDOW:-20}" >/dev/null 2>&1 &
  watcher=$!
  sleep 6
  h2 "$label" "$scenario" -c "$H2_CLIENTS" -m "$H2_STREAMS" -n "$calls"
  wait "$watcher" 2>/dev/null || true
  awk -F, '$3 == "Total Calls" { if (t == "") t0 = $NF; t = $NF } $3 == "Total Calls Failed" { if (f == "") f0 = $NF; f = $NF }
    $3 ~ /total_allocated/ { a += $NF } $3 ~ /process.cpu.time/ { c += $NF }
    END { printf "gateway gRPC calls +%d, failed +%d; %.0f bytes allocated and %.1f us CPU per call", t - t0, f - f0, a / n, c * 1e6 / n }' \
    n="$calls" "$file" 2>/dev/null || echo "gateway gRPC counters not read (dotnet-counters did not attach)"
}

# h2 <label> <scenario> <args...>: one h2load run; its output in $OUT/<label>.h2load.txt.
h2() {
  local label=$1 scenario=$2
  shift 2
  h2load "${H2_HEADERS[@]}" -d "$WORK/ghz/$scenario.grpc" "$@" "http://127.0.0.1:$GW_PORT${H2_PATH[$scenario]}" >"$OUT/$label.h2load.txt" 2>&1
}
h2rps() { awk '/^finished in/ { gsub(",", "", $4); print $4 }' "$OUT/$1.h2load.txt"; }
h2succeeded() { awk '/^requests:/ { print $8 }' "$OUT/$1.h2load.txt"; }
: >"$OUT/h2load-checks.txt"
H2_SCENARIOS=(health connect-valid signin)
for scenario in "${H2_SCENARIOS[@]}"; do grpc_check "$scenario" before; done

# Alternating rounds (health, connect-valid, signin, health, ...): a round's ratios are taken within the round.
for round in $(seq 1 "$H2_ROUNDS"); do
  for scenario in "${H2_SCENARIOS[@]}"; do
    log "h2load round $round: $scenario (-c $H2_CLIENTS -m $H2_STREAMS, warm-up $WARMUP, $DURATION)"
    tracer=""
    if [[ $round == 1 && ",${BENCH_TRACE:-}," == *",$scenario,"* ]]; then
      # BENCH_TRACE=connect-valid,signin: a sampled CPU profile of the gateway during that scenario's first round.
      TRACE=$(command -v dotnet-trace || echo "$HOME/.dotnet/tools/dotnet-trace")
      [[ -x "$TRACE" ]] || dotnet tool install -g dotnet-trace >&2
      ( sleep "${WARMUP%s}"; "$TRACE" collect -p "$GW_PID" --profile dotnet-sampled-thread-time --duration 00:00:00:06 -o "$OUT/gateway-$scenario.nettrace" >/dev/null 2>&1 ) &
      tracer=$!
    fi
    profiled=0
    if [[ $round == 1 && ",${BENCH_PERF:-}," == *",$scenario,"* ]]; then perf_start "h2-$scenario"; profiled=1; fi
    h2 "h2-$scenario-$round" "$scenario" -c "$H2_CLIENTS" -m "$H2_STREAMS" --warm-up-time="$WARMUP" -D "$DURATION"
    for pid in $tracer; do wait "$pid" || true; done
    if [[ $profiled == 1 ]]; then
      perf_report "h2-$scenario" "h2load-$scenario.perf.txt" "$GW_PID" gateway "$(h2rps "h2-$scenario-$round")"
    fi
  done
done
# The count check: a fixed number of calls with nothing else calling the gateway; its gRPC counters must move by exactly
# that many calls, none failed. After the rounds, so the per-call CPU and allocations are a warm gateway's: run first,
# the first scenario's window also held the JIT's tiering of the whole call path (Health/Check came out at 187 us a
# call against Connect-valid's 121 us on 2026-12-02).
COUNT_LINES=()
for scenario in "${H2_SCENARIOS[@]}"; do
  counters=$(counted "count-$scenario" "$scenario" "$H2_COUNT_CHECK")
  COUNT_LINES+=("$scenario: h2load $(h2succeeded "count-$scenario") of $H2_COUNT_CHECK succeeded (HTTP 2xx); $counters")
  log "${COUNT_LINES[-1]}"
done

for scenario in "${H2_SCENARIOS[@]}"; do grpc_check "$scenario" after; done
H2_GW_RSS=$(mem "$GW_PID" VmRSS)
h2row() {
  local scenario=$1 target=$2 rps ratios
  rps=$(for r in $(seq 1 "$H2_ROUNDS"); do h2rps "h2-$scenario-$r"; done)
  ratios=$(for r in $(seq 1 "$H2_ROUNDS"); do awk -v a="$(h2rps "h2-$scenario-$r")" -v b="$(h2rps "h2-health-$r")" 'BEGIN { printf "%.2f\n", a / b }'; done)
  printf '%s\t%.0f\t%s\t%s\t%s\t%s\n' "$scenario" "$(echo "$rps" | median)" "$(echo "$ratios" | median)" \
    "$(echo "$rps" | awk '{ printf "%s%.0f", (NR > 1 ? " / " : ""), $1 }')" "$(echo "$ratios" | paste -sd/ | sed 's|/| / |g')" "$target"
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
PID_OF[$REP_PORT]=$REP_PID; NAME_OF[$REP_PORT]=reporting
run reporting-health "$REP_PORT" health
run generate-report "$REP_PORT" generate-report --report-kind summary --timeout 60s --api-key "$REPORTER_KEY"
stop "$REP_PID"

REPORT_LINE="report: skipped (BENCH_REPORT_CALS=0)"
if [[ "$REPORT_CALS" -gt 0 ]]; then
  log "report: seeding $REPORT_CALS issued CALs into a fresh license server :$LS2_PORT"
  million_report "" "$LS2_PORT" "$REP_PORT" "$REPORT_CALS"
  REPORT_LINE=$(report_line "$OUT/report.json" after)
fi

row() {
  jq -r --arg ratio "$3" --arg target "$4" --arg rss "$(cat "$OUT/$1.rss")" \
    '[.name, (.rps|floor|tostring), $ratio, (.latencyDistribution[] | select(.percentage==50) | .latency/1e6*100|round/100|tostring),
      (.latencyDistribution[] | select(.percentage==99) | .latency/1e6*100|round/100|tostring),
      (.latencyDistribution[] | select(.percentage==99.9) | .latency/1e6*100|round/100|tostring),
      (.errors|tostring), $rss, ((.outcomeDistribution|to_entries|map("\(.key)=\(.value)")|join(" ")) // ""), $target] | @tsv' "$OUT/$1.json"
}

{
  echo "RdsPlatform benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ): $(nproc) cores, $(awk '/MemTotal/ {printf "%d MB", $2/1024}' /proc/meminfo), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "concurrency $CONCURRENCY, warm-up $WARMUP, duration $DURATION, cache: $([[ $USE_CACHE == 1 ]] && echo "Garnet" || echo none), $DEVICES devices, gateway: $([[ $GATEWAY_BUILD == aot ]] && echo "Native AOT" || echo "JIT"), service env: ${BENCH_SERVICE_ENV:-none}, load average before: $LOAD_BEFORE"
  echo
  echo ".NET load tool (rds-load; client-bound for Health/Check, Connect-valid and SignIn: compare h2load below):"
  printf 'scenario\trps\tx health\tp50 ms\tp99 ms\tp99.9 ms\terrors\tRSS MB\toutcomes\ttarget\n'
  row gateway-health gateway-health 1 baseline
  row connect-valid gateway-health "$(ratio connect-valid gateway-health)" "p99<=5ms (ratio: h2load)"
  row connect-new gateway-health "$(ratio connect-new gateway-health)" ">=0.3x"
  row signin gateway-health "$(ratio signin gateway-health)" "-"
  row license-server-health license-server-health 1 baseline
  row request-license license-server-health "$(ratio request-license license-server-health)" ">=0.5x"
  row reporting-health reporting-health 1 baseline
  row generate-report reporting-health "$(ratio generate-report reporting-health)" "-"
  echo
  echo "h2load (C client, -c $H2_CLIENTS -m $H2_STREAMS = $((H2_CLIENTS * H2_STREAMS)) in flight, warm-up $WARMUP, $DURATION, $H2_ROUNDS alternating rounds; medians, ratios within each round), gateway:"
  printf 'scenario\tmedian rps\tmedian x health\trps per round\tx health per round\ttarget\n'
  h2row health baseline
  h2row connect-valid ">=0.85x"
  h2row signin ">=0.85x"
  printf '%s\n' "${COUNT_LINES[@]}"
  cat "$OUT/h2load-checks.txt"
  echo "gateway RSS after the h2load rounds: $H2_GW_RSS MB"
  echo "memory after the loads: gateway RSS $GW_RSS MB (peak $GW_HWM MB), license server RSS $LS_RSS MB (peak $LS_HWM MB); target <= 150 MB each"
  echo "$REPORT_LINE"
} | tee "$OUT/summary.txt"
