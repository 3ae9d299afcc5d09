/*  local_lat <bind-to> <message-size> <roundtrip-count>
 *
 *  The echoing half of a two-process latency run, as libzmq's perf tool of the
 *  same name: a REP socket binds <bind-to> and sends back each of the
 *  <roundtrip-count> requests of <message-size> bytes that remote_lat sends
 *  (inproc_lat's echo, in perf.h).  A wildcard endpoint works: the bound one is
 *  printed first ("endpoint: ...").  */
#include "perf.h"

int main (int argc, char *argv[])
{
    if (argc != 4) {
        fprintf (stderr, "usage: local_lat <bind-to> <message-size> <roundtrip-count>\n");
        return 1;
    }
    size_t message_size = (size_t) atol (argv[2]);
    long roundtrip_count = atol (argv[3]);

    void *ctx = zmq_ctx_new ();
    void *rep = zmq_socket (ctx, ZMQ_REP);
    if (!rep || zmq_bind (rep, argv[1]) != 0)
        fail ("bind");
    char endpoint[256];
    bound_endpoint (rep, endpoint, sizeof endpoint);
    announce_endpoint (endpoint);
    echo_messages (rep, roundtrip_count, message_size);
    zmq_close (rep);
    zmq_ctx_term (ctx);
    return 0;
}
