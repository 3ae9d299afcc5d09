# Debian's libzmq-ffi-perl (ZMQ::FFI, which dlopens libzmq.so.5): req/rep and pub/sub.
use strict;
use warnings;
use ZMQ::FFI qw(ZMQ_REQ ZMQ_REP ZMQ_PUB ZMQ_SUB ZMQ_LINGER ZMQ_RCVTIMEO ZMQ_DONTWAIT);
# The soname, so that the loader (and LD_LIBRARY_PATH) picks the library.
my $ctx = ZMQ::FFI->new(soname => "libzmq.so.5");
my $port = $ENV{PORT_BASE} // 41741;
sub sock { my $s = $ctx->socket($_[0]); $s->set(ZMQ_LINGER, 'int', 0); $s->set(ZMQ_RCVTIMEO, 'int', 5000); $s }
my $rep = sock(ZMQ_REP); $rep->bind("tcp://127.0.0.1:$port");
my $req = sock(ZMQ_REQ); $req->connect("tcp://127.0.0.1:$port");
for my $i (0 .. 99) {
    $req->send("ping $i");
    die "request $i" unless $rep->recv() eq "ping $i";
    $rep->send_multipart(["pong", "$i"]);
    my @reply = $req->recv_multipart();
    die "reply $i" unless "@reply" eq "pong $i";
}
my $pub = sock(ZMQ_PUB); $pub->bind("tcp://127.0.0.1:" . ($port + 1));
my $sub = sock(ZMQ_SUB); $sub->subscribe("news"); $sub->connect("tcp://127.0.0.1:" . ($port + 1));
my $got;
for (1 .. 50) {
    $pub->send("weather nothing"); $pub->send("news first");
    select(undef, undef, undef, 0.1);
    if ($sub->has_pollin) { $got = $sub->recv(); last }
}
die "subscription never arrived" unless defined $got && $got eq "news first";
my ($major, $minor, $patch) = $ctx->version;
print "ZMQ::FFI on libzmq $major.$minor.$patch: ok\n";
