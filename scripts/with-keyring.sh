#!/usr/bin/env bash
# Run a command in a private D-Bus session with a fresh, unlocked gnome-keyring (what npm test does),
# e.g. `bash scripts/with-keyring.sh npx vitest run test/integration/profiles`.
set -euo pipefail
exec dbus-run-session -- bash -c 'export XDG_DATA_HOME="$(mktemp -d)"; echo -n event-desk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"' _ "$@" 2> >(grep -v -e "dbus-daemon\[" -e "gcr-prompter" -e "cannot open display" >&2)
