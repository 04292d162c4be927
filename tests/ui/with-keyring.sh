#!/bin/sh
# Runs a command with the OS keychain available, the way a desktop session has it: call it
# inside `dbus-run-session -- sh with-keyring.sh COMMAND [ARGS...]`. It starts gnome-keyring's
# secret service with an unlocked login keyring kept in a temporary folder, waits until
# org.freedesktop.secrets is owned on the session bus, runs the command and stops the daemon.
set -u

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
    echo "with-keyring.sh: no D-Bus session; run: dbus-run-session -- sh $0 COMMAND..." >&2
    exit 2
fi
if ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
    echo "with-keyring.sh: gnome-keyring-daemon is not installed (apt install gnome-keyring)" >&2
    exit 2
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/conflux-keyring.XXXXXX")
mkdir -p "$scratch/data" "$scratch/runtime"
chmod 700 "$scratch/runtime"

# An empty stdin does not unlock the keyring; a newline (the empty password) does.
echo "" | XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/runtime" \
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$scratch/daemon.log" 2>&1 &
daemon=$!

cleanup() {
    kill "$daemon" 2>/dev/null
    wait "$daemon" 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

owned=no
for _ in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
        owned=yes
        break
    fi
    sleep 0.1
done
if [ "$owned" != yes ]; then
    echo "with-keyring.sh: gnome-keyring did not provide org.freedesktop.secrets within 10 s:" >&2
    cat "$scratch/daemon.log" >&2
    exit 2
fi

CONFLUX_TEST_KEYRING=1 "$@"
