/*  remote_lat <connect-to> <message-size> <roundtrip-count>
 *
 *  The timing half of a two-process latency run, as libzmq's perf tool of the
 *  same name: a REQ socket connects to local_lat, makes <roundtrip-count>
 *  round trips of <message-size> bytes (inproc_lat's loop, in perf.h) and
 *  prints the mean one-way latency (half the mean round trip).  */
#include "perf.h"

int main (int argc, char *argv[])
{
    if (argc != 4) {
        fprintf (stderr, "usage: remote_lat <connect-to> <message-size> <roundtrip-count>\n");
        return 1;
    }
    size_t message_size = (size_t) atol (argv[2]);
    long roundtrip_count = atol (argv[3]);
    if (roundtrip_count < 1)
        return 1;

    void *ctx = zmq_ctx_new ();
    void *req = zmq_socket (ctx, ZMQ_REQ);
    if (!req || zmq_connect (req, argv[1]) != 0)
        fail ("connect");
    unsigned long elapsed = time_round_trips (req, roundtrip_count, message_size);
    zmq_close (req);
    zmq_ctx_term (ctx);
    print_latency (roundtrip_count, message_size, elapsed);
    return 0;
}
