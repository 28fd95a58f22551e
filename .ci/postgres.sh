#!/usr/bin/env bash
# Installs (from Debian packages) and starts a local PostgreSQL for the decision-log tests, with
# role 'carrot' (password 'carrot') owning database 'carrot_test' on 127.0.0.1:5432.
# Idempotent: re-running on a machine where it is up does nothing. Harmless when it fails: it says
# why and exits 1, and the PostgreSQL tests then skip. Needs root (CI runs as root).
set -uo pipefail
say() { echo "postgres.sh: $*" >&2; }
fail() { say "$*"; exit 1; }

PORT=5432
ROLE=carrot
PASSWORD=carrot
DB=carrot_test

if [[ $(id -u) -ne 0 ]]; then
  fail "needs root to install and start PostgreSQL; skipping (the PostgreSQL tests will be skipped)"
fi

ready() { PGPASSWORD=$PASSWORD psql -h 127.0.0.1 -p $PORT -U $ROLE -d $DB -tAc 'SELECT 1' >/dev/null 2>&1; }
if command -v psql >/dev/null && ready; then
  say "already running with $ROLE@127.0.0.1:$PORT/$DB"
  exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  say "installing postgresql from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq >/dev/null || fail "apt-get update failed"
  timeout 900 apt-get install -y -qq postgresql >/dev/null || fail "apt-get install postgresql failed"
fi

VERSION=$(ls /usr/lib/postgresql | sort -V | tail -1)
[[ -n "$VERSION" ]] || fail "no PostgreSQL server found under /usr/lib/postgresql"
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -qx "$VERSION main"; then
  say "creating cluster $VERSION/main"
  pg_createcluster -p $PORT "$VERSION" main >/dev/null || fail "pg_createcluster $VERSION main failed"
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
  say "starting cluster $VERSION/main"
  pg_ctlcluster "$VERSION" main start || fail "pg_ctlcluster $VERSION main start failed (see /var/log/postgresql)"
fi
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p $PORT -q && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p $PORT -q || fail "PostgreSQL did not become ready on 127.0.0.1:$PORT"

as_postgres() { su postgres -s /bin/sh -c "psql -p $PORT -v ON_ERROR_STOP=1 -qtAc \"$1\""; }
as_postgres "DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') THEN CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'; END IF; END \\\$\\\$;" \
  || fail "cannot create role $ROLE"
if [[ -z "$(as_postgres "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]]; then
  as_postgres "CREATE DATABASE $DB OWNER $ROLE" || fail "cannot create database $DB"
fi
ready || fail "cannot log in as $ROLE@127.0.0.1:$PORT/$DB with a password (check pg_hba.conf)"
say "ready: jdbc:postgresql://127.0.0.1:$PORT/$DB user $ROLE"
