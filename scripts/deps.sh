#!/usr/bin/env bash
# Makes sure the tools the tests need are present: a C/C++ toolchain, pkg-config,
# cmake, and the system libzmq (libzmq3-dev), which the tests use as the reference
# implementation, and cppzmq's headers (cppzmq-dev) for capi-tests/cxx_cppzmq.cpp. Installs what is missing with apt-get when run as root.
set -euo pipefail

packages=(build-essential pkg-config cmake libzmq3-dev cppzmq-dev binutils)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "missing packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
fi
