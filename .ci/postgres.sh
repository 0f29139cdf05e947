#!/usr/bin/env bash
# Install (when missing) and start a local PostgreSQL server for tgematch's store tests.
#
# Usage:
#     eval "$(.ci/postgres.sh)"      # sets TGEMATCH_TEST_PG_URL in the calling shell
#     python -m pytest tests/test_store.py tests/test_cli.py
#
# It uses the distribution's packages (Debian/Ubuntu `postgresql`), starts the default
# cluster with pg_ctlcluster (no systemd needed), creates a role and a database, and
# prints ONE line on stdout:
#     export TGEMATCH_TEST_PG_URL=postgresql+psycopg://USER:PASSWORD@127.0.0.1:PORT/DB
# Everything else goes to stderr. Safe to run repeatedly.
#
# Overridable with environment variables: TGEMATCH_PG_USER (tgematch),
# TGEMATCH_PG_PASSWORD (tgematch), TGEMATCH_PG_DB (tgematch_test).
set -euo pipefail

PG_USER=${TGEMATCH_PG_USER:-tgematch}
PG_PASSWORD=${TGEMATCH_PG_PASSWORD:-tgematch}
PG_DB=${TGEMATCH_PG_DB:-tgematch_test}

log() { echo "postgres.sh: $*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing PostgreSQL from the distribution's packages"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
fi

VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION main"; then
    log "creating cluster $VERSION/main"
    $SUDO pg_createcluster "$VERSION" main >&2
fi

STATUS=$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $4}')
if [ "$STATUS" != "online" ]; then
    log "starting cluster $VERSION/main"
    $SUDO pg_ctlcluster "$VERSION" main start >&2
fi
PORT=$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $3}')

for _ in $(seq 1 30); do
    if pg_isready -q -h 127.0.0.1 -p "$PORT"; then
        break
    fi
    sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { log "server on port $PORT did not become ready"; exit 1; }

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        su postgres -c "$1"
    else
        sudo -u postgres sh -c "$1"
    fi
}

psql_admin="psql -v ON_ERROR_STOP=1 -q -p $PORT -d postgres"
if [ "$(as_postgres "$psql_admin -tAc \"SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'\"")" != "1" ]; then
    log "creating role $PG_USER"
    as_postgres "$psql_admin -c \"CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD' CREATEDB\"" >&2
else
    as_postgres "$psql_admin -c \"ALTER ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD' CREATEDB\"" >&2
fi
if [ "$(as_postgres "$psql_admin -tAc \"SELECT 1 FROM pg_database WHERE datname = '$PG_DB'\"")" != "1" ]; then
    log "creating database $PG_DB"
    as_postgres "$psql_admin -c \"CREATE DATABASE $PG_DB OWNER $PG_USER\"" >&2
fi

log "PostgreSQL $VERSION ready on 127.0.0.1:$PORT, database $PG_DB"
echo "export TGEMATCH_TEST_PG_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PORT/$PG_DB"
