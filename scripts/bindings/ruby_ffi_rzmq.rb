# ffi-rzmq (Debian's ruby-ffi-rzmq, which dlopens libzmq.so.5 through Ruby's FFI) on
# loopback: REQ/REP, PUB/SUB with ZMQ::Poller, and CURVE with a ZAP handler written
# here (a REP socket at inproc://zeromq.zap.01, served by a Ruby thread) that admits
# one client key.
#
# Run by scripts/bindings-check with ZMQ_EXPECT_LIB (the libzmq file this process
# must load) and ZMQ_EXPECT_VERSION. Every wait is bounded; any wrong answer raises,
# so the exit status is non-zero.
require 'ffi-rzmq'

TIMEOUT_MS = 5000

def check(condition, what)
  raise "FAIL: #{what}" unless condition
end

def ok(rc, what)
  check(ZMQ::Util.resultcode_ok?(rc), "#{what}: #{ZMQ::Util.error_string}")
end

def check_library
  expected = File.realpath(ENV.fetch('ZMQ_EXPECT_LIB'))
  loaded = File.readlines('/proc/self/maps').grep(/libzmq\.so/).map { |l| File.realpath(l.split.last) }.uniq
  check(loaded == [expected], "loaded #{loaded}, expected #{expected}")
  check(LibZMQ.version_string == ENV.fetch('ZMQ_EXPECT_VERSION'), "zmq_version #{LibZMQ.version_string}")
  puts "library: #{expected} (zmq_version #{LibZMQ.version_string}, ffi-rzmq #{ZMQ::VERSION})"
end

def new_socket(ctx, type, timeout_ms = TIMEOUT_MS)
  s = ctx.socket(type)
  check(s, 'socket')
  ok(s.setsockopt(ZMQ::LINGER, 0), 'LINGER')
  ok(s.setsockopt(ZMQ::RCVTIMEO, timeout_ms), 'RCVTIMEO')
  ok(s.setsockopt(ZMQ::SNDTIMEO, timeout_ms), 'SNDTIMEO')
  s
end

def bind_any(s)
  ok(s.bind('tcp://127.0.0.1:*'), 'bind')
  value = []
  ok(s.getsockopt(ZMQ::LAST_ENDPOINT, value), 'LAST_ENDPOINT')
  endpoint = value[0].delete("\0")
  check(endpoint.start_with?('tcp://127.0.0.1:'), "endpoint #{endpoint}")
  endpoint
end

def recv_string(s)
  text = ''
  ok(s.recv_string(text), 'recv')
  text
end

def req_rep(ctx)
  rep = new_socket(ctx, ZMQ::REP)
  req = new_socket(ctx, ZMQ::REQ)
  ok(req.connect(bind_any(rep)), 'connect')
  100.times do |i|
    ok(req.send_string("ping #{i}"), 'send')
    check(recv_string(rep) == "ping #{i}", "request #{i}")
    ok(rep.send_strings(['pong', i.to_s, 'x' * i]), 'send_strings')
    parts = []
    ok(req.recv_strings(parts), 'recv_strings')
    check(parts == ['pong', i.to_s, 'x' * i], "reply #{i}: #{parts}")
  end
  ok(req.send_string('a'), 'send')
  check(req.send_string('b') == -1 && ZMQ::Util.errno == ZMQ::EFSM, 'EFSM on a second send')
  [req, rep].each(&:close)
  puts 'req/rep: 100 round trips (multipart replies), EFSM on a second send'
end

def pub_sub(ctx)
  pub = new_socket(ctx, ZMQ::PUB)
  sub = new_socket(ctx, ZMQ::SUB)
  idle = new_socket(ctx, ZMQ::PULL)
  bind_any(idle)
  ok(sub.setsockopt(ZMQ::SUBSCRIBE, 'weather.'), 'SUBSCRIBE')
  ok(sub.connect(bind_any(pub)), 'connect')
  poller = ZMQ::Poller.new
  poller.register_readable(idle)
  poller.register_readable(sub)
  # Until the subscription reached the publisher: 5 s at most.
  deadline = Time.now + 5
  loop do
    ok(pub.send_string('weather.sync'), 'send')
    break if poller.poll(10) > 0
    check(Time.now < deadline, 'the subscription never arrived')
  end
  check(poller.readables == [sub], 'only the subscriber is readable')
  while poller.poll(200) > 0
    check(recv_string(sub) == 'weather.sync', 'sync message')
  end
  50.times do |i|
    ok(pub.send_string("traffic.#{i}"), 'send')
    ok(pub.send_strings(["weather.#{i}", 'sunny']), 'send_strings')
  end
  50.times do |i|
    parts = []
    ok(sub.recv_strings(parts), 'recv_strings')
    check(parts == ["weather.#{i}", 'sunny'], "update #{i}: #{parts}")
  end
  check(poller.poll(200) == 0 && poller.readables.empty?, 'a message that was not subscribed to arrived')
  [sub, pub, idle].each(&:close)
  puts 'pub/sub + ZMQ::Poller: 50 of 100 messages, the subscribed prefix only, in order'
