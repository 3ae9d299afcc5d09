# Debian's ruby-ffi-rzmq (FFI, dlopens libzmq): req/rep and pub/sub over tcp.
require 'ffi-rzmq'
def check(ok, what) = (ok or abort("ruby: #{what}"))
ctx = ZMQ::Context.new
port = Integer(ENV.fetch('PORT_BASE', '41751'))
sock = lambda do |type|
  s = ctx.socket(type)
  s.setsockopt(ZMQ::LINGER, 0)
  s.setsockopt(ZMQ::RCVTIMEO, 5000)
  s
end
rep = sock.(ZMQ::REP); check(rep.bind("tcp://127.0.0.1:#{port}") == 0, 'bind')
req = sock.(ZMQ::REQ); check(req.connect("tcp://127.0.0.1:#{port}") == 0, 'connect')
100.times do |i|
  req.send_string("ping #{i}")
  got = ''; check(rep.recv_string(got) >= 0 && got == "ping #{i}", "request #{i}")
  rep.send_strings(['pong', i.to_s])
  parts = []; check(req.recv_strings(parts) >= 0 && parts == ['pong', i.to_s], "reply #{i}")
end
pub = sock.(ZMQ::PUB); pub.bind("tcp://127.0.0.1:#{port + 1}")
sub = sock.(ZMQ::SUB); sub.setsockopt(ZMQ::SUBSCRIBE, 'news'); sub.connect("tcp://127.0.0.1:#{port + 1}")
got = nil
50.times do
  pub.send_string('weather nothing'); pub.send_string('news first')
  sleep 0.1
  msg = ''
  if sub.recv_string(msg, ZMQ::DONTWAIT) >= 0 then got = msg; break end
end
check(got == 'news first', 'subscription never arrived')
puts 'ffi-rzmq: ok'
