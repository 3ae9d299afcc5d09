/*  remote_lat <connect-to> <message-size> <roundtrip-count>
 *
 *  The timing half of a two-process latency run, as libzmq's perf tool of the
 *  same name: a REQ socket connects to local_lat, makes <roundtrip-count>
 *  round trips of <message-size> bytes and prints the mean one-way latency
 *  (half the mean round trip).  */
#include <zmq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail (const char *what)
{
    fprintf (stderr, "%s: %s\n", what, zmq_strerror (zmq_errno ()));
    exit (1);
}

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
    zmq_msg_t msg;
    if (zmq_msg_init_size (&msg, message_size) != 0)
        fail ("zmq_msg_init_size");
    memset (zmq_msg_data (&msg), 'l', message_size);

    void *watch = zmq_stopwatch_start ();
    for (long i = 0; i != roundtrip_count; i++) {
        if (zmq_msg_send (&msg, req, 0) < 0)
            fail ("zmq_msg_send");
        if (zmq_msg_recv (&msg, req, 0) < 0)
            fail ("zmq_msg_recv");
        if (zmq_msg_size (&msg) != message_size)
            fail ("reply of the wrong size");
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    zmq_msg_close (&msg);
    zmq_close (req);
    zmq_ctx_term (ctx);

    double latency = (double) elapsed / (double) (roundtrip_count * 2);
    printf ("message size: %d [B]\n", (int) message_size);
    printf ("roundtrip count: %ld\n", roundtrip_count);
    printf ("average latency: %.3f [us]\n", latency);
    return 0;
}