end

# A ZAP handler (RFC 27) on its own thread: admits `allowed` (a 32-byte key),
# refuses other keys, records what it decided.
def start_zap(ctx, allowed, decisions)
  zap = new_socket(ctx, ZMQ::REP, 100)
  ok(zap.bind('inproc://zeromq.zap.01'), 'bind ZAP')
  stop = false
  thread = Thread.new do
    until stop
      request = []
      next unless ZMQ::Util.resultcode_ok?(zap.recv_strings(request))
      check(request.size >= 7 && request[0] == '1.0' && request[5] == 'CURVE', "ZAP request #{request[0..5]}")
      key = request[6].b
      check(key.bytesize == 32, 'CURVE credentials are a 32-byte key')
      allow = key == allowed
      decisions << (allow ? :allowed : :refused)
      ok(zap.send_strings(['1.0', request[1], allow ? '200' : '400', allow ? 'OK' : 'unknown key',
                           allow ? 'alice' : '', '']), 'ZAP reply')
    end
    zap.close
  end
  -> { stop = true; thread.join(5) or raise 'FAIL: ZAP thread did not stop' }
end

def curve(ctx)
  server_public, server_secret = ZMQ::Util.curve_keypair
  client_public, client_secret = ZMQ::Util.curve_keypair
  stranger_public, stranger_secret = ZMQ::Util.curve_keypair
  check(server_public.size == 40 && server_secret.size == 40, 'z85 keys')
  allowed = FFI::MemoryPointer.new(32)
  check(!LibZMQ.zmq_z85_decode(allowed, client_public).null?, 'z85 decode')

  decisions = Queue.new
  stop_zap = start_zap(ctx, allowed.read_bytes(32).b, decisions)
  server = new_socket(ctx, ZMQ::REP)
  ok(server.setsockopt(ZMQ::CURVE_SERVER, 1), 'CURVE_SERVER')
  ok(server.setsockopt(ZMQ::CURVE_SECRETKEY, server_secret), 'CURVE_SECRETKEY')
  endpoint = bind_any(server)
  client_for = lambda do |server_key, public_key, secret_key|
    c = new_socket(ctx, ZMQ::REQ, 1000)
    ok(c.setsockopt(ZMQ::CURVE_SERVERKEY, server_key), 'CURVE_SERVERKEY')
    ok(c.setsockopt(ZMQ::CURVE_PUBLICKEY, public_key), 'CURVE_PUBLICKEY')
    ok(c.setsockopt(ZMQ::CURVE_SECRETKEY, secret_key), 'CURVE_SECRETKEY')
    ok(c.connect(endpoint), 'connect')
    c
  end

  client = client_for.call(server_public, client_public, client_secret)
  20.times do |i|
    ok(client.send_string("secret #{i}"), 'send')
    check(recv_string(server) == "secret #{i}", "curve request #{i}")
    ok(server.send_string("reply #{i}"), 'send')
    check(recv_string(client) == "reply #{i}", "curve reply #{i}")
  end
  check(decisions.pop(timeout: 5) == :allowed, 'the client was admitted by ZAP')

  ok(server.setsockopt(ZMQ::RCVTIMEO, 500), 'RCVTIMEO')
  stranger = client_for.call(server_public, stranger_public, stranger_secret)
  ok(stranger.send_string('let me in'), 'send')
  check(stranger.recv_string('') == -1 && ZMQ::Util.errno == ZMQ::EAGAIN, 'a refused client got an answer')
  check(server.recv_string('') == -1, "the refused client's message arrived")
  check(decisions.pop(timeout: 5) == :refused, 'the stranger was refused by ZAP')

  lost = client_for.call(stranger_public, client_public, client_secret)
  ok(lost.send_string('hello?'), 'send')
  check(lost.recv_string('') == -1 && ZMQ::Util.errno == ZMQ::EAGAIN, 'a client with the wrong server key got an answer')
  check(server.recv_string('') == -1, 'a message through a failed handshake')
  check(decisions.empty?, 'a failed handshake never reaches ZAP')
  [client, stranger, lost, server].each(&:close)
  stop_zap.call
  puts 'curve: 20 round trips through a Ruby ZAP thread; an unknown client key and a wrong server key get nothing'
end

check_library
ctx = ZMQ::Context.new
check(ctx, 'context')
req_rep(ctx)
pub_sub(ctx)
curve(ctx)
ok(ctx.terminate, 'terminate')
puts 'ok ruby-ffi-rzmq'
