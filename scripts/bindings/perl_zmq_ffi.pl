#!/usr/bin/perl
# ZMQ::FFI (Debian's libzmq-ffi-perl, which finds and dlopens libzmq through
# FFI::CheckLib and FFI::Platypus) on loopback: REQ/REP, PUB/SUB, and CURVE with a
# ZAP handler written here (a REP socket at inproc://zeromq.zap.01, served from the
# same bounded loop as the server) that admits one client key.
#
# Run by scripts/bindings-check with ZMQ_EXPECT_LIB (the libzmq file this process
# must load) and ZMQ_EXPECT_VERSION. ZMQ::FFI's own lookup (FFI::CheckLib) resolves
# libzmq to an absolute path from the system's directories and ignores
# LD_LIBRARY_PATH: the script points it at a prefix with FFI_CHECKLIB_PATH. Every wait is bounded; any wrong answer dies,
# so the exit status is non-zero.
use strict;
use warnings;
use Cwd qw(realpath);
use Time::HiRes qw(time usleep);
use ZMQ::FFI;
use ZMQ::FFI::Constants qw(:all);
use ZMQ::FFI::Util qw(zmq_version);

use POSIX qw(EAGAIN);

use constant TIMEOUT_MS => 5000;
# zmq.h: ZMQ_HAUSNUMERO + 51 (ZMQ::FFI::Constants has no errno values).
use constant EFSM => 156384712 + 51;

sub check {
    my ($condition, $what) = @_;
    die "FAIL: $what\n" unless $condition;
}

sub check_library {
    my ($ctx) = @_;
    my $expected = realpath($ENV{ZMQ_EXPECT_LIB});
    open my $maps, '<', '/proc/self/maps' or die "maps: $!";
    my %loaded;
    while (<$maps>) {
        $loaded{realpath((split)[-1])} = 1 if /libzmq\.so/;
    }
    my @loaded = sort keys %loaded;
    check("@loaded" eq $expected, "loaded @loaded, expected $expected");
    my $version = join '.', zmq_version($ctx->soname);
    check($version eq $ENV{ZMQ_EXPECT_VERSION}, "zmq_version $version");
    print "library: $expected (zmq_version $version via ", $ctx->soname,
        ", ZMQ::FFI $ZMQ::FFI::VERSION)\n";
}

