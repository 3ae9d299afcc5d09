/*  remote_thr <connect-to> <message-size> <message-count>
 *
 *  The sending half of a two-process throughput run, as libzmq's perf tool of
 *  the same name: a PUSH socket connects to local_thr and sends
 *  <message-count> messages of <message-size> bytes as fast as it can.  The
 *  context's termination waits (ZMQ_LINGER is infinite) until all are out.  */
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
        fprintf (stderr, "usage: remote_thr <connect-to> <message-size> <message-count>\n");
        return 1;
    }
    size_t message_size = (size_t) atol (argv[2]);
    long message_count = atol (argv[3]);

    void *ctx = zmq_ctx_new ();
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    if (!push || zmq_connect (push, argv[1]) != 0)
        fail ("connect");
    for (long i = 0; i != message_count; i++) {
        zmq_msg_t msg;
        if (zmq_msg_init_size (&msg, message_size) != 0)
            fail ("zmq_msg_init_size");
        memset (zmq_msg_data (&msg), 'm', message_size);
        if (zmq_msg_send (&msg, push, 0) < 0)
            fail ("zmq_msg_send");
    }
    zmq_close (push);
    zmq_ctx_term (ctx);
    return 0;
}
