#!/usr/bin/env bash
# Start/stop a private PostgreSQL cluster on 127.0.0.1 for the tests.
# `start` prints `export JIXIAO_TEST_POSTGRES_URL=...` for eval.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="$PWD/.pgdata"
PORT="${JIXIAO_PG_PORT:-55432}"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] || { echo "找不到 PostgreSQL（先运行 scripts/system-deps.sh）" >&2; exit 1; }
# PostgreSQL refuses to run as root: run it as the 'postgres' system user when we are root.
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

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
