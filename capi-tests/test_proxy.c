/*  zmq_proxy_steerable as a streamer (PULL -> PUSH) with a capture socket and
 *  a PAIR control: messages and their copies, PAUSE holding messages back,
 *  RESUME, STATISTICS (eight 64-bit values), TERMINATE returning 0; then
 *  zmq_proxy returning -1 with ETERM when the context shuts down; and the
 *  argument checks (EFAULT, ENOTSOCK).  A PAIR control gets no answer to
 *  PAUSE, RESUME and TERMINATE in any libzmq 4.3 (a REP control gets an empty
 *  one from ours and from later libzmq; see tests/proxy.rs), so the test
 *  gives the proxy a moment to act on them.  */
#include "testutil_msg.h"

#include <stdint.h>
#include <time.h>

struct proxy_args
{
    void *frontend, *backend, *capture, *control;
    int rc, error;
};

static void run_proxy (void *arg)
{
    struct proxy_args *args = (struct proxy_args *) arg;
    args->rc = zmq_proxy_steerable (args->frontend, args->backend, args->capture, args->control);
    args->error = args->rc == -1 ? zmq_errno () : 0;
}

static void command (void *steer, const char *text)
{
    send_str (steer, text, 0);
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep (&pause, NULL);
}

static void test_steerable_streamer (void *ctx)
{
    struct proxy_args args = {new_socket (ctx, ZMQ_PULL), new_socket (ctx, ZMQ_PUSH),
                              new_socket (ctx, ZMQ_PUSH), new_socket (ctx, ZMQ_PAIR), 0, 0};
    CHECK_OK (zmq_bind (args.frontend, "inproc://in"));
    CHECK_OK (zmq_bind (args.backend, "inproc://out"));
    CHECK_OK (zmq_bind (args.capture, "inproc://capture"));
    CHECK_OK (zmq_bind (args.control, "inproc://control"));
    void *producer = new_socket (ctx, ZMQ_PUSH);
    void *consumer = new_socket (ctx, ZMQ_PULL);
    void *captured = new_socket (ctx, ZMQ_PULL);
    void *steer = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (producer, "inproc://in"));
    CHECK_OK (zmq_connect (consumer, "inproc://out"));
    CHECK_OK (zmq_connect (captured, "inproc://capture"));
    CHECK_OK (zmq_connect (steer, "inproc://control"));
    void *thread = zmq_threadstart (run_proxy, &args);

    send_str (producer, "one", 0);
    CHECK_STREQ (recv_str (consumer, 0), "one");
    CHECK_STREQ (recv_str (captured, 0), "one");
    printf ("a message went through, and its copy to the capture\n");

    command (steer, "PAUSE");
    send_str (producer, "held", 0);
    check_nothing (consumer, 200);
    command (steer, "RESUME");
    CHECK_STREQ (recv_str (consumer, 0), "held");
    printf ("paused: nothing through; resumed: the held message came\n");

    send_str (steer, "STATISTICS", 0);
    printf ("statistics:");
    for (int i = 0; i < 8; i++) {
        uint64_t value;
        CHECK_EQ (zmq_recv (steer, &value, sizeof value, 0), (int) sizeof value);
        CHECK_EQ (rcvmore (steer), i < 7);
        printf (" %llu", (unsigned long long) value);
    }
    printf ("\n");

    /*  After the statistics: libzmq 4.3.4 counts messages, 4.3.5 (and ours)
     *  counts parts.  */
    send_str (producer, "two", ZMQ_SNDMORE);
    send_str (producer, "parts", 0);
    CHECK_STREQ (recv_str (consumer, 0), "two");
    CHECK_EQ (rcvmore (consumer), 1);
    CHECK_STREQ (recv_str (consumer, 0), "parts");
    CHECK_EQ (rcvmore (consumer), 0);
    printf ("a two-part message went through whole\n");

    command (steer, "TERMINATE");
    zmq_threadclose (thread);
    printf ("TERMINATE: zmq_proxy_steerable returned %d\n", args.rc);
    void *sockets[] = {args.frontend, args.backend, args.capture, args.control,
                       producer, consumer, captured, steer};
    for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++)
        CHECK_OK (zmq_close (sockets[i]));
}

static void test_shutdown_ends_a_proxy (void)
{
    void *ctx = zmq_ctx_new ();
    struct proxy_args args = {new_socket (ctx, ZMQ_ROUTER), new_socket (ctx, ZMQ_DEALER),
                              NULL, NULL, 0, 0};
    CHECK_OK (zmq_bind (args.frontend, "inproc://frontend"));
    CHECK_OK (zmq_bind (args.backend, "inproc://backend"));
    void *thread = zmq_threadstart (run_proxy, &args);
    zmq_sleep (0);
    CHECK_OK (zmq_ctx_shutdown (ctx));
    zmq_threadclose (thread);
    printf ("after zmq_ctx_shutdown: zmq_proxy returned %d (%s)\n", args.rc,
            args.error == ETERM ? "ETERM" : "other");
    CHECK_OK (zmq_close (args.frontend));
    CHECK_OK (zmq_close (args.backend));
    CHECK_OK (zmq_ctx_term (ctx));
}

static void test_arguments (void *ctx)
{
    void *s = new_socket (ctx, ZMQ_PAIR);
    CHECK_ERRNO (zmq_proxy (NULL, s, NULL), EFAULT);
    CHECK_ERRNO (zmq_proxy (s, NULL, NULL), EFAULT);
    int not_a_socket[16] = {0};
    CHECK_ERRNO (zmq_proxy (s, not_a_socket, NULL), ENOTSOCK);
    printf ("NULL ends: EFAULT; a non-socket: ENOTSOCK\n");
    CHECK_OK (zmq_close (s));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    test_arguments (ctx);
    test_steerable_streamer (ctx);
    CHECK_OK (zmq_ctx_term (ctx));
    test_shutdown_ends_a_proxy ();
    test_done ("test_proxy");
    return 0;
}
