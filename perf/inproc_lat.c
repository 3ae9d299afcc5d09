/*  inproc_lat <message-size> <roundtrip-count> [endpoint]
 *
 *  Latency: a PAIR thread echoes every message back; the main thread, bound at
 *  <endpoint> (default inproc; tcp and ipc endpoints with wildcards work too),
 *  times <roundtrip-count> round trips of <message-size> bytes and prints the mean
 *  one-way latency, in the style of libzmq's perf tools (which use REQ/REP; PAIR
 *  measures the same pipe-and-wake-up path).  */
#include "perf.h"

static size_t message_size;
/* Where the connecting thread goes: the bound endpoint as ZMQ_LAST_ENDPOINT gives it. */
static char endpoint[256];
static long roundtrip_count;

static void echo (void *ctx)
{
    void *pair = zmq_socket (ctx, ZMQ_PAIR);
    if (!pair || zmq_connect (pair, endpoint) != 0)
        fail ("echo connect");
    echo_messages (pair, roundtrip_count, message_size);
    zmq_close (pair);
}

int main (int argc, char *argv[])
{
    if (argc != 3 && argc != 4) {
        fprintf (stderr, "usage: inproc_lat <message-size> <roundtrip-count> [endpoint]\n");
        return 1;
    }
    message_size = (size_t) atol (argv[1]);
    roundtrip_count = atol (argv[2]);
    if (roundtrip_count <= 0)
        return 1;

    const char *bind_to = argc == 4 ? argv[3] : "inproc://lat_test";
    void *ctx = zmq_ctx_new ();
    void *pair = zmq_socket (ctx, ZMQ_PAIR);
    if (!pair || zmq_bind (pair, bind_to) != 0)
        fail ("bind");
    bound_endpoint (pair, endpoint, sizeof endpoint);
    void *thread = zmq_threadstart (echo, ctx);
    unsigned long elapsed = time_round_trips (pair, roundtrip_count, message_size);
    zmq_threadclose (thread);
    zmq_close (pair);
    zmq_ctx_term (ctx);
    print_latency (roundtrip_count, message_size, elapsed);
    return 0;
}
