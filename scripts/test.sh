#!/usr/bin/env bash
# npm test: lint, typecheck, build, then unit + integration + E2E tests (not benchmarks).
# Keychain tests need a Secret Service: when none is reachable, re-run inside a private D-Bus
# session with an unlocked gnome-keyring, so the README's one command just works.
set -euo pipefail
cd "$(dirname "$0")/.."

secret_service_up() {
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-send >/dev/null 2>&1 &&
    dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.DBus.Peer.Ping >/dev/null 2>&1
}

if [ -z "${EVENT_DESK_KEYRING_SESSION:-}" ] && ! secret_service_up; then
  if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
    echo "npm test needs dbus and gnome-keyring for the keychain tests: sudo apt-get install dbus gnome-keyring" >&2
    exit 1
  fi
  # A throwaway keyring directory: tests never touch (or depend on the password of) the user's login keyring.
  inner='export XDG_DATA_HOME="$(mktemp -d)"
    echo -n event-desk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec bash scripts/test.sh "$@"'
  exec dbus-run-session -- env EVENT_DESK_KEYRING_SESSION=1 bash -c "$inner" _ "$@"
fi

CHROMIUM="${EVENT_DESK_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "E2E tests need Chromium at $CHROMIUM (sudo apt-get install chromium, or set EVENT_DESK_CHROMIUM)." >&2
  exit 1
fi

echo "== lint"; npx eslint --max-warnings 0 .
echo "== typecheck"; npm run --silent typecheck
echo "== build"; npm run --silent build >/dev/null
echo "== tests"
mkdir -p test-results
# Tests make captures, keyrings, ClickHouse data and browser profiles under os.tmpdir(): one directory per
# run, removed when it ends, so repeated runs do not fill the disk (they had left 27 GB in /tmp here).
run_tmp="$(mktemp -d "${TMPDIR:-/tmp}/event-desk-tests.XXXXXX")"
trap 'rm -rf "$run_tmp"' EXIT
export TMPDIR="$run_tmp"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
node -e '
const r = require("./test-results/vitest.json");
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit $status
