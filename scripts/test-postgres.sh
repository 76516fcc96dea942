#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (docs/POSTGRES.md, "How the tests get a database").
#
#   scripts/test-postgres.sh start   initdb + start on 127.0.0.1 on a free port; prints the URL
#   scripts/test-postgres.sh stop    stops it and deletes its directory
#   scripts/test-postgres.sh url     prints the URL of the running cluster
#   scripts/test-postgres.sh cert    prints the path of the server's self-signed certificate (PEM)
#   scripts/test-postgres.sh pause   stops the server, keeping its data (the failover drill)
#   scripts/test-postgres.sh resume  starts it again on the same port
#
# The cluster lives in a temporary directory owned by the `postgres` user (initdb refuses root), with
# TLS offered (not required) with a self-signed certificate for `localhost` only (its path: `cert`; the
# TLS tests check that `verify-full` to 127.0.0.1 refuses it), trust authentication on loopback only, fsync off (test data is disposable; a stopped or killed server still keeps every commit, only an OS crash would not) and UTF-8. Its state file
# ($CRM_TEST_PG_STATE, default /tmp/crm-test-postgres.state) holds the directory, the port and the URL.
# The tests read the URL from CRM_TEST_POSTGRES_URL and fail when it is missing or unreachable.
set -euo pipefail

STATE=${CRM_TEST_PG_STATE:-/tmp/crm-test-postgres.state}

# Close every inherited descriptor above stderr, so the server started below does not keep a caller's
# pipe open (a test reading this script's output would never see its end).
for fd in $(ls /proc/$$/fd 2>/dev/null); do
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

find_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
    done
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return; fi
    echo "error: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
    exit 1
}

# Runs a command as the postgres user when we are root, as ourselves otherwise.
as_pg() {
    if [ "$(id -u)" = "0" ]; then
        if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
        || echo $(( 20000 + RANDOM % 20000 ))
}

start() {
    if [ -f "$STATE" ]; then
        # shellcheck disable=SC1090
        . "$STATE"
        if [ -n "${PGDIR:-}" ] && [ -d "$PGDIR" ] && as_pg "$BIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
            echo "$URL"; return
        fi
        rm -f "$STATE"
    fi
    BIN=$(find_bin)
    PGDIR=$(mktemp -d /tmp/crm-test-pg.XXXXXX)
    if [ "$(id -u)" = "0" ]; then chown postgres: "$PGDIR"; fi
    chmod 700 "$PGDIR"
    as_pg "$BIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$PGDIR/initdb.log" 2>&1 \
        || { cat "$PGDIR/initdb.log" >&2; exit 1; }
    # A self-signed server certificate naming localhost (and not 127.0.0.1), readable by the tests.
    openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
        -keyout "$PGDIR/server.key" -out "$PGDIR/server.crt" >"$PGDIR/openssl.log" 2>&1 \
        || { cat "$PGDIR/openssl.log" >&2; exit 1; }
    if [ "$(id -u)" = "0" ]; then chown postgres: "$PGDIR/server.key" "$PGDIR/server.crt"; fi
    chmod 600 "$PGDIR/server.key"
    chmod 644 "$PGDIR/server.crt"
    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if as_pg "$BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 start \
            -o "$(server_options "$port")" \
            >/dev/null 2>&1; then
            URL="postgres://postgres@127.0.0.1:$port/postgres"
            printf 'PGDIR=%q\nBIN=%q\nPORT=%q\nURL=%q\n' "$PGDIR" "$BIN" "$port" "$URL" >"$STATE"
            echo "$URL"
            return
        fi
    done
    cat "$PGDIR/server.log" >&2 || true
    echo "error: could not start PostgreSQL" >&2
    exit 1
}

stop() {
    [ -f "$STATE" ] || return 0
    # shellcheck disable=SC1090
    . "$STATE"
    as_pg "$BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PGDIR"
    rm -f "$STATE"
}

server_options() {
    echo "-c listen_addresses=127.0.0.1 -c port=$1 -c unix_socket_directories=$PGDIR -c fsync=off -c full_page_writes=off -c max_connections=200 -c ssl=on -c ssl_cert_file=$PGDIR/server.crt -c ssl_key_file=$PGDIR/server.key"
}

pause() {
    # shellcheck disable=SC1090
    . "$STATE"
    as_pg "$BIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null
}

resume() {
    # shellcheck disable=SC1090
    . "$STATE"
    as_pg "$BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 start -o "$(server_options "$PORT")" >/dev/null
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) [ -f "$STATE" ] && { . "$STATE"; echo "$URL"; } ;;
    cert) [ -f "$STATE" ] && { . "$STATE"; echo "$PGDIR/server.crt"; } ;;
    pause) pause ;;
    resume) resume ;;
    *) echo "usage: $0 start|stop|url|cert|pause|resume" >&2; exit 2 ;;
esac
