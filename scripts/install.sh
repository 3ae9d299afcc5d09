#!/usr/bin/env bash
# Builds the library and installs it like libzmq does, into a prefix (default ./dist):
#   lib/libzmq.so.5.2.5 (+ libzmq.so.5 and libzmq.so links), lib/libzmq.a,
#   include/zmq.h, include/zmq_utils.h, lib/pkgconfig/libzmq.pc,
#   lib/cmake/ZeroMQ/ZeroMQConfig.cmake (+ ZeroMQConfigVersion.cmake).
# Then it compiles capi-tests/hello.c against the installed prefix and runs it.
#
# usage: scripts/install.sh [--prefix DIR] [--profile release|debug] [--no-hello]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
prefix="$root/dist"
profile=release
hello=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --profile) profile=$2; shift 2 ;;
        --no-hello) hello=no; shift ;;
        *) echo "usage: $0 [--prefix DIR] [--profile release|debug] [--no-hello]" >&2; exit 2 ;;
    esac
done
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)

version=4.3.5
so_version=5.2.5   # libzmq 4.3.5's libtool version: libzmq.so.5.2.5

cd "$root"
if [ "$profile" = release ]; then
    cargo build --release --lib
else
    cargo build --lib
fi
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
built="$target_dir/$( [ "$profile" = release ] && echo release || echo debug )"

install -d "$prefix/lib/pkgconfig" "$prefix/lib/cmake/ZeroMQ" "$prefix/include"
install -m 755 "$built/libzmq.so" "$prefix/lib/libzmq.so.$so_version"
ln -sf "libzmq.so.$so_version" "$prefix/lib/libzmq.so.5"
ln -sf "libzmq.so.5" "$prefix/lib/libzmq.so"
install -m 644 "$built/libzmq.a" "$prefix/lib/libzmq.a"
install -m 644 include/zmq.h include/zmq_utils.h "$prefix/include/"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" pkgconfig/libzmq.pc.in > "$prefix/lib/pkgconfig/libzmq.pc"
sed -e "s|@VERSION@|$version|g" -e "s|@SO_VERSION@|$so_version|g" cmake/ZeroMQConfig.cmake.in > "$prefix/lib/cmake/ZeroMQ/ZeroMQConfig.cmake"
sed -e "s|@VERSION@|$version|g" cmake/ZeroMQConfigVersion.cmake.in > "$prefix/lib/cmake/ZeroMQ/ZeroMQConfigVersion.cmake"
echo "installed libzmq $version into $prefix"

if [ "$hello" = yes ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # shellcheck disable=SC2046
    cc -Wall -Wextra -Werror -o "$work/hello" capi-tests/hello.c \
        $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs libzmq 2>/dev/null \
          || echo "-I$prefix/include -L$prefix/lib -lzmq")
    LD_LIBRARY_PATH="$prefix/lib" "$work/hello"
fi
