#!/usr/bin/env python3
"""How often pyzmq's test_log.py::TestPubLog::test_blank_root_topic wins its race.

That test subscribes to '' over tcp and publishes at once; it passes only if the
subscription reaches the publisher first. This repeats its calls (a PUBHandler, the
same binds, connects and subscriptions) on a fresh context each round and prints how
many rounds the subscriber got the message. Run it with each library's pyzmq, e.g.
the virtualenvs of `scripts/pyzmq-check --work DIR`:

    DIR/venv-ours/bin/python scripts/bindings/pyzmq_log_race.py
    DIR/venv-system/bin/python scripts/bindings/pyzmq_log_race.py
"""
import logging, time, zmq
from zmq.log import handlers
ok = 0; N = 60
for i in range(N):
    ctx = zmq.Context()
    logger = logging.getLogger('zmqtest%d' % i); logger.setLevel(logging.DEBUG); logger.propagate = False
    pub = ctx.socket(zmq.PUB); port = pub.bind_to_random_port('tcp://127.0.0.1')
    sub = ctx.socket(zmq.SUB); sub.connect('tcp://127.0.0.1:%d' % port)
    handler = handlers.PUBHandler(pub); handler.setLevel(logging.DEBUG); handler.root_topic = 'zmq'
    logger.addHandler(handler)
    sub.setsockopt(zmq.SUBSCRIBE, b'zmq'); time.sleep(0.1)
    sub.setsockopt(zmq.SUBSCRIBE, b'')
    handler.socket.bind('inproc://zmqlog')
    only = ctx.socket(zmq.SUB); only.connect('inproc://zmqlog'); only.setsockopt(zmq.SUBSCRIBE, b'INFO')
    handler.setRootTopic(b'')
    logger.debug('debug_message')
    try: only.recv(zmq.NOBLOCK)
    except zmq.Again: pass
    if sub.poll(200): ok += 1
    for s in (pub, sub, only): s.close(linger=0)
    ctx.term()
print(zmq.zmq_version(), ok, '/', N)
