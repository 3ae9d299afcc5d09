<?php
// Debian's php-zmq: req/rep and pub/sub over tcp; exits non-zero on a wrong answer.
$ctx = new ZMQContext();
function sock($ctx, $type) {
    $s = new ZMQSocket($ctx, $type);
    $s->setSockOpt(ZMQ::SOCKOPT_LINGER, 0);
    $s->setSockOpt(ZMQ::SOCKOPT_RCVTIMEO, 5000);
    return $s;
}
function check($cond, $what) { if (!$cond) { fwrite(STDERR, "php: $what\n"); exit(1); } }
$port = getenv("PORT_BASE") ?: 41731;
$rep = sock($ctx, ZMQ::SOCKET_REP);
$rep->bind("tcp://127.0.0.1:$port");
$req = sock($ctx, ZMQ::SOCKET_REQ);
$req->connect("tcp://127.0.0.1:$port");
for ($i = 0; $i < 100; $i++) {
    $req->send("ping $i");
    check($rep->recv() === "ping $i", "request $i");
    $rep->sendmulti(["pong", "$i"]);
    check($req->recvMulti() === ["pong", "$i"], "reply $i");
}
$pub = sock($ctx, ZMQ::SOCKET_PUB);
$pub->bind("tcp://127.0.0.1:" . ($port + 1));
$sub = sock($ctx, ZMQ::SOCKET_SUB);
$sub->setSockOpt(ZMQ::SOCKOPT_SUBSCRIBE, "news");
$sub->connect("tcp://127.0.0.1:" . ($port + 1));
$got = false;
for ($try = 0; $try < 50 && !$got; $try++) {
    $pub->send("weather nothing");
    $pub->send("news first");
    usleep(100000);
    $msg = $sub->recv(ZMQ::MODE_DONTWAIT);
    if ($msg !== false) { check($msg === "news first", "filtered"); $got = true; }
}
check($got, "subscription never arrived");
echo "php-zmq on libzmq " . ZMQ::LIBZMQ_VER . " (compiled), ok\n";
