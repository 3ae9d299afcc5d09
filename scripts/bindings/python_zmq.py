"""pyzmq (Debian's python3-zmq) on loopback: REQ/REP, PUB/SUB, and CURVE with a
ZAP handler (pyzmq's zmq.auth ThreadAuthenticator) that admits one client key.

Run by scripts/bindings-check with ZMQ_EXPECT_LIB (the libzmq file this process must
load) and ZMQ_EXPECT_VERSION (what zmq_version must say). Every wait is bounded;
any wrong answer raises, so the exit status is non-zero.
"""

import os
import sys
import tempfile
import time

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator

TIMEOUT_MS = 5000


def loaded_libzmq():
    with open("/proc/self/maps") as maps:
        return {os.path.realpath(line.split()[-1]) for line in maps if "libzmq.so" in line}


def check_library():
    loaded = loaded_libzmq()
    expected = os.path.realpath(os.environ["ZMQ_EXPECT_LIB"])
    assert loaded == {expected}, f"loaded {loaded}, expected {expected}"
    assert zmq.zmq_version() == os.environ["ZMQ_EXPECT_VERSION"], zmq.zmq_version()
    print(f"library: {expected} (zmq_version {zmq.zmq_version()}, pyzmq {zmq.pyzmq_version()})")


def new_socket(ctx, kind, timeout_ms=TIMEOUT_MS):
    s = ctx.socket(kind)
    s.linger = 0
    s.rcvtimeo = timeout_ms
    s.sndtimeo = timeout_ms
    return s


def req_rep(ctx):
    rep = new_socket(ctx, zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    req = new_socket(ctx, zmq.REQ)
    req.connect(f"tcp://127.0.0.1:{port}")
    for i in range(100):
        req.send_string(f"ping {i}")
        assert rep.recv_string() == f"ping {i}"
        rep.send_multipart([b"pong", str(i).encode(), b"x" * i])
        assert req.recv_multipart() == [b"pong", str(i).encode(), b"x" * i]
    try:
        req.send(b"a")
        req.send(b"b")
        raise AssertionError("a REQ sent twice")
    except zmq.ZMQError as e:
        assert e.errno == zmq.EFSM, e
    print("req/rep: 100 round trips (multipart replies), EFSM on a second send")
    req.close()
    rep.close()


def pub_sub(ctx):
    pub = new_socket(ctx, zmq.PUB)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub = new_socket(ctx, zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"weather.")
    sub.connect(f"tcp://127.0.0.1:{port}")
    # Until the subscription has reached the publisher: 5 s at most.
    deadline = time.monotonic() + 5
    while True:
        pub.send(b"weather.sync")
        if sub.poll(10, zmq.POLLIN):
            break
        assert time.monotonic() < deadline, "the subscription never arrived"
    while sub.poll(200, zmq.POLLIN):
        assert sub.recv() == b"weather.sync"
    for i in range(50):
        pub.send(f"traffic.{i}".encode())
        pub.send_multipart([f"weather.{i}".encode(), b"sunny"])
    for i in range(50):
        assert sub.recv_multipart() == [f"weather.{i}".encode(), b"sunny"]
    assert not sub.poll(200, zmq.POLLIN), "a message that was not subscribed to arrived"
    print("pub/sub: 50 of 100 messages, the subscribed prefix only, in order")
    sub.close()
    pub.close()


def curve(ctx):
    assert zmq.has("curve"), "no CURVE"
    with tempfile.TemporaryDirectory() as keys:
        allowed = os.path.join(keys, "allowed")
        os.mkdir(allowed)
        client_public_file, client_secret_file = zmq.auth.create_certificates(allowed, "client")
        client_public, client_secret = zmq.auth.load_certificate(client_secret_file)
        server_public, server_secret = zmq.curve_keypair()
        stranger_public, stranger_secret = zmq.curve_keypair()
        assert zmq.curve_public(server_secret) == server_public

        auth = ThreadAuthenticator(ctx)
        auth.start()
        try:
            auth.configure_curve(domain="*", location=allowed)
            server = new_socket(ctx, zmq.REP)
            server.curve_server = True
            server.curve_secretkey = server_secret
            port = server.bind_to_random_port("tcp://127.0.0.1")
            assert server.mechanism == zmq.CURVE

            client = new_socket(ctx, zmq.REQ)
            client.curve_serverkey = server_public
            client.curve_publickey = client_public
            client.curve_secretkey = client_secret
            client.connect(f"tcp://127.0.0.1:{port}")
            for i in range(20):
                client.send_string(f"secret {i}")
                frame = server.recv(copy=False)
                assert frame.bytes == f"secret {i}".encode()
                # The ZAP handler's User-Id: pyzmq's is the client's z85 public key.
                assert frame.get("User-Id") == client_public.decode(), frame.get("User-Id")
                assert frame.get("Socket-Type") == "REQ"
                server.send_string(f"reply {i}")
                assert client.recv_string() == f"reply {i}"

            def gets_nothing(server_key, public, secret, why):
                """A CURVE client with these keys: its request gets no answer and
                never reaches the server."""
                peer = new_socket(ctx, zmq.REQ, timeout_ms=1000)
                peer.curve_serverkey = server_key
                peer.curve_publickey = public
                peer.curve_secretkey = secret
                peer.connect(f"tcp://127.0.0.1:{port}")
                peer.send(b"hello?")
                try:
                    peer.recv()
                    raise AssertionError(f"{why} got an answer")
                except zmq.Again:
                    pass
                assert not server.poll(500, zmq.POLLIN), f"the message of {why} arrived"
                return peer

            # A key the handler does not know: refused, nothing gets through.
            stranger = gets_nothing(server_public, stranger_public, stranger_secret,
                                    "a client the ZAP handler refused")
            # The right key pair with the wrong server key: the handshake fails.
            lost = gets_nothing(stranger_public, client_public, client_secret,
                                "a client with the wrong server key")
            for s in (client, stranger, lost, server):
                s.close()
        finally:
            auth.stop()
    print("curve: 20 round trips with ZAP's User-Id; an unknown client key and a wrong server key get nothing")


def main():
    check_library()
    ctx = zmq.Context()
    req_rep(ctx)
    pub_sub(ctx)
    curve(ctx)
    ctx.term()
    print("ok python3-zmq")


if __name__ == "__main__":
    main()
    sys.exit(0)
