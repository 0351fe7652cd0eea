#!/usr/bin/env bash
# PostgreSQL next to SQLite in one run (issue 16's benchmarks): RequestLicense of new devices straight to the license
# server and Connect of new devices through the gateway, each as a ratio of grpc.health.v1.Health/Check on the same
# service in the same round, with p99s and each service's peak resident memory; rounds alternate engines (SQLite,
# PostgreSQL, SQLite, PostgreSQL by default) and the table gives medians. Then the 1M-CAL report (generation + CSV
# export, reporting memory growth) once on each engine. Same client (rds-load), concurrency and settings for both.
#
# PostgreSQL is a private server started by the script (Debian's binaries, installed with apt when missing, run as the
# postgres user when the script runs as root, never systemd) in a temp folder, with the server's defaults: fsync on,
# synchronous_commit on, so every acknowledged write is on disk as on SQLite (synchronous=FULL). Each round gets fresh
# SQLite folders or fresh databases, and a fresh cache (simulated clock). Builds Release of the working tree, stops by
# itself (ENGINES_TIMEOUT) and, on exit or Ctrl-C, stops everything it started and removes its temp folders.
#
#   flock /tmp/rds-bench.lock loadtest/engines.sh
#   ENGINES_ROUNDS="sqlite postgres" ENGINES_REPORT_CALS=0 loadtest/engines.sh     # one round each, no report
#   ENGINES_SOURCE=head loadtest/engines.sh                                        # the last commit, not the working tree
#   ENGINES_SOURCE=4a98da6 loadtest/engines.sh                                     # any commit (a before/after pair)
#   ENGINES_PG_SOCKET=1 loadtest/engines.sh                                        # services reach PostgreSQL over its Unix socket
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${ENGINES_OUT:-$ROOT/loadtest/out/engines}
DURATION=${ENGINES_DURATION:-10s}
WARMUP=${ENGINES_WARMUP:-3s}
CONCURRENCY=${ENGINES_CONCURRENCY:-50}
DEVICES=${ENGINES_DEVICES:-100}
ROUNDS=${ENGINES_ROUNDS:-sqlite postgres sqlite postgres}
REPORT_ENGINES=${ENGINES_REPORT_ENGINES:-sqlite postgres}
REPORT_CALS=${ENGINES_REPORT_CALS:-1000000}
LIMIT=${ENGINES_TIMEOUT:-3600}
LS_PORT=${ENGINES_LS_PORT:-15401}
GW_PORT=${ENGINES_GW_PORT:-15402}
REP_PORT=${ENGINES_REP_PORT:-15403}
PG_PORT=${ENGINES_PG_PORT:-15433}
CACHE_PORT=${ENGINES_CACHE_PORT:-16381}

