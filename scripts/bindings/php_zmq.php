<?php
// php-zmq (Debian's php-zmq) on loopback: REQ/REP, PUB/SUB, and CURVE with a ZAP
// handler written here (a REP socket at inproc://zeromq.zap.01 served from the same
// poll loop as the server) that admits one client key.
//
// Run by scripts/bindings-check with ZMQ_EXPECT_LIB, the libzmq file this process
// must load (php-zmq has no runtime zmq_version: ZMQ::LIBZMQ_VER is the header it
// was built with). Every wait is bounded; any wrong answer exits non-zero.

const TIMEOUT_MS = 5000;

function fail($what) {
    fwrite(STDERR, "FAIL: $what\n");
    exit(1);
}

function check($condition, $what) {
    if (!$condition) {
        fail($what);
    }
}

function check_library() {
    $expected = realpath(getenv('ZMQ_EXPECT_LIB'));
    $loaded = [];
    foreach (file('/proc/self/maps') as $line) {
        if (strpos($line, 'libzmq.so') !== false) {
            $fields = preg_split('/\s+/', trim($line));
            $loaded[realpath(end($fields))] = true;
        }
    }
    check(array_keys($loaded) === [$expected],
        'loaded ' . implode(' ', array_keys($loaded)) . ", expected $expected");
    echo "library: $expected (php-zmq " . phpversion('zmq') . ")\n";
}

function new_socket($ctx, $type, $timeout_ms = TIMEOUT_MS) {
    $s = new ZMQSocket($ctx, $type);
    $s->setSockOpt(ZMQ::SOCKOPT_LINGER, 0);
    $s->setSockOpt(ZMQ::SOCKOPT_RCVTIMEO, $timeout_ms);
    $s->setSockOpt(ZMQ::SOCKOPT_SNDTIMEO, $timeout_ms);
    return $s;
}

function bind_any($s) {
    $s->bind('tcp://127.0.0.1:*');
    $endpoint = $s->getSockOpt(ZMQ::SOCKOPT_LAST_ENDPOINT);
    check(strpos($endpoint, 'tcp://127.0.0.1:') === 0, "endpoint $endpoint");
    return $endpoint;
}

function req_rep($ctx) {
    $rep = new_socket($ctx, ZMQ::SOCKET_REP);
    $req = new_socket($ctx, ZMQ::SOCKET_REQ);
    $req->connect(bind_any($rep));
    for ($i = 0; $i < 100; $i++) {
        $req->send("ping $i");
        check($rep->recv() === "ping $i", "request $i");
        $rep->sendmulti(['pong', "$i", str_repeat('x', $i)]);
        check($req->recvMulti() === ['pong', "$i", str_repeat('x', $i)], "reply $i");
    }
    $req->send('a');
    try {
        $req->send('b');
        fail('a REQ sent twice');
    } catch (ZMQSocketException $e) {
        check($e->getCode() === 156384763, 'EFSM expected, got ' . $e->getCode());
    }
    echo "req/rep: 100 round trips (multipart replies), EFSM on a second send\n";
}

function pub_sub($ctx) {
    $pub = new_socket($ctx, ZMQ::SOCKET_PUB);
    $sub = new_socket($ctx, ZMQ::SOCKET_SUB);
    $sub->setSockOpt(ZMQ::SOCKOPT_SUBSCRIBE, 'weather.');
    $sub->connect(bind_any($pub));
    // Until the subscription reached the publisher: 5 s at most.
    $deadline = microtime(true) + 5;
    $poll = new ZMQPoll();
    $poll->add($sub, ZMQ::POLL_IN);
    while (true) {
        $pub->send('weather.sync');
        $readable = $writable = [];
        if ($poll->poll($readable, $writable, 10) > 0) {
            check($readable === [$sub], 'ZMQPoll reports the subscriber');
            break;
        }
        check(microtime(true) < $deadline, 'the subscription never arrived');
    }
    $sub->setSockOpt(ZMQ::SOCKOPT_RCVTIMEO, 200);
    while (($sync = $sub->recv()) !== false) {
        check($sync === 'weather.sync', "sync message $sync");
    }
    $sub->setSockOpt(ZMQ::SOCKOPT_RCVTIMEO, TIMEOUT_MS);
    for ($i = 0; $i < 50; $i++) {
        $pub->send("traffic.$i");
        $pub->sendmulti(["weather.$i", 'sunny']);
    }
    for ($i = 0; $i < 50; $i++) {
        check($sub->recvMulti() === ["weather.$i", 'sunny'], "update $i");
    }
    $sub->setSockOpt(ZMQ::SOCKOPT_RCVTIMEO, 200);
    check($sub->recv() === false, 'a message that was not subscribed to arrived');
    echo "pub/sub: 50 of 100 messages, the subscribed prefix only, in order\n";
}

