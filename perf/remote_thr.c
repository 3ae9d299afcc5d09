/*  remote_thr <connect-to> <message-size> <message-count>
 *
 *  The sending half of a two-process throughput run, as libzmq's perf tool of
 *  the same name: a PUSH socket connects to local_thr and sends
 *  <message-count> messages of <message-size> bytes as fast as it can
 *  (inproc_thr's sender, in perf.h).  The context's termination waits
 *  (ZMQ_LINGER is infinite) until all are out.  */
#include "perf.h"

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
    send_messages (push, message_count, message_size);
    zmq_close (push);
    zmq_ctx_term (ctx);
    return 0;
}