# shellcheck source=loadtest/lib.sh
source "$ROOT/loadtest/lib.sh"
lib_init engines
watchdog "$LIMIT"
rm -f "$OUT"/*.json "$OUT"/summary.txt
UPTIME_BEFORE=$(uptime)
log "$UPTIME_BEFORE"

# ENGINES_SOURCE=head (or a commit) builds and measures that commit (a clean copy), so a baseline can be taken while editing.
use_source "${ENGINES_SOURCE:-tree}"
build_release "$SRC" RdsPlatform.LicenseServer RdsPlatform.SessionHost RdsPlatform.Reporting RdsPlatform.Cache RdsPlatform.LoadTest
use_tool
# Extra environment for every service (both engines), e.g. ENGINES_SERVICE_ENV="DOTNET_gcServer=0".
read -r -a SERVICE_ENV <<<"${ENGINES_SERVICE_ENV:-${BENCH_SERVICE_ENV:-}}"
make_keys

# ENGINES_PG_PROFILE=1: pg_stat_statements counts each statement's calls, plans and time during every PostgreSQL
# RequestLicense run ($OUT/postgres-<n>-request-license.statements.txt); off by default, it costs the server a little.
PROFILE=${ENGINES_PG_PROFILE:-0}
PG_SOCKET=${ENGINES_PG_SOCKET:-0}
PROFILE_OPTIONS=""
[[ $PROFILE == 1 ]] && PROFILE_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on"
PG_OPTIONS="-c max_connections=300 $PROFILE_OPTIONS ${ENGINES_PG_OPTIONS:-}" pg_start "$PG_PORT"
[[ $PROFILE == 1 ]] && psql_admin "CREATE EXTENSION pg_stat_statements"
PG_SETTINGS=$(psql_admin "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings
  WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers', 'max_connections')")
PG_VERSION=$(psql_admin "SHOW server_version")
log "PostgreSQL $PG_VERSION: $PG_SETTINGS"
[[ "$PG_SETTINGS" == *"fsync=on"* ]] || { log "PostgreSQL runs with fsync off; refusing to compare engines"; exit 1; }

# engine_env <engine> <tag>: ENGINE_ENV, the services' storage settings; on PostgreSQL fresh databases
# licensing_<tag>, gateway_<tag>, reporting_<tag>. SQLite: the default provider, files in each service's data folder.
engine_env() {
  ENGINE_ENV=()
  [[ $1 == postgres ]] || return 0
  local db
  for db in licensing gateway reporting; do
    psql_admin "CREATE DATABASE ${db}_$2"
    ENGINE_ENV+=("ConnectionStrings__$db=$(pg_connection "${db}_$2")")
  done
  ENGINE_ENV+=(Storage__Provider=Postgres)
}

# round <engine> <n>: a fresh cache, license server and gateway on <engine>, setup, then Health/Check and
# RequestLicense on the license server, Health/Check and Connect of new devices on the gateway; the services' peak RSS
# (and the PostgreSQL server's PSS) in $OUT/<engine>-<n>.mem.json.
round() {
  local engine=$1 n=$2 tag=$1-$2 ls gw
  log "round $n: $engine"
  engine_env "$engine" "$n"
  start_cache "$CACHE_PORT"
  START_ENV=("${CACHE_ENV[@]}" ${SERVICE_ENV[@]+"${SERVICE_ENV[@]}"})
  start "ls-$tag" RdsPlatform.LicenseServer "$LS_PORT" ${ENGINE_ENV[@]+"${ENGINE_ENV[@]}"}; ls=$STARTED
  start "gw-$tag" RdsPlatform.SessionHost "$GW_PORT" ${ENGINE_ENV[@]+"${ENGINE_ENV[@]}"}; gw=$STARTED
  RDS_API_KEY=$CLIENT_KEY $TOOL setup --gateway "127.0.0.1:$GW_PORT" --license-server "127.0.0.1:$LS_PORT" --devices "$DEVICES" \
    --past-grace --state "$WORK/state.json" --ghz-data "$WORK/ghz" >"$WORK/setup-$tag.log" 2>&1
  measure "$tag-ls-health" "$LS_PORT" health
  [[ $PROFILE == 1 && $engine == postgres ]] && psql_admin "SELECT pg_stat_statements_reset()" >/dev/null
  # CPU per RequestLicense: the license server's, the PostgreSQL server's (all its processes) and the whole machine's
  # (the load tool, the cache and the gateway too), over the warm-up and the run, divided by the calls of both (the
  # run's count scaled by (warm-up + duration) / duration): where the other engine's extra time per write goes.
  local ls_cpu=$(cpu_ticks "$ls") pg_cpu=0 all_cpu=$(machine_busy_ticks)
  [[ $engine == postgres ]] && pg_cpu=$(pg_cpu_ticks)
  measure "$tag-request-license" "$LS_PORT" request-license --subjects unique --api-key "$SESSION_HOST_KEY"
  ls_cpu=$(( $(cpu_ticks "$ls") - ls_cpu )); all_cpu=$(( $(machine_busy_ticks) - all_cpu ))
  [[ $engine == postgres ]] && pg_cpu=$(( $(pg_cpu_ticks) - pg_cpu ))
  jq -n --argjson count "$(jq '.count' "$OUT/$tag-request-license.json")" --argjson ls "$ls_cpu" --argjson pg "$pg_cpu" \
    --argjson all "$all_cpu" --argjson hz "$(getconf CLK_TCK)" --arg warm "${WARMUP%s}" --arg run "${DURATION%s}" \
    '($count * (($warm | tonumber) + ($run | tonumber)) / ($run | tonumber)) as $calls
     | {ls_us: ($ls * 1e6 / $hz / $calls | round), pg_us: ($pg * 1e6 / $hz / $calls | round), all_us: ($all * 1e6 / $hz / $calls | round)}' \
    >"$OUT/$tag-request-license.cpu.json"
  if [[ $PROFILE == 1 && $engine == postgres ]]; then
    # Per RequestLicense: divide calls by the run's count (the warm-up's calls are in the figures too).
    { echo "RequestLicense run: $(jq '.count' "$OUT/$tag-request-license.json") calls counted after the warm-up; statements of licensing_$n, by calls:"
      psql_admin "SELECT s.calls, s.plans, round(s.total_exec_time::numeric, 1) AS exec_ms, round(s.total_plan_time::numeric, 1) AS plan_ms,
          left(regexp_replace(s.query, '\s+', ' ', 'g'), 150) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
          WHERE d.datname = 'licensing_$n' ORDER BY s.calls DESC LIMIT 30" | sed 's/^/  /'
    } >"$OUT/$tag-request-license.statements.txt"
  fi
  measure "$tag-gw-health" "$GW_PORT" health
  measure "$tag-connect-new" "$GW_PORT" connect-new --subjects unique --api-key "$CLIENT_KEY"
  jq -n --argjson ls "$(mem "$ls" VmHWM)" --argjson gw "$(mem "$gw" VmHWM)" \
    --argjson pg "$([[ $engine == postgres ]] && pg_pss || echo null)" '{ls: $ls, gw: $gw, pg: $pg}' >"$OUT/$tag.mem.json"
  stop_all
  stop "$CACHE_PID"
}

n=0
for engine in $ROUNDS; do
  n=$((n + 1))
  [[ $engine == sqlite || $engine == postgres ]] || { log "ENGINES_ROUNDS: '$engine' is neither sqlite nor postgres"; exit 2; }
  round "$engine" "$n"
done
UPTIME_ROUNDS=$(uptime)

# The 1M-CAL report on each engine: seeding straight into the license database (SQLite file, or binary COPY on
# PostgreSQL), then the Per Device report generated and exported by a fresh reporting service on the same engine.
REPORT_LINES=()
if [[ "$REPORT_CALS" -gt 0 ]]; then
  for engine in $REPORT_ENGINES; do
    engine_env "$engine" "report"
    REPORT_LS_ENV=(${ENGINE_ENV[@]+"${ENGINE_ENV[@]}"}); REPORT_REP_ENV=(${ENGINE_ENV[@]+"${ENGINE_ENV[@]}"})
    REPORT_SEED=()
    [[ $engine == postgres ]] && REPORT_SEED=(--storage-provider Postgres --connection-string "$(pg_connection licensing_report)")
    START_ENV=(${SERVICE_ENV[@]+"${SERVICE_ENV[@]}"})
    log "report on $engine: seeding $REPORT_CALS issued CALs into a fresh license server"
    million_report "-$engine" "$LS_PORT" "$REP_PORT" "$REPORT_CALS"
    server=""; [[ $engine == postgres ]] && server="; PostgreSQL server PSS $(pg_pss) MB"
    REPORT_LINES+=("$engine: seeded in $SEED_SECONDS s; $(report_line "$OUT/report-$engine.json")$server")
    log "${REPORT_LINES[-1]}"
    stop_all
    if [[ $engine == postgres ]]; then
      for db in licensing gateway reporting; do psql_admin "DROP DATABASE ${db}_report"; done
    fi
  done
fi

# --- the table ---------------------------------------------------------------------------------------------------------
# useful: the share of answers that did the work (Health: all; RequestLicense and Connect: those that issued a CAL), so
# a gateway that gave up on a slow license server and denied fast does not count as throughput.
JQ_DEFS='def useful: if (.outcomeDistribution // {}) | has("Serving") then 1
  else ([(.outcomeDistribution // {}) | to_entries[] | select(.key | test("ISSUED")) | .value] | add // 0) / ([.count, 1] | max) end;
  def rps: .rps * useful;
  def p99: .latencyDistribution[] | select(.percentage == 99) | .latency / 1e6;'
figure() { jq -r "$JQ_DEFS $2" "$OUT/$1.json"; }
rounds_of() { local e=$1 i=0 r; for r in $ROUNDS; do i=$((i + 1)); [[ $r == "$e" ]] && echo "$e-$i"; done; true; }
# over_rounds <engine> <command printing one number for a round tag>: the median over the engine's rounds.
over_rounds() { local e=$1 t; shift; for t in $(rounds_of "$e"); do "$@" "$t"; done | median; }
rps_of() { figure "$1-$SCENARIO" rps; }
ratio_of() { awk -v a="$(figure "$1-$SCENARIO" rps)" -v b="$(figure "$1-$BASE" rps)" 'BEGIN { printf "%.3f\n", a / b }'; }
p99_of() { figure "$1-$SCENARIO" p99; }
mem_of() { jq -r ".$MEM" "$OUT/$1.mem.json"; }
per_round() { local e=$1 t; shift; for t in $(rounds_of "$e"); do "$@" "$t"; done | awk '{ printf "%s%s", (NR > 1 ? " / " : ""), $1 }'; }
outcomes() { for t in $(rounds_of "$1"); do jq -r '(.outcomeDistribution // {}) | to_entries | map("\(.key)=\(.value)") | join(" ")' "$OUT/$t-$SCENARIO.json"; done | paste -sd'/' | sed 's|/| / |g'; }

table_row() {
  local engine=$1 label=$2 rps ratio
  rps=$(over_rounds "$engine" rps_of); ratio=$(over_rounds "$engine" ratio_of)
  printf '%s\t%s\t%.0f\t%s\t%.2f\t%s\t%s\t%s\n' "$label" "$engine" "$rps" \
    "$([[ $SCENARIO == "$BASE" ]] && echo 1 || printf '%.2f' "$ratio")" "$(over_rounds "$engine" p99_of)" \
    "$(per_round "$engine" rps_of | awk '{ gsub(/\.[0-9]+/, ""); print }')" "$(per_round "$engine" ratio_of)" "$(outcomes "$engine")"
}
compare_row() {
  local label=$1
  printf '%s\tPostgreSQL / SQLite: rps %.2f, x Health %.2f, p99 %.2f\n' "$label" \
    "$(awk -v a="$(over_rounds postgres rps_of)" -v b="$(over_rounds sqlite rps_of)" 'BEGIN { print a / b }')" \
    "$(awk -v a="$(over_rounds postgres ratio_of)" -v b="$(over_rounds sqlite ratio_of)" 'BEGIN { print a / b }')" \
    "$(awk -v a="$(over_rounds postgres p99_of)" -v b="$(over_rounds sqlite p99_of)" 'BEGIN { print a / b }')"
}
cpu_of() { jq -r ".$CPU" "$OUT/$1-request-license.cpu.json"; }
cpu_row() {
  local engine=$1
  printf '%s: CPU per RequestLicense (medians, about: warm-up included) license server %s us, PostgreSQL server %s us, whole machine %s us\n' \
    "$engine" "$(CPU=ls_us over_rounds "$engine" cpu_of)" "$(CPU=pg_us over_rounds "$engine" cpu_of)" "$(CPU=all_us over_rounds "$engine" cpu_of)"
}
memory_row() {
  local engine=$1
  printf '%s: peak RSS license server %s MB, gateway %s MB (medians; per round %s / %s)%s\n' "$engine" \
    "$(MEM=ls over_rounds "$engine" mem_of)" "$(MEM=gw over_rounds "$engine" mem_of)" "$(MEM=ls per_round "$engine" mem_of)" \
    "$(MEM=gw per_round "$engine" mem_of)" \
    "$([[ $engine == postgres ]] && echo "; PostgreSQL server PSS $(MEM=pg over_rounds "$engine" mem_of) MB")"
}

{
  echo "PostgreSQL next to SQLite, $(date -u +%Y-%m-%dT%H:%M:%SZ), source $SRC_NAME: $(nproc) cores, $(awk '/MemTotal/ {printf "%d MB", $2/1024}' /proc/meminfo), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "PostgreSQL $PG_VERSION (private server, data in /tmp, reached over $([[ $PG_SOCKET == 1 ]] && echo "its Unix socket" || echo "TCP loopback")): $PG_SETTINGS"
  echo "rounds: $ROUNDS; rds-load, $CONCURRENCY in flight, warm-up $WARMUP, $DURATION; $DEVICES devices set up; service env: ${SERVICE_ENV[*]:-none}"
  echo "before: $UPTIME_BEFORE"
  echo "after the rounds: $UPTIME_ROUNDS"
  echo
  echo "medians over each engine's rounds; x Health = rps / Health/Check rps on the same service in the same round; rps counts answers that issued a CAL"
  printf 'scenario\tengine\trps\tx Health\tp99 ms\trps per round\tx Health per round\toutcomes\n'
  for engine in sqlite postgres; do
    [[ -n "$(rounds_of "$engine")" ]] || continue
    SCENARIO=ls-health BASE=ls-health table_row "$engine" "Health/Check (license server)"
    SCENARIO=request-license BASE=ls-health table_row "$engine" "RequestLicense, new devices"
    SCENARIO=gw-health BASE=gw-health table_row "$engine" "Health/Check (gateway)"
    SCENARIO=connect-new BASE=gw-health table_row "$engine" "Connect, new devices"
  done
  if [[ -n "$(rounds_of sqlite)" && -n "$(rounds_of postgres)" ]]; then
    echo
    SCENARIO=request-license BASE=ls-health compare_row "RequestLicense, new devices (target >= 0.70)"
    SCENARIO=connect-new BASE=gw-health compare_row "Connect, new devices"
  fi
  echo
  for engine in sqlite postgres; do if [[ -n "$(rounds_of "$engine")" ]]; then cpu_row "$engine"; fi; done
  for engine in sqlite postgres; do if [[ -n "$(rounds_of "$engine")" ]]; then memory_row "$engine"; fi; done
  echo
  echo "1M-CAL report (Per Device, $REPORT_CALS CALs; target <= 5 s, reporting growth <= 100 MB):"
  if [[ ${#REPORT_LINES[@]} -gt 0 ]]; then printf '%s\n' "${REPORT_LINES[@]}"; else echo "skipped (ENGINES_REPORT_CALS=0)"; fi
  echo "after: $(uptime)"
} | tee "$OUT/summary.txt"
