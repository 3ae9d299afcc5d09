/*  local_thr <bind-to> <message-size> <message-count>
 *
 *  The receiving half of a two-process throughput run, as libzmq's perf tool of
 *  the same name: a PULL socket binds <bind-to>, receives <message-count>
 *  messages of <message-size> bytes from remote_thr and prints the rate, timed
 *  from the first message to the last.  A wildcard endpoint works: the bound
 *  one is printed first ("endpoint: ...") for remote_thr to connect to.  */
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
    size_t endpoint_size = sizeof endpoint;
    if (zmq_getsockopt (pull, ZMQ_LAST_ENDPOINT, endpoint, &endpoint_size) != 0)
        fail ("ZMQ_LAST_ENDPOINT");
    printf ("endpoint: %s\n", endpoint);
    fflush (stdout);

    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, pull, 0) < 0)
        fail ("zmq_msg_recv");
    void *watch = zmq_stopwatch_start ();
    for (long i = 1; i != message_count; i++) {
        if (zmq_msg_recv (&msg, pull, 0) < 0)
            fail ("zmq_msg_recv");
        if (zmq_msg_size (&msg) != message_size)
            fail ("message of the wrong size");
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;
    zmq_msg_close (&msg);
    zmq_close (pull);
    zmq_ctx_term (ctx);

    double rate = (double) (message_count - 1) / (double) elapsed * 1000000;
    printf ("message size: %d [B]\n", (int) message_size);
    printf ("message count: %ld\n", message_count);
    printf ("mean throughput: %d [msg/s]\n", (int) rate);
    printf ("mean throughput: %.3f [Mb/s]\n", rate * (double) message_size * 8 / 1000000);
    return 0;
}
