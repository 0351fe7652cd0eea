#!/usr/bin/env bash
# Scaling of license-server replicas on one PostgreSQL server, in one run: RequestLicense of new devices (straight to
# the replicas) and Connect of new devices (through one gateway per replica, each listing its replica first) with 1, 2
# and 3 license-server replicas, each as a ratio of grpc.health.v1.Health/Check on the same replicas in the same round.
# Every round gets a fresh database; load is spread by running one rds-load per replica, each with an equal share of
# SCALE_CONCURRENCY in flight, and the rps of the shares are summed. Builds Release, bounded by SCALE_TIMEOUT, and kills
# everything it started.
#
#   loadtest/scale.sh                         # 1, 2, 3 replicas, 10 s per measurement
#   SCALE_REPLICAS="1 2" SCALE_DURATION=5s loadtest/scale.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${SCALE_OUT:-$ROOT/loadtest/out/scale}
DURATION=${SCALE_DURATION:-10s}
WARMUP=${SCALE_WARMUP:-3s}
CONCURRENCY=${SCALE_CONCURRENCY:-48}
ROUNDS=${SCALE_REPLICAS:-1 2 3}
LIMIT=${SCALE_TIMEOUT:-1800}
LS_BASE=${SCALE_LS_PORT:-15201}
GW_BASE=${SCALE_GW_PORT:-15301}
PG_PORT=${SCALE_PG_PORT:-15432}
CACHE_PORT=${SCALE_CACHE_PORT:-16380}

# shellcheck source=loadtest/lib.sh
source "$ROOT/loadtest/lib.sh"
lib_init scale
watchdog "$LIMIT"
LOAD_BEFORE=$(load_average)

log "building Release ($(git -C "$ROOT" rev-parse --short HEAD) + working tree)"
build_release "$ROOT" RdsPlatform.LicenseServer RdsPlatform.SessionHost RdsPlatform.Cache RdsPlatform.LoadTest
use_tool

PG_OPTIONS="-c max_connections=300" pg_start "$PG_PORT"
make_keys
START_TRIES=120
# Every process on the one cache (started below), so they share one simulated clock.
START_ENV=("ConnectionStrings__cache=127.0.0.1:$CACHE_PORT")

# spread <label> <scenario> <base port> <n> [options...]: n rds-load processes at once, one per port, each with an equal
# share of the concurrency. Sums the rps of the answers that did the work (Health: all; RequestLicense and Connect: those
# that issued a CAL, so a gateway that gave up on a slow license server and denied fast does not count as throughput),
# and the answers that did not.
spread() {
  local label=$1 scenario=$2 base=$3 n=$4 i share
  shift 4
  share=$(( (CONCURRENCY + n - 1) / n ))
  local runs=()
  for i in $(seq 0 $((n - 1))); do
    $TOOL run --scenario "$scenario" --host "127.0.0.1:$((base + i))" --concurrency "$share" --warmup "$WARMUP" \
      --duration "$DURATION" --state "$WORK/state-$i.json" --name "$label-$i" --json "$@" >"$OUT/$label-$i.json" &
    runs+=($!)
  done
  wait "${runs[@]}"
  jq -s 'def useful: if .outcomeDistribution == null or .outcomeDistribution.TEMPORARY_CAL_ISSUED == null and .outcomeDistribution.Serving != null then 1
      else (.outcomeDistribution.TEMPORARY_CAL_ISSUED // 0) / .count end;
    {rps: (map(.rps * useful) | add | . * 100 | round / 100), other: (map(.count - .count * useful) | add | round),
     errors: (map(.errors // 0) | add)}' "$OUT/$label"-*.json >"$OUT/$label.json"
  log "$label: $(jq -c . "$OUT/$label.json")"
}

log "starting the embedded cache (Garnet) on 127.0.0.1:$CACHE_PORT (one simulated clock for every process)"
start_cache "$CACHE_PORT"

LINES=()
for n in $ROUNDS; do
  database="licensing_$n"
  psql_admin "CREATE DATABASE $database"
  log "round: $n license-server replica(s) on database $database"
  for i in $(seq 0 $((n - 1))); do
    start "ls-$n-$i" RdsPlatform.LicenseServer $((LS_BASE + i)) Storage__Provider=Postgres \
      "ConnectionStrings__licensing=$(pg_connection "$database")"
  done
  for i in $(seq 0 $((n - 1))); do
    # Gateway i lists replica i first (and the others after it), so each gateway's calls go to its own replica.
    entries=(); for j in $(seq 0 $((n - 1))); do entries+=("LicenseServers__ls$(( (i + j) % n ))=http://127.0.0.1:$((LS_BASE + (i + j) % n))"); done
    # A 10 s license-server timeout, as the fault tests use: on a loaded 2-core machine the 2 s default judges a busy
    # replica down, and the gateway then denies new devices fast (NO_LICENSE_SERVER), which is not throughput.
    start "gw-$n-$i" RdsPlatform.SessionHost $((GW_BASE + i)) "${entries[@]}" Gateway__LicenseServerTimeout=00:00:10
    RDS_API_KEY=$CLIENT_KEY $TOOL setup --gateway "127.0.0.1:$((GW_BASE + i))" --license-server "127.0.0.1:$((LS_BASE + i))" \
      --license-server-entry "ls$i" --devices 10 --past-grace --state "$WORK/state-$i.json" --ghz-data "$WORK/ghz-$i" >"$WORK/setup-$n-$i.log" 2>&1
  done
  spread "health-ls-$n" health "$LS_BASE" "$n"
  RDS_API_KEY=$SESSION_HOST_KEY spread "request-license-$n" request-license "$LS_BASE" "$n"
  RDS_API_KEY=$CLIENT_KEY spread "connect-new-$n" connect-new "$GW_BASE" "$n"
  LINES+=("$(printf '%d replica(s): Health/Check %8.0f rps | RequestLicense new devices %7.0f rps = %.2f x Health | Connect new devices %7.0f rps = %.2f x Health (answers without a CAL: %s)' \
    "$n" "$(jq .rps "$OUT/health-ls-$n.json")" "$(jq .rps "$OUT/request-license-$n.json")" "$(ratio "request-license-$n" "health-ls-$n")" \
    "$(jq .rps "$OUT/connect-new-$n.json")" "$(ratio "connect-new-$n" "health-ls-$n")" \
    "$(jq '.other' "$OUT/connect-new-$n.json")")")
  stop_all
done

{
  echo "License-server replicas on one PostgreSQL server, $(nproc) cores, $CONCURRENCY calls in flight in total, $DURATION per measurement"
  echo "load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%s\n' "${LINES[@]}"
} | tee "$OUT/summary.txt"
