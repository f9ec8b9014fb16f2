#!/usr/bin/env bash
# Runs the whole suite: lint (ruff, mypy), then pytest on SQLite and on a throw-away PostgreSQL on loopback.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

$BIN/ruff check --output-format concise src tests bench || exit 1
$BIN/mypy src || exit 1

# A private PostgreSQL cluster on 127.0.0.1 for the storage tests (CI has none running).
pg_env=$(bash scripts/postgres.sh start) || { echo "PostgreSQL 未能启动" >&2; exit 1; }
eval "$pg_env"
trap 'bash scripts/postgres.sh stop >/dev/null 2>&1' EXIT

$BIN/pytest -n 2 "$@"
rc=$?
# pytest exit 5 = no tests collected: that is a failure of the suite, say so.
[ $rc -eq 5 ] && echo "没有收集到任何测试" >&2
exit $rc
