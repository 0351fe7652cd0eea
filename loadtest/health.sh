#!/usr/bin/env bash
# grpc.health.v1.Health/Check of the license server on SQLite and on PostgreSQL, for one or more sources (a before/after
# pair of commits), in alternating rounds of one run: h2load (a C client: rds-load saturates first) with an empty
# HealthCheckRequest, the table gives each (source, engine)'s median rps and p99-free figures, and PostgreSQL / SQLite.
# Health/Check is the baseline every other ratio divides by, so what it costs on each engine matters (docs/performance.md).
#
#   flock /tmp/rds-bench.lock loadtest/health.sh                          # the working tree only
#   HEALTH_SOURCES="beb26f3 tree" flock /tmp/rds-bench.lock loadtest/health.sh   # before / after in one run
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${HEALTH_OUT:-$ROOT/loadtest/out/health}
SOURCES=${HEALTH_SOURCES:-tree}
ENGINES=${HEALTH_ENGINES:-sqlite postgres}
ROUNDS=${HEALTH_ROUNDS:-3}
DURATION=${HEALTH_DURATION:-10s}
WARMUP=${HEALTH_WARMUP:-3s}
LS_PORT=${HEALTH_LS_PORT:-15501}
PG_PORT=${HEALTH_PG_PORT:-15533}
CACHE_PORT=${HEALTH_CACHE_PORT:-16481}

# shellcheck source=loadtest/lib.sh
source "$ROOT/loadtest/lib.sh"
lib_init health
watchdog "${HEALTH_TIMEOUT:-2400}"
rm -f "$OUT"/*.txt
UPTIME_BEFORE=$(uptime)
log "$UPTIME_BEFORE"

# Each source built into its own folder ($WORK/bin-<n>); the load tool (for the start-up health probe) from the first.
BINS=(); NAMES=(); i=0
for source in $SOURCES; do
  i=$((i + 1))
  use_source "$source"
  BUILD_OUT=$WORK/bin-$i build_release "$SRC" RdsPlatform.LicenseServer
  [[ $i == 1 ]] && BUILD_OUT=$WORK/bin-tool build_release "$SRC" RdsPlatform.Cache RdsPlatform.LoadTest
  BINS+=("$WORK/bin-$i"); NAMES+=("$SRC_NAME")
  [[ "$SRC" == "$WORK/source" ]] && rm -rf "$WORK/source"
done
BIN=$WORK/bin-tool use_tool
make_keys
PG_OPTIONS="-c max_connections=300" pg_start "$PG_PORT"
BIN=$WORK/bin-tool start_cache "$CACHE_PORT"
printf '\x00\x00\x00\x00\x00' >"$WORK/health.grpc"

# one <round> <source index> <engine>: a fresh license server of that source on that engine, h2load of Health/Check.
one() {
  local round=$1 s=$2 engine=$3 tag=$1-$2-$3 env=()
  if [[ $engine == postgres ]]; then
    psql_admin "CREATE DATABASE licensing_${round}_$s"
    env=(Storage__Provider=Postgres "ConnectionStrings__licensing=$(pg_connection "licensing_${round}_$s")")
  fi
  START_ENV=("${CACHE_ENV[@]}")
  BIN=${BINS[$((s - 1))]} start "ls-$tag" RdsPlatform.LicenseServer "$LS_PORT" ${env[@]+"${env[@]}"}
  log "round $round: ${NAMES[$((s - 1))]} on $engine"
  h2load -H 'content-type: application/grpc' -H 'te: trailers' -d "$WORK/health.grpc" -c 5 -m 10 \
    --warm-up-time="$WARMUP" -D "$DURATION" "http://127.0.0.1:$LS_PORT/grpc.health.v1.Health/Check" >"$OUT/$tag.txt"
  # Still SERVING after the run (h2load counts any HTTP 200 as success, so check the status once).
  healthy "$LS_PORT" || { log "ls-$tag no longer answers SERVING"; exit 1; }
  stop_all
}

for round in $(seq 1 "$ROUNDS"); do
  for s in $(seq 1 ${#BINS[@]}); do
    for engine in $ENGINES; do one "$round" "$s" "$engine"; done
  done
done

rps() { awk '/^finished in/ { gsub(/,/, ""); print $4 }' "$OUT/$1.txt"; }
median_of() { local r; for r in $(seq 1 "$ROUNDS"); do rps "$r-$1-$2"; done | median; }
{
  echo "Health/Check of the license server, $(date -u +%Y-%m-%dT%H:%M:%SZ): $(nproc) cores; h2load -c 5 -m 10, warm-up $WARMUP, $DURATION; $ROUNDS rounds"
  echo "before: $UPTIME_BEFORE"
  echo "after:  $(uptime)"
  printf 'source\tengine\trps (median)\trps per round\n'
  for s in $(seq 1 ${#BINS[@]}); do
    for engine in $ENGINES; do
      printf '%s\t%s\t%.0f\t%s\n' "${NAMES[$((s - 1))]}" "$engine" "$(median_of "$s" "$engine")" \
        "$(for r in $(seq 1 "$ROUNDS"); do rps "$r-$s-$engine"; done | awk '{ printf "%s%.0f", (NR > 1 ? " / " : ""), $1 }')"
    done
    if [[ "$ENGINES" == *sqlite* && "$ENGINES" == *postgres* ]]; then
      awk -v a="$(median_of "$s" postgres)" -v b="$(median_of "$s" sqlite)" -v n="${NAMES[$((s - 1))]}" \
        'BEGIN { printf "%s\tPostgreSQL / SQLite\t%.2f\n", n, a / b }'
    fi
  done
} | tee "$OUT/summary.txt"
