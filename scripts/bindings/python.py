"""Debian's python3-zmq (pyzmq built against the system libzmq): req/rep and pub/sub
over tcp, and a CURVE req/rep with keys from zmq.curve_keypair. Exits non-zero on any
wrong answer; every receive bounded by RCVTIMEO."""
import sys
import time

import zmq

ctx = zmq.Context()


def sockets(kind_a, kind_b):
    a, b = ctx.socket(kind_a), ctx.socket(kind_b)
    for s in (a, b):
        s.rcvtimeo = 5000
        s.linger = 0
    return a, b


rep, req = sockets(zmq.REP, zmq.REQ)
port = rep.bind_to_random_port("tcp://127.0.0.1")
req.connect(f"tcp://127.0.0.1:{port}")
for i in range(100):
    req.send_string(f"ping {i}")
    assert rep.recv_string() == f"ping {i}"
    rep.send_multipart([b"pong", str(i).encode()])
    assert req.recv_multipart() == [b"pong", str(i).encode()]

pub, sub = sockets(zmq.PUB, zmq.SUB)
port = pub.bind_to_random_port("tcp://127.0.0.1")
sub.connect(f"tcp://127.0.0.1:{port}")
sub.setsockopt(zmq.SUBSCRIBE, b"news")
deadline = time.time() + 5
while True:  # until the subscription has reached the publisher
    pub.send(b"weather nothing")
    pub.send(b"news first")
    if sub.poll(100):
        break
    assert time.time() < deadline, "subscription never arrived"
assert sub.recv() == b"news first"

server_public, server_secret = zmq.curve_keypair()
client_public, client_secret = zmq.curve_keypair()
server, client = sockets(zmq.REP, zmq.REQ)
server.curve_server = True
server.curve_secretkey = server_secret
port = server.bind_to_random_port("tcp://127.0.0.1")
client.curve_serverkey = server_public
client.curve_publickey = client_public
client.curve_secretkey = client_secret
client.connect(f"tcp://127.0.0.1:{port}")
client.send(b"secret")
assert server.recv() == b"secret"
server.send(b"kept")
assert client.recv() == b"kept"
assert zmq.has("curve")

ctx.destroy(linger=0)
print(f"python3-zmq {zmq.__version__} on libzmq {zmq.zmq_version()}: ok")
