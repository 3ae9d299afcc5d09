#!/usr/bin/env python3
"""Turns libzmq's published fuzz corpora (github.com/zeromq/libzmq-fuzz-corpora,
checked out or extracted somewhere outside this repository) into inputs for our
targets, which start with selector bytes: one directory per (libzmq corpus, our
target), named `<corpus>--<target>`. Each is then replayed with
`cargo +nightly fuzz run <target> <dir> -- -runs=0` (see docs/fuzzing.md).

usage: fuzz/libzmq_corpora.py LIBZMQ_CORPORA_DIR OUT_DIR
"""
import hashlib
import os
import shutil
import sys

if len(sys.argv) != 3:
    sys.exit(__doc__)
src, dst = sys.argv[1], sys.argv[2]
shutil.rmtree(dst, ignore_errors=True)
def files(corpus):
    d = os.path.join(src, corpus)
    return [open(os.path.join(d, f), 'rb').read() for f in sorted(os.listdir(d))]
count = {}
def put(name, data):
    d = os.path.join(dst, name); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, hashlib.sha1(data).hexdigest()), 'wb').write(data)
    count[name] = count.get(name, 0) + 1
# Raw ZMTP peers from the first byte: every zmtp_connection selector (socket type,
# max size, heartbeats, chunk size).
for corpus in ['test_bind_null_fuzzer_seed_corpus', 'test_connect_null_fuzzer_seed_corpus',
               'test_bind_curve_fuzzer_seed_corpus', 'test_connect_curve_fuzzer_seed_corpus']:
    for data in files(corpus):
        for selector in range(256):
            put(corpus + '--zmtp_connection', bytes([selector]) + data)
# NULL peers after their greeting: null_handshake raw mode, every ZAP setting and
# chunking, our socket as PUB (libzmq's fuzzers' socket), PAIR and ROUTER.
for corpus in ['test_bind_null_fuzzer_seed_corpus', 'test_connect_null_fuzzer_seed_corpus']:
    for data in files(corpus):
        rest = data[64:] if len(data) >= 64 else data
        for selector in range(0, 128, 3):
            for socket_type in (0, 1, 6):
                put(corpus + '--null_handshake', bytes([selector, socket_type, 0, selector]) + rest)
# CURVE peers after their greeting: curve_handshake raw mode, server for bind, client
# for connect, every chunk size.
for corpus, role in [('test_bind_curve_fuzzer_seed_corpus', 0), ('test_connect_curve_fuzzer_seed_corpus', 2)]:
    for data in files(corpus):
        rest = data[64:] if len(data) >= 64 else data
        for chunk in range(32):
            for zap in (0, 1):
                put(corpus + '--curve_handshake', bytes([0x80 | chunk << 2 | role | zap]) + rest)
# WebSocket peers from the first byte (the HTTP upgrade included): ws_frames raw
# mode, server (bit 5) for bind, client for connect, every socket type, size
# limit, heartbeat and sub-protocol setting.
for corpus, role in [('test_bind_ws_fuzzer_seed_corpus', 0x20), ('test_connect_ws_fuzzer_seed_corpus', 0)]:
    for data in files(corpus):
        for low in range(32):
            put(corpus + '--ws_frames', bytes([role | low]) + data)
# Endpoint strings: bind and connect, IPv6 off and on, every socket type.
for corpus, bind in [('test_bind_fuzzer_seed_corpus', 0x40), ('test_connect_fuzzer_seed_corpus', 0)]:
    for data in files(corpus):
        for ipv6 in (0, 0x20):
            for socket_type in range(21):
                put(corpus + '--endpoint', bytes([bind | ipv6, socket_type]) + data)
# Socket options: as libzmq's harness, every option set to the input and read back
# into a large buffer, on an XPUB (and on every other type).
for data in files('test_socket_options_fuzzer_seed_corpus'):
    for socket_type in range(21):
        script = bytes([socket_type])
        for option in range(4, 125):
            script += bytes([0, option + 1, min(len(data), 255)]) + data[:255] + bytes([2 | 6 << 2, option + 1])
        put('test_socket_options_fuzzer_seed_corpus--socket_options', script)
# Z85 text: as is.
for data in files('test_z85_decode_fuzzer_seed_corpus'):
    put('test_z85_decode_fuzzer_seed_corpus--z85', data)
for name in sorted(count):
    print(name, count[name])
