#!/usr/bin/env bash
# The two quick-start commands of the README:
#   bash packaging/quickstart.sh run    install what is missing, build, start the studio on the
#                                       sample project (the headless node where there is no display)
#   bash packaging/quickstart.sh test   install what is missing, build, run the whole test suite
# Works on a fresh Debian 12 machine as root (or with sudo). Builds into ./build.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
action=${1:-}
jobs=$(nproc 2>/dev/null || echo 2)

# What Conflux builds with, and what it runs with.
build_packages=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    qtkeychain-qt6-dev libyaml-cpp-dev libsqlite3-dev libqt6sql6-sqlite libqt6sql6-psql libssl-dev libgl-dev qt6-qpa-plugins
    librabbitmq-dev libpq-dev
)
# The real servers and tools the tests use.
test_packages=(
    postgresql rabbitmq-server json-schema-test-suite prometheus openssl curl qt6-websockets-dev
    dbus dbus-x11 gnome-keyring xvfb xauth
    mariadb-server unixodbc odbc-postgresql libqt6sql6-mysql libqt6sql6-odbc
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "quickstart: installing ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

build() {
    cmake --preset default >/dev/null
    cmake --build --preset default -j "$jobs"
}

case "$action" in
run)
    install_packages "${build_packages[@]}"
    build
    sample="$here/resources/samples/order-hub"
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        exec "$here/build/bin/conflux" "$sample"
    fi
    echo "quickstart: no display; starting the headless node on the sample project (Ctrl+C stops it)"
    exec "$here/build/bin/conflux" --no-gui --project "$sample" --data "$here/build/node-data" \
        --admin-listen 127.0.0.1:8081
    ;;
test)
    install_packages "${build_packages[@]}" "${test_packages[@]}"
    build
    ctest --preset default -j "$jobs"
    ;;
*)
    echo "usage: bash packaging/quickstart.sh run|test" >&2
    exit 2
    ;;
esac
