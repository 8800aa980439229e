#!/usr/bin/env bash
# Start the local PostgreSQL 15 cluster and make sure the test role and database exist.
#
# Run as root on Debian (CI does; a developer can too):  sudo scripts/postgres-up.sh
# Then:  export LEDGER_TEST_POSTGRES_URL=postgresql://ledger:ledger@127.0.0.1:5432/ledger_test
#
# Idempotent: an already running cluster, role or database is left as it is. It relies on
# Debian's default pg_hba.conf (peer auth for the postgres OS user on the socket, password
# logins over TCP to 127.0.0.1), so nothing is edited.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"
PG_HOST=127.0.0.1
PG_PORT="${PG_PORT:-5432}"
DB_USER=ledger
DB_PASSWORD=ledger
DB_NAME=ledger_test
WAIT_SECONDS=60

log() { echo "postgres-up: $*" >&2; }

start_cluster() {
    # pg_ctlcluster exits non-zero when the cluster already runs: ask first instead.
    if pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
        log "cluster $PG_VERSION/$PG_CLUSTER already running"
    else
        log "starting cluster $PG_VERSION/$PG_CLUSTER"
        pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
    fi
}

wait_until_ready() {
    local waited=0
    until pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; do
        if ((waited >= WAIT_SECONDS)); then
            log "PostgreSQL not ready on $PG_HOST:$PG_PORT after ${WAIT_SECONDS}s"
            exit 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    log "ready on $PG_HOST:$PG_PORT"
}

as_postgres() {
    # cd / so that psql, run as postgres, does not complain about root's working directory.
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@")
}

create_role_and_database() {
    # CREATEROLE: tests/test_postgres_roles.py makes a writer and a reader role of its
    # own and grants them scripts/postgres-roles.sql's rights (a test server only).
    as_postgres -d postgres -c "
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
        CREATE ROLE $DB_USER WITH LOGIN CREATEROLE PASSWORD '$DB_PASSWORD';
    ELSE
        ALTER ROLE $DB_USER WITH LOGIN CREATEROLE PASSWORD '$DB_PASSWORD';
    END IF;
END
\$\$;"
    # CREATE DATABASE cannot run inside DO (a transaction block): check, then create.
    local exists
    exists="$(as_postgres -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")"
    if [[ "$exists" != "1" ]]; then
        as_postgres -d postgres -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
        log "created database $DB_NAME owned by $DB_USER"
    else
        as_postgres -d postgres -c "ALTER DATABASE $DB_NAME OWNER TO $DB_USER"
        log "database $DB_NAME already exists"
    fi
}

main() {
    start_cluster
    wait_until_ready
    create_role_and_database
    echo "LEDGER_TEST_POSTGRES_URL=postgresql://$DB_USER:$DB_PASSWORD@$PG_HOST:$PG_PORT/$DB_NAME"
}

main "$@"
