/*  local_thr <bind-to> <message-size> <message-count>
 *
 *  The receiving half of a two-process throughput run, as libzmq's perf tool of
 *  the same name: a PULL socket binds <bind-to>, receives <message-count>
 *  messages of <message-size> bytes from remote_thr and prints the rate, timed
 *  from the first message to the last (inproc_thr's loop, in perf.h).  A
 *  wildcard endpoint works: the bound one is printed first ("endpoint: ...")
 *  for remote_thr to connect to.  */
#include "perf.h"

int main (int argc, char *argv[])
{
    if (argc != 4) {
        fprintf (stderr, "usage: local_thr <bind-to> <message-size> <message-count>\n");
        return 1;
    }
    size_t message_size = (size_t) atol (argv[2]);
    long message_count = atol (argv[3]);
    if (message_count < 1)
        return 1;

    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    if (!pull || zmq_bind (pull, argv[1]) != 0)
        fail ("bind");
    char endpoint[256];
    bound_endpoint (pull, endpoint, sizeof endpoint);
    announce_endpoint (endpoint);
    unsigned long elapsed = receive_messages (pull, message_count, message_size);
    zmq_close (pull);
    zmq_ctx_term (ctx);
    print_throughput (message_count, message_size, elapsed);
    return 0;
}
