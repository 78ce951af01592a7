#!/usr/bin/env bash
# Run a command in a private D-Bus session with a fresh, unlocked gnome-keyring (what npm test does),
# e.g. `bash scripts/with-keyring.sh npx vitest run test/integration/profiles`.
set -euo pipefail
inner='export XDG_DATA_HOME="$(mktemp -d)"
  echo -n event-desk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"'
# The session's own chatter (no display for a prompter, the bus starting) is not the command's output.
exec dbus-run-session -- bash -c "$inner" _ "$@" \
  2> >(grep -v -e "dbus-daemon\[" -e "gcr-prompter" -e "cannot open display" >&2)
