/*  inproc_lat <message-size> <roundtrip-count> [endpoint]
 *
 *  Latency: a PAIR thread echoes every message back; the main thread, bound at
 *  <endpoint> (default inproc; tcp and ipc endpoints with wildcards work too),
 *  times <roundtrip-count> round trips of <message-size> bytes and prints the mean
 *  one-way latency, in the style of libzmq's perf tools (which use REQ/REP; PAIR
 *  measures the same pipe-and-wake-up path).  */
#include <zmq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t message_size;
/* Where the connecting thread goes: the bound endpoint as ZMQ_LAST_ENDPOINT gives it. */
static char endpoint[256];
static int roundtrip_count;

static void fail (const char *what)
{
    fprintf (stderr, "%s: %s\n", what, zmq_strerror (zmq_errno ()));
    exit (1);
}

static void echo (void *ctx)
{
    void *pair = zmq_socket (ctx, ZMQ_PAIR);
    if (!pair || zmq_connect (pair, endpoint) != 0)
        fail ("echo connect");
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    for (int i = 0; i != roundtrip_count; i++) {
        if (zmq_msg_recv (&msg, pair, 0) < 0)
            fail ("echo recv");
        if (zmq_msg_send (&msg, pair, 0) < 0)
            fail ("echo send");
    }
    zmq_msg_close (&msg);
    zmq_close (pair);
}

int main (int argc, char *argv[])
{
    if (argc != 3 && argc != 4) {
        fprintf (stderr, "usage: inproc_lat <message-size> <roundtrip-count> [endpoint]\n");
        return 1;
    }
    message_size = (size_t) atol (argv[1]);
    roundtrip_count = atoi (argv[2]);
    if (roundtrip_count <= 0)
        return 1;

    const char *bind_to = argc == 4 ? argv[3] : "inproc://lat_test";
    void *ctx = zmq_ctx_new ();
    void *pair = zmq_socket (ctx, ZMQ_PAIR);
    if (!pair || zmq_bind (pair, bind_to) != 0)
        fail ("bind");
    size_t endpoint_size = sizeof endpoint;
    if (zmq_getsockopt (pair, ZMQ_LAST_ENDPOINT, endpoint, &endpoint_size) != 0)
        fail ("ZMQ_LAST_ENDPOINT");
    void *thread = zmq_threadstart (echo, ctx);

    zmq_msg_t msg;
    if (zmq_msg_init_size (&msg, message_size) != 0)
        fail ("zmq_msg_init_size");
    memset (zmq_msg_data (&msg), 'x', message_size);
    void *watch = zmq_stopwatch_start ();
    for (int i = 0; i != roundtrip_count; i++) {
        if (zmq_msg_send (&msg, pair, 0) < 0)
            fail ("send");
        if (zmq_msg_recv (&msg, pair, 0) < 0)
            fail ("recv");
        if (zmq_msg_size (&msg) != message_size)
            fail ("message of the wrong size");
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    zmq_msg_close (&msg);
    zmq_threadclose (thread);
    zmq_close (pair);
    zmq_ctx_term (ctx);

    double latency = (double) elapsed / (roundtrip_count * 2);
    printf ("message size: %d [B]\n", (int) message_size);
    printf ("roundtrip count: %d\n", roundtrip_count);
    printf ("average latency: %.3f [us]\n", latency);
    return 0;
}
