#!/usr/bin/env bash
# Make the services the tests need available on loopback, installing Debian packages when missing:
#   PostgreSQL (integration tests run on it as well as SQLite), Redis (two Rasa servers sharing a lock
#   store), Chromium (browser tests); fetches axe-core from npm into .cache/axe/ (browser accessibility
#   checks) and botfront's rasa-webchat into .cache/rasa-webchat/ (a standard client the browser tests
#   run against our server), once: nothing is downloaded at test time. Writes var/test-services.env
#   for scripts/test.sh to source.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v openssl >/dev/null 2>&1 || need+=(openssl)  # a certificate for the TLS Redis of tests/unit/test_lock_store.py
if [ ${#need[@]} -gt 0 ]; then
  echo "==> Installing ${need[*]} from Debian's packages"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PGPORT="${TEST_PG_PORT:-55432}"
PGDATA="${TMPDIR:-/tmp}/coprod-test-pg"
PGBIN="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
run_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if ! (exec 3<>/dev/tcp/127.0.0.1/$PGPORT) 2>/dev/null; then
  echo "==> Starting a throwaway PostgreSQL on 127.0.0.1:$PGPORT"
  rm -rf "$PGDATA"; mkdir -p "$PGDATA"
  [ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
  run_pg "$PGBIN/initdb -D $PGDATA --auth=trust -U postgres >/dev/null"
  run_pg "$PGBIN/pg_ctl -D $PGDATA -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off' -l $PGDATA/log -w start >/dev/null"
fi
REDISPORT="${TEST_REDIS_PORT:-56379}"
if ! (exec 3<>/dev/tcp/127.0.0.1/$REDISPORT) 2>/dev/null; then
  echo "==> Starting a throwaway Redis on 127.0.0.1:$REDISPORT"
  redis-server --port "$REDISPORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
fi
AXE_VERSION=4.10.3
AXE_JS="$PWD/.cache/axe/axe.min.js"
if [ ! -s "$AXE_JS" ]; then
  echo "==> Fetching axe-core $AXE_VERSION (accessibility checks in the browser tests)"
  mkdir -p .cache/axe
  (cd .cache/axe && rm -f axe-core-*.tgz && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null \
     && tar -xzf "axe-core-$AXE_VERSION.tgz" -O package/axe.min.js > axe.min.js.tmp \
     && mv axe.min.js.tmp axe.min.js && rm -f "axe-core-$AXE_VERSION.tgz")
fi
# rasa-webchat 1.0.1 bundles socket.io-client 3 (Engine.IO 4, what python-socketio 5 speaks); 1.0.0 and
# older bundle socket.io-client 2, which our server (and Rasa 3's) cannot talk to.
RASA_WEBCHAT_VERSION=1.0.1
RASA_WEBCHAT_JS="$PWD/.cache/rasa-webchat/rasa-webchat-$RASA_WEBCHAT_VERSION.js"
if [ ! -s "$RASA_WEBCHAT_JS" ]; then
  echo "==> Fetching rasa-webchat $RASA_WEBCHAT_VERSION (a standard client for the browser tests)"
  mkdir -p .cache/rasa-webchat
  (cd .cache/rasa-webchat && rm -f rasa-webchat-*.tgz && npm pack --silent "rasa-webchat@$RASA_WEBCHAT_VERSION" >/dev/null \
     && tar -xzf "rasa-webchat-$RASA_WEBCHAT_VERSION.tgz" -O package/lib/index.js > "$RASA_WEBCHAT_JS.tmp" \
     && mv "$RASA_WEBCHAT_JS.tmp" "$RASA_WEBCHAT_JS" && rm -f "rasa-webchat-$RASA_WEBCHAT_VERSION.tgz")
fi
cat > var/test-services.env <<ENV
export TEST_POSTGRES_URL=postgresql+psycopg2://postgres@127.0.0.1:$PGPORT/postgres
export TEST_REDIS_URL=redis://127.0.0.1:$REDISPORT/0
export CHROMIUM_PATH=$(command -v chromium)
export AXE_JS_PATH=$AXE_JS
export RASA_WEBCHAT_JS_PATH=$RASA_WEBCHAT_JS
ENV
