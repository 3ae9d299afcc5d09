/*  local_lat <bind-to> <message-size> <roundtrip-count>
 *
 *  The echoing half of a two-process latency run, as libzmq's perf tool of the
 *  same name: a REP socket binds <bind-to> and sends back each of the
 *  <roundtrip-count> requests of <message-size> bytes that remote_lat sends.  A
 *  wildcard endpoint works: the bound one is printed first ("endpoint: ...").  */
#include <zmq.h>

#include <stdio.h>
#include <stdlib.h>

static void fail (const char *what)
{
    fprintf (stderr, "%s: %s\n", what, zmq_strerror (zmq_errno ()));
    exit (1);
}

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
    size_t endpoint_size = sizeof endpoint;
    if (zmq_getsockopt (rep, ZMQ_LAST_ENDPOINT, endpoint, &endpoint_size) != 0)
        fail ("ZMQ_LAST_ENDPOINT");
    printf ("endpoint: %s\n", endpoint);
    fflush (stdout);

    zmq_msg_t msg;
    zmq_msg_init (&msg);
    for (long i = 0; i != roundtrip_count; i++) {
        if (zmq_msg_recv (&msg, rep, 0) < 0)
            fail ("zmq_msg_recv");
        if (zmq_msg_size (&msg) != message_size)
            fail ("message of the wrong size");
        if (zmq_msg_send (&msg, rep, 0) < 0)
            fail ("zmq_msg_send");
    }
    zmq_msg_close (&msg);
    zmq_close (rep);
    zmq_ctx_term (ctx);
    return 0;
}
