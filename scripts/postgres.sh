#!/usr/bin/env bash
# Start/stop a private PostgreSQL cluster on 127.0.0.1 for the tests.
# `start` prints `export JIXIAO_TEST_POSTGRES_URL=...` for eval.
set -euo pipefail
cd "$(dirname "$0")/.."
# One cluster per checkout: its data directory and port derive from the checkout's path, so a
# developer's cluster and a CI clone's never collide. The directory lives outside the checkout
# because the 'postgres' user must be able to reach it (a mktemp -d checkout is root-only).
KEY=$(printf '%s' "$PWD" | cksum | cut -d' ' -f1)
DATA="${JIXIAO_PGDATA:-/var/tmp/jixiao-pg-$KEY}"
PORT="${JIXIAO_PG_PORT:-$((50000 + KEY % 10000))}"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] || { echo "找不到 PostgreSQL（先运行 scripts/system-deps.sh）" >&2; exit 1; }
# PostgreSQL refuses to run as root: run it as the 'postgres' system user when we are root.
as_owner() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

case "${1:-start}" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
      as_owner "$PGBIN/initdb" -D "$DATA" -U jixiao --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_owner "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $PORT -k /tmp" start >/dev/null
    fi
    as_owner "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U jixiao -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='jixiao_test'" | grep -q 1 \
      || as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U jixiao jixiao_test
    echo "export JIXIAO_TEST_POSTGRES_URL=postgresql+psycopg://jixiao@127.0.0.1:$PORT/jixiao_test"
    ;;
  stop)
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
