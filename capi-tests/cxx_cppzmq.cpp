//  cppzmq (Debian's cppzmq-dev: zmq.hpp, zmq_addon.hpp) over our zmq.h: the C++
//  binding compiled against this header and run against both libraries. REQ/REP
//  over tcp with cppzmq's send/recv and socket options, multipart messages with
//  zmq_addon.hpp (send_multipart/recv_multipart and multipart_t), zmq::poll over two
//  sockets, PUB/SUB with a subscription, and zmq::error_t carrying libzmq's errno.
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "testutil.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

//  Built against our header (4.3.5), not the system's (4.3.4).
static_assert (ZMQ_VERSION == ZMQ_MAKE_VERSION (4, 3, 5), "compiled against our zmq.h");
static_assert (CPPZMQ_VERSION >= ZMQ_MAKE_VERSION (4, 7, 0), "cppzmq with sockopt");

namespace
{
std::string recv_string (zmq::socket_t &socket)
{
    zmq::message_t message;
    const auto received = socket.recv (message, zmq::recv_flags::none);
    CHECK (received.has_value ());
    return message.to_string ();
}

zmq::socket_t timed_socket (zmq::context_t &context, zmq::socket_type type)
{
    zmq::socket_t socket (context, type);
    socket.set (zmq::sockopt::linger, 0);
    socket.set (zmq::sockopt::rcvtimeo, 5000);
    socket.set (zmq::sockopt::sndtimeo, 5000);
    return socket;
}

void req_rep (zmq::context_t &context)
{
    auto rep = timed_socket (context, zmq::socket_type::rep);
    rep.bind ("tcp://127.0.0.1:*");
    const std::string endpoint = rep.get (zmq::sockopt::last_endpoint);
    CHECK (endpoint.rfind ("tcp://127.0.0.1:", 0) == 0);
    CHECK_EQ (rep.get (zmq::sockopt::type), ZMQ_REP);

    auto req = timed_socket (context, zmq::socket_type::req);
    req.connect (endpoint);
    for (int i = 0; i < 50; i++) {
        const std::string ping = "ping " + std::to_string (i);
        CHECK (req.send (zmq::buffer (ping), zmq::send_flags::none).has_value ());
        CHECK (recv_string (rep) == ping);
        const std::string pong = "pong " + std::to_string (i);
        CHECK (rep.send (zmq::buffer (pong), zmq::send_flags::none).has_value ());
        CHECK (recv_string (req) == pong);
    }
    //  A REQ cannot send twice in a row: EFSM through zmq::error_t.
    CHECK (req.send (zmq::str_buffer ("one"), zmq::send_flags::none).has_value ());
    try {
        (void) req.send (zmq::str_buffer ("two"), zmq::send_flags::none);
        CHECK (!"second send on a REQ succeeded");
    }
    catch (const zmq::error_t &e) {
        CHECK_EQ (e.num (), EFSM);
    }
    printf ("req/rep: 50 round trips, EFSM on a second send\n");
}

void multipart (zmq::context_t &context)
{
    auto router = timed_socket (context, zmq::socket_type::router);
    router.bind ("tcp://127.0.0.1:*");
    auto dealer = timed_socket (context, zmq::socket_type::dealer);
    dealer.set (zmq::sockopt::routing_id, "client-1");
    dealer.connect (router.get (zmq::sockopt::last_endpoint));

    //  send_multipart / recv_multipart over a vector of parts.
    std::array<zmq::const_buffer, 3> parts = {
      zmq::str_buffer ("header"), zmq::str_buffer (""), zmq::str_buffer ("body")};
    CHECK (zmq::send_multipart (dealer, parts).has_value ());
    std::vector<zmq::message_t> received;
    const auto count = zmq::recv_multipart (router, std::back_inserter (received));
    CHECK (count.has_value ());
    CHECK_EQ (*count, 4u);
    CHECK (received[0].to_string () == "client-1");
    CHECK (received[1].to_string () == "header");
    CHECK_EQ (received[2].size (), 0u);
    CHECK (received[3].to_string () == "body");

    //  multipart_t: the reply goes back to the routing id.
    zmq::multipart_t reply;
    reply.addstr ("client-1");
    reply.addstr ("reply");
    reply.addtyp<int> (42);
    CHECK (reply.send (router));
    CHECK (reply.empty ());
    zmq::multipart_t got (dealer);
    CHECK_EQ (got.size (), 2u);
    CHECK (got.popstr () == "reply");
    CHECK_EQ (got.poptyp<int> (), 42);
    printf ("multipart: 3 parts in (4 at the router), 2 back through multipart_t\n");
}

void polling (zmq::context_t &context)
{
    auto pull_a = timed_socket (context, zmq::socket_type::pull);
    auto pull_b = timed_socket (context, zmq::socket_type::pull);
    pull_a.bind ("tcp://127.0.0.1:*");
    pull_b.bind ("tcp://127.0.0.1:*");
    auto push = timed_socket (context, zmq::socket_type::push);
    push.connect (pull_b.get (zmq::sockopt::last_endpoint));

    std::vector<zmq::pollitem_t> items = {{pull_a.handle (), 0, ZMQ_POLLIN, 0},
                                          {pull_b.handle (), 0, ZMQ_POLLIN, 0}};
    //  Nothing to read yet: the poll times out.
    CHECK_EQ (zmq::poll (items, std::chrono::milliseconds (100)), 0);

    CHECK (push.send (zmq::str_buffer ("to b"), zmq::send_flags::none).has_value ());
    const int ready = zmq::poll (items, std::chrono::milliseconds (5000));
    CHECK_EQ (ready, 1);
    CHECK_EQ (items[0].revents, 0);
    CHECK_EQ (items[1].revents, ZMQ_POLLIN);
    CHECK (recv_string (pull_b) == "to b");
    CHECK (pull_b.get (zmq::sockopt::events) == 0);
    printf ("poll: timeout with nothing, then only the socket with a message\n");
}

void pub_sub (zmq::context_t &context)
{
    auto pub = timed_socket (context, zmq::socket_type::pub);
    pub.bind ("tcp://127.0.0.1:*");
    auto sub = timed_socket (context, zmq::socket_type::sub);
    sub.set (zmq::sockopt::subscribe, "news.");
    sub.connect (pub.get (zmq::sockopt::last_endpoint));

    //  Until the subscription reached the publisher (bounded: 5 s).
    bool joined = false;
    for (int i = 0; i < 500 && !joined; i++) {
        CHECK (pub.send (zmq::str_buffer ("news.sync"), zmq::send_flags::none).has_value ());
        zmq::message_t message;
        if (sub.recv (message, zmq::recv_flags::dontwait).has_value ())
            joined = true;
        else
            tu_sleep_ms (10);
    }
    CHECK (joined);
    //  Drain the sync messages still in flight.
    sub.set (zmq::sockopt::rcvtimeo, 200);
    zmq::message_t sync;
    while (sub.recv (sync, zmq::recv_flags::none).has_value ())
        CHECK (sync.to_string () == "news.sync");
    sub.set (zmq::sockopt::rcvtimeo, 5000);

    for (int i = 0; i < 20; i++) {
        const std::string other = "sport." + std::to_string (i);
        const std::string news = "news." + std::to_string (i);
        CHECK (pub.send (zmq::buffer (other), zmq::send_flags::none).has_value ());
        CHECK (pub.send (zmq::buffer (news), zmq::send_flags::none).has_value ());
    }
    for (int i = 0; i < 20; i++)
        CHECK (recv_string (sub) == "news." + std::to_string (i));
    zmq::message_t extra;
    sub.set (zmq::sockopt::rcvtimeo, 200);
    CHECK (!sub.recv (extra, zmq::recv_flags::none).has_value ());
    printf ("pub/sub: 20 of 40 messages, the subscribed prefix only, in order\n");
}

void errors (zmq::context_t &context)
{
    zmq::socket_t socket (context, zmq::socket_type::pair);
    try {
        socket.bind ("tcp://127.0.0.1:not-a-port");
        CHECK (!"bind to a bad port succeeded");
    }
    catch (const zmq::error_t &e) {
        CHECK_EQ (e.num (), EINVAL);
    }
    try {
        socket.connect ("nosuch://x");
        CHECK (!"connect with an unknown transport succeeded");
    }
    catch (const zmq::error_t &e) {
        CHECK_EQ (e.num (), EPROTONOSUPPORT);
    }
    printf ("errors: EINVAL and EPROTONOSUPPORT as zmq::error_t\n");
}
}

int main ()
{
    test_init ();
    {
        zmq::context_t context;
        req_rep (context);
        multipart (context);
        polling (context);
        pub_sub (context);
        errors (context);
    }
    test_done ("cxx_cppzmq");
    return 0;
}
