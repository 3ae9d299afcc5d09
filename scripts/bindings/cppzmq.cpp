// cppzmq (Debian's cppzmq-dev, header-only) compiled against our zmq.h: req/rep with
// multipart (zmq_addon.hpp) and zmq::poll. Exits non-zero on a wrong answer.
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

static void check (bool ok, const char *what)
{
    if (!ok) {
        std::fprintf (stderr, "cppzmq: %s\n", what);
        std::exit (1);
    }
}

int main ()
{
    zmq::context_t ctx;
    zmq::socket_t rep (ctx, zmq::socket_type::rep);
    rep.set (zmq::sockopt::linger, 0);
    rep.bind ("tcp://127.0.0.1:*");
    const std::string endpoint = rep.get (zmq::sockopt::last_endpoint);
    zmq::socket_t req (ctx, zmq::socket_type::req);
    req.set (zmq::sockopt::linger, 0);
    req.connect (endpoint);
    for (int i = 0; i < 100; i++) {
        const std::string text = "ping " + std::to_string (i);
        req.send (zmq::buffer (text), zmq::send_flags::none);
        std::vector<zmq::pollitem_t> items = {{rep.handle (), 0, ZMQ_POLLIN, 0}};
        check (zmq::poll (items, std::chrono::milliseconds (5000)) == 1, "poll");
        zmq::message_t request;
        check (rep.recv (request).has_value () && request.to_string () == text, "request");
        std::vector<zmq::const_buffer> reply = {zmq::str_buffer ("pong"), zmq::buffer (text)};
        check (zmq::send_multipart (rep, reply).has_value (), "send_multipart");
        std::vector<zmq::message_t> parts;
        check (zmq::recv_multipart (req, std::back_inserter (parts)).value_or (0) == 2, "recv_multipart");
        check (parts[0].to_string () == "pong" && parts[1].to_string () == text, "reply");
    }
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    std::printf ("cppzmq %d.%d.%d on libzmq %d.%d.%d: ok\n", CPPZMQ_VERSION_MAJOR, CPPZMQ_VERSION_MINOR,
                 CPPZMQ_VERSION_PATCH, major, minor, patch);
    return 0;
}
