#!/usr/bin/env bash
# scripts/cluster.sh [N]   start N nodes (default 3) on loopback, every service on each
# scripts/cluster.sh stop  stop them all
#
# Node i listens on HTTP 8080+i-1 and Hazelcast 5701+i-1; all share one PostgreSQL and one
# Redis: NEXUS_PG_URL / NEXUS_REDIS_URL when set, else embedded servers started once (data in
# ./data/cluster/shared). Logs go to ./data/logs, pids to ./data/cluster. The nodes share one
# set of cluster secrets (NEXUS_CLUSTER_SECRETS, default ./data/cluster/secrets: principal seals,
# event-bus TLS certificate, audit and key-encryption keys), made by the first node to start.
set -euo pipefail
umask 077   # logs, pids and secrets are the operator's alone
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DATA="${NEXUS_DATA_DIR:-$ROOT/data}"
RUN="$DATA/cluster"
LOGS="$DATA/logs"
HTTP_BASE="${NEXUS_CLUSTER_HTTP_BASE:-8080}"
HZ_BASE="${NEXUS_CLUSTER_PORT_BASE:-5701}"
READY_WAIT_S=180

stop_all() {
  local any=0
  for pidfile in "$RUN"/node-*.pid "$RUN"/shared.pid; do
    [ -f "$pidfile" ] || continue
    local pid; pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      any=1
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  [ "$any" = 1 ] && echo "cluster stopped" || echo "no cluster running"
}

if [ "${1:-}" = "stop" ]; then
  stop_all
  exit 0
fi

N="${1:-3}"
if ! [[ "$N" =~ ^[1-9][0-9]?$ ]]; then
  echo "usage: scripts/cluster.sh [N] | stop   (N from 1 to 99)" >&2
  exit 2
fi
ensure_toolchain
ensure_jar
mkdir -p "$RUN" "$LOGS"
if ls "$RUN"/node-*.pid >/dev/null 2>&1; then
  echo "a cluster is already running here; run scripts/cluster.sh stop first" >&2
  exit 1
fi
started=$(date +%s%N)

if [ -z "${NEXUS_PG_URL:-}" ] || [ -z "${NEXUS_REDIS_URL:-}" ]; then
  NEXUS_DATA_DIR="$RUN/shared" NEXUS_PG_EMBEDDED_PORT="${NEXUS_PG_EMBEDDED_PORT:-54329}" \
    NEXUS_REDIS_EMBEDDED_PORT="${NEXUS_REDIS_EMBEDDED_PORT:-63799}" \
    nohup java "${JAVA_OPENS[@]}" -jar "$JAR" --embedded-only >"$LOGS/shared.log" 2>&1 &
  echo $! >"$RUN/shared.pid"
  for _ in $(seq 1 $READY_WAIT_S); do
    grep -q "embedded servers ready" "$LOGS/shared.log" 2>/dev/null && break
    kill -0 "$(cat "$RUN/shared.pid")" 2>/dev/null || { echo "embedded servers failed; see $LOGS/shared.log" >&2; tail -20 "$LOGS/shared.log" >&2; exit 1; }
    sleep 1
  done
  # the URL carries the embedded server's password: read from its 0600 file, never from a log
  export NEXUS_PG_URL="${NEXUS_PG_URL:-$(cat "$RUN/shared/pg.url")}"
  export NEXUS_REDIS_URL="${NEXUS_REDIS_URL:-$(sed -n 's/^NEXUS_REDIS_URL=//p' "$LOGS/shared.log")}"
fi

export NEXUS_CLUSTER_SECRETS="${NEXUS_CLUSTER_SECRETS:-$RUN/secrets}"
members=""
for i in $(seq 1 "$N"); do members="${members:+$members,}127.0.0.1:$((HZ_BASE + i - 1))"; done

for i in $(seq 1 "$N"); do
  NEXUS_HTTP_PORT=$((HTTP_BASE + i - 1)) NEXUS_CLUSTER_PORT=$((HZ_BASE + i - 1)) \
    NEXUS_CLUSTER_HOST=127.0.0.1 NEXUS_CLUSTER_MEMBERS="$members" NEXUS_DATA_DIR="$RUN/node-$i" \
    nohup java "${JAVA_OPENS[@]}" ${NEXUS_JAVA_OPTS:-} -jar "$JAR" >"$LOGS/node-$i.log" 2>&1 &
  echo $! >"$RUN/node-$i.pid"
done

for i in $(seq 1 "$N"); do
  port=$((HTTP_BASE + i - 1))
  for t in $(seq 1 $READY_WAIT_S); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)" = 200 ]; then break; fi
    if ! kill -0 "$(cat "$RUN/node-$i.pid")" 2>/dev/null; then
      echo "node $i exited; see $LOGS/node-$i.log" >&2; tail -20 "$LOGS/node-$i.log" >&2; stop_all; exit 1
    fi
    [ "$t" = $READY_WAIT_S ] && { echo "node $i not ready after ${READY_WAIT_S}s; see $LOGS/node-$i.log" >&2; stop_all; exit 1; }
    sleep 1
  done
done
ms=$(( ($(date +%s%N) - started) / 1000000 ))

echo "NEXUS cluster of $N nodes ready in ${ms} ms"
echo "  PostgreSQL: $(echo "$NEXUS_PG_URL" | sed -E 's#://([^:/@]+):[^@]*@#://\1:***@#')"
echo "  Redis:      $NEXUS_REDIS_URL"
for i in $(seq 1 "$N"); do
  echo "  node $i: http://127.0.0.1:$((HTTP_BASE + i - 1))  (hazelcast 127.0.0.1:$((HZ_BASE + i - 1)), pid $(cat "$RUN/node-$i.pid"), log $LOGS/node-$i.log)"
done
# the one-time password is never in a log: the node that made it left it in the secrets directory
otp="$NEXUS_CLUSTER_SECRETS/bootstrap-admin.txt"
if [ -f "$otp" ]; then
  echo "  bootstrap admin: ${NEXUS_ADMIN_EMAIL:-admin@nexus.local} / $(sed -n 's/^password: //p' "$otp") (generated on first start; change it, then delete $otp)"
fi
echo "stop with: scripts/cluster.sh stop"