// Serves ZAP requests and the CURVE server until $client has its reply (or, for a
// client that must be refused, for 1.5 s). Returns what the client got (false: none).
// Non-blocking receives in a bounded loop: php-zmq 1.1.3's ZMQPoll reports only the
// first socket added to it (the same with the system libzmq), see pub_sub().
function serve($zap, $server, $client, $allowed_key, $request, $expect_refused, &$zap_seen) {
    $client->send($request);
    $deadline = microtime(true) + ($expect_refused ? 1.5 : 5);
    while (microtime(true) < $deadline) {
        $req = $zap->recvMulti(ZMQ::MODE_DONTWAIT);
        if ($req !== false) {
            check(count($req) >= 7 && $req[0] === '1.0', 'ZAP request');
            check($req[5] === 'CURVE', "ZAP mechanism {$req[5]}");
            check(strlen($req[6]) === 32, 'CURVE credentials are a 32-byte key');
            $ok = $req[6] === $allowed_key;
            $zap->sendmulti(['1.0', $req[1], $ok ? '200' : '400', $ok ? 'OK' : 'unknown key',
                $ok ? 'alice' : '', '']);
            $zap_seen[] = $ok ? 'allowed' : 'refused';
        }
        $message = $server->recv(ZMQ::MODE_DONTWAIT);
        if ($message !== false) {
            check(!$expect_refused, "a refused client's message arrived: $message");
            $server->send("reply to $message");
        }
        $reply = $client->recv(ZMQ::MODE_DONTWAIT);
        if ($reply !== false) {
            check(!$expect_refused, 'a refused client got an answer');
            return $reply;
        }
        usleep(1000);
    }
    check($expect_refused, 'no reply in time');
    return false;
}

function curve($ctx) {
    $server_keys = ZMQ::curveKeypair();
    $client_keys = ZMQ::curveKeypair();
    $stranger_keys = ZMQ::curveKeypair();
    check(strlen($server_keys['public_key']) === 40, 'z85 public key');
    $allowed = ZMQ::z85decode($client_keys['public_key']);
    check(strlen($allowed) === 32 && ZMQ::z85encode($allowed) === $client_keys['public_key'], 'z85');

    $zap = new_socket($ctx, ZMQ::SOCKET_REP);
    $zap->bind('inproc://zeromq.zap.01');
    $server = new_socket($ctx, ZMQ::SOCKET_REP);
    $server->setSockOpt(ZMQ::SOCKOPT_CURVE_SERVER, 1);
    $server->setSockOpt(ZMQ::SOCKOPT_CURVE_SECRETKEY, $server_keys['secret_key']);
    $endpoint = bind_any($server);
    check($server->getSockOpt(ZMQ::SOCKOPT_MECHANISM) === 2, 'CURVE mechanism');

    $make_client = function ($server_key, $keys) use ($ctx, $endpoint) {
        $c = new_socket($ctx, ZMQ::SOCKET_REQ, 1000);
        $c->setSockOpt(ZMQ::SOCKOPT_CURVE_SERVERKEY, $server_key);
        $c->setSockOpt(ZMQ::SOCKOPT_CURVE_PUBLICKEY, $keys['public_key']);
        $c->setSockOpt(ZMQ::SOCKOPT_CURVE_SECRETKEY, $keys['secret_key']);
        $c->connect($endpoint);
        return $c;
    };
    $zap_seen = [];
    $client = $make_client($server_keys['public_key'], $client_keys);
    for ($i = 0; $i < 20; $i++) {
        $reply = serve($zap, $server, $client, $allowed, "secret $i", false, $zap_seen);
        check($reply === "reply to secret $i", "curve reply $i: " . var_export($reply, true));
    }
    check($zap_seen === ['allowed'], 'one ZAP request for the connection');

    $stranger = $make_client($server_keys['public_key'], $stranger_keys);
    check(serve($zap, $server, $stranger, $allowed, 'let me in', true, $zap_seen) === false, 'refused');
    check($zap_seen === ['allowed', 'refused'], 'the stranger was asked about and refused');

    $lost = $make_client($stranger_keys['public_key'], $client_keys);
    check(serve($zap, $server, $lost, $allowed, 'hello?', true, $zap_seen) === false, 'wrong server key');
    check(count($zap_seen) === 2, 'a failed handshake never reaches ZAP');
    echo "curve: 20 round trips through a PHP ZAP handler; an unknown client key and a wrong server key get nothing\n";
}

check_library();
$ctx = new ZMQContext(1, false);
req_rep($ctx);
pub_sub($ctx);
curve($ctx);
echo "ok php-zmq\n";
exit(0);