sub new_socket {
    my ($ctx, $type, $timeout_ms) = @_;
    my $s = $ctx->socket($type);
    $s->set(ZMQ_LINGER, 'int', 0);
    $s->set(ZMQ_RCVTIMEO, 'int', $timeout_ms // TIMEOUT_MS);
    $s->set(ZMQ_SNDTIMEO, 'int', $timeout_ms // TIMEOUT_MS);
    return $s;
}

sub bind_any {
    my ($s) = @_;
    $s->bind('tcp://127.0.0.1:*');
    my $endpoint = $s->get(ZMQ_LAST_ENDPOINT, 'string');
    $endpoint =~ s/\0+$//;
    check($endpoint =~ m{^tcp://127\.0\.0\.1:\d+$}, "endpoint $endpoint");
    return $endpoint;
}

# Receives without dying; undef and the errno when nothing came.
sub try_recv {
    my ($s, $flags) = @_;
    $s->die_on_error(0);
    my $got = $s->recv($flags // 0);
    my $errno = $s->last_errno;
    $s->die_on_error(1);
    return $errno ? (undef, $errno) : ($got, 0);
}

sub req_rep {
    my ($ctx) = @_;
    my $rep = new_socket($ctx, ZMQ_REP);
    my $req = new_socket($ctx, ZMQ_REQ);
    $req->connect(bind_any($rep));
    for my $i (0 .. 99) {
        $req->send("ping $i");
        check($rep->recv eq "ping $i", "request $i");
        $rep->send_multipart(['pong', $i, 'x' x $i]);
        my @parts = $req->recv_multipart;
        check("@parts" eq "@{['pong', $i, 'x' x $i]}" && @parts == 3, "reply $i: @parts");
    }
    $req->send('a');
    $req->die_on_error(0);
    $req->send('b');
    check($req->last_errno == EFSM, 'EFSM on a second send, got ' . $req->last_errno);
    $_->close for $req, $rep;
    print "req/rep: 100 round trips (multipart replies), EFSM on a second send\n";
}

sub pub_sub {
    my ($ctx) = @_;
    my $pub = new_socket($ctx, ZMQ_PUB);
    my $sub = new_socket($ctx, ZMQ_SUB);
    $sub->subscribe('weather.');
    $sub->connect(bind_any($pub));
    # Until the subscription reached the publisher: 5 s at most.
    my $deadline = time + 5;
    until ($sub->has_pollin) {
        check(time < $deadline, 'the subscription never arrived');
        $pub->send('weather.sync');
        usleep(10_000);
    }
    $sub->set(ZMQ_RCVTIMEO, 'int', 200);
    while (1) {
        my ($sync, $errno) = try_recv($sub);
        last if $errno;
        check($sync eq 'weather.sync', "sync message $sync");
    }
    $sub->set(ZMQ_RCVTIMEO, 'int', TIMEOUT_MS);
    for my $i (0 .. 49) {
        $pub->send("traffic.$i");
        $pub->send_multipart(["weather.$i", 'sunny']);
    }
    for my $i (0 .. 49) {
        my @parts = $sub->recv_multipart;
        check(@parts == 2 && $parts[0] eq "weather.$i" && $parts[1] eq 'sunny', "update $i: @parts");
    }
    $sub->set(ZMQ_RCVTIMEO, 'int', 200);
    my ($extra, $errno) = try_recv($sub);
    check($errno == EAGAIN, 'a message that was not subscribed to arrived');
    $_->close for $sub, $pub;
    print "pub/sub: 50 of 100 messages, the subscribed prefix only, in order\n";
}

# Serves ZAP and the CURVE server until $client has its reply; for a client that
# must be refused, for 1.5 s. Returns the reply (undef: none).
sub serve {
    my ($zap, $server, $client, $allowed, $request, $refused, $decisions) = @_;
    $client->send($request);
    my $deadline = time + ($refused ? 1.5 : 5);
    while (time < $deadline) {
        if ($zap->has_pollin) {
            my @req = $zap->recv_multipart;
            check(@req >= 7 && $req[0] eq '1.0' && $req[5] eq 'CURVE', "ZAP request @req[0..5]");
            check(length($req[6]) == 32, 'CURVE credentials are a 32-byte key');
            my $ok = $req[6] eq $allowed;
            $zap->send_multipart(['1.0', $req[1], $ok ? '200' : '400', $ok ? 'OK' : 'unknown key',
                                  $ok ? 'alice' : '', '']);
            push @$decisions, $ok ? 'allowed' : 'refused';
        }
        if ($server->has_pollin) {
            my $message = $server->recv;
            check(!$refused, "a refused client's message arrived: $message");
            $server->send("reply to $message");
        }
        if ($client->has_pollin) {
            check(!$refused, 'a refused client got an answer');
            return $client->recv;
        }
        usleep(1000);
    }
    check($refused, 'no reply in time');
    return undef;
}

sub curve {
    my ($ctx) = @_;
    check($ctx->has_capability('curve'), 'no CURVE');
    my ($server_public, $server_secret) = $ctx->curve_keypair;
    my ($client_public, $client_secret) = $ctx->curve_keypair;
    my ($stranger_public, $stranger_secret) = $ctx->curve_keypair;
    s/\0+$// for $server_public, $server_secret, $client_public, $client_secret,
        $stranger_public, $stranger_secret;
    check(length($server_public) == 40, 'z85 public key');
    my $allowed = $ctx->z85_decode($client_public);
    (my $encoded = $ctx->z85_encode($allowed)) =~ s/\0+$//;
    check(length($allowed) == 32 && $encoded eq $client_public, 'z85 round trip');

    my $zap = new_socket($ctx, ZMQ_REP);
    $zap->bind('inproc://zeromq.zap.01');
    my $server = new_socket($ctx, ZMQ_REP);
    $server->set(ZMQ_CURVE_SERVER, 'int', 1);
    $server->set(ZMQ_CURVE_SECRETKEY, 'string', $server_secret);
    my $endpoint = bind_any($server);
    check($server->get(ZMQ_MECHANISM, 'int') == ZMQ_CURVE, 'CURVE mechanism');
    my $client_for = sub {
        my ($server_key, $public, $secret) = @_;
        my $c = new_socket($ctx, ZMQ_REQ, 1000);
        $c->set(ZMQ_CURVE_SERVERKEY, 'string', $server_key);
        $c->set(ZMQ_CURVE_PUBLICKEY, 'string', $public);
        $c->set(ZMQ_CURVE_SECRETKEY, 'string', $secret);
        $c->connect($endpoint);
        return $c;
    };
    my @decisions;
    my $client = $client_for->($server_public, $client_public, $client_secret);
    for my $i (0 .. 19) {
        my $reply = serve($zap, $server, $client, $allowed, "secret $i", 0, \@decisions);
        check($reply eq "reply to secret $i", "curve reply $i");
    }
    check("@decisions" eq 'allowed', 'one ZAP request for the connection');
    my $stranger = $client_for->($server_public, $stranger_public, $stranger_secret);
    check(!defined serve($zap, $server, $stranger, $allowed, 'let me in', 1, \@decisions), 'refused');
    check("@decisions" eq 'allowed refused', 'the stranger was asked about and refused');
    my $lost = $client_for->($stranger_public, $client_public, $client_secret);
    check(!defined serve($zap, $server, $lost, $allowed, 'hello?', 1, \@decisions), 'wrong server key');
    check(@decisions == 2, 'a failed handshake never reaches ZAP');
    $_->close for $client, $stranger, $lost, $server, $zap;
    print "curve: 20 round trips through a Perl ZAP handler; an unknown client key and a wrong server key get nothing\n";
}

alarm 60;
my $ctx = ZMQ::FFI->new;
check_library($ctx);
req_rep($ctx);
pub_sub($ctx);
curve($ctx);
$ctx->destroy;
print "ok perl-zmq-ffi\n";
exit 0;
