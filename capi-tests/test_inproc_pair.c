/*  PAIR sockets over inproc: bind/connect in both orders, ping-pong,
 *  multipart with ZMQ_RCVMORE, PAIR exclusivity, endpoint errors,
 *  ZMQ_LAST_ENDPOINT.  */
#include "testutil.h"

/*  Receive one frame (bounded by the socket's RCVTIMEO) and check it.  */
static void recv_str (void *s, const char *expect, int expect_more)
{
    char buf[64];
    int n = zmq_recv (s, buf, sizeof buf - 1, 0);
    if (n < 0) {
        fprintf (stderr, "recv of \"%s\" failed: %s\n", expect,
                 zmq_strerror (zmq_errno ()));
        exit (1);
    }
    CHECK (n < (int) sizeof buf);
    buf[n] = '\0';
    CHECK_STREQ (buf, expect);
    int more = -1;
    size_t len = sizeof more;
    CHECK_OK (zmq_getsockopt (s, ZMQ_RCVMORE, &more, &len));
    CHECK_EQ (len, sizeof more);
    CHECK_EQ (more, expect_more);
}

static void send_str (void *s, const char *str, int flags)
{
    int n = zmq_send (s, str, strlen (str), flags);
    CHECK_EQ (n, (int) strlen (str));
}



static void ping_pong (void *a, void *b, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        char msg[32];
        snprintf (msg, sizeof msg, "ping %d", i);
        send_str (a, msg, 0);
        recv_str (b, msg, 0);
        snprintf (msg, sizeof msg, "pong %d", i);
        send_str (b, msg, 0);
        recv_str (a, msg, 0);
    }
}

static void test_bind_then_connect (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://pair-bind-first"));
    CHECK_OK (zmq_connect (b, "inproc://pair-bind-first"));
    ping_pong (a, b, 10);
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
    printf ("bind then connect: 10 round trips\n");
}

static void test_connect_then_bind (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (b, "inproc://pair-connect-first"));
    /*  Messages sent before the bind are queued and delivered after it.  */
    send_str (b, "early", 0);
    CHECK_OK (zmq_bind (a, "inproc://pair-connect-first"));
    recv_str (a, "early", 0);
    ping_pong (a, b, 10);
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
    printf ("connect then bind: early message delivered, 10 round trips\n");
}

static void test_multipart (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://pair-multipart"));
    CHECK_OK (zmq_connect (b, "inproc://pair-multipart"));

    /*  RCVMORE is 0 before anything was received.  */
    int more = -1;
    size_t len = sizeof more;
    CHECK_OK (zmq_getsockopt (b, ZMQ_RCVMORE, &more, &len));
    CHECK_EQ (more, 0);

    send_str (a, "part1", ZMQ_SNDMORE);
    send_str (a, "part2", ZMQ_SNDMORE);
    CHECK_EQ (zmq_send (a, NULL, 0, ZMQ_SNDMORE), 0);
    send_str (a, "part4", 0);
    send_str (a, "single", 0);

    recv_str (b, "part1", 1);
    recv_str (b, "part2", 1);
    recv_str (b, "", 1);
    recv_str (b, "part4", 0);
    recv_str (b, "single", 0);

    /*  The same through zmq_msg_recv / zmq_msg_more / zmq_msg_get.  */
    send_str (b, "x", ZMQ_SNDMORE);
    send_str (b, "y", 0);
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_EQ (zmq_msg_recv (&m, a, 0), 1);
    CHECK_EQ (zmq_msg_more (&m), 1);
    CHECK_EQ (zmq_msg_get (&m, ZMQ_MORE), 1);
    CHECK_EQ (zmq_msg_recv (&m, a, 0), 1);
    CHECK_EQ (zmq_msg_more (&m), 0);
    CHECK_EQ (zmq_msg_get (&m, ZMQ_MORE), 0);
    CHECK_OK (zmq_msg_close (&m));

    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
    printf ("multipart: 4 parts with RCVMORE 1,1,1,0 then single 0\n");
}

static void test_exclusive (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    void *c = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://pair-exclusive"));
    CHECK_OK (zmq_connect (b, "inproc://pair-exclusive"));
    ping_pong (a, b, 1);
    /*  The second connect itself succeeds.  */
    CHECK_OK (zmq_connect (c, "inproc://pair-exclusive"));

    for (int i = 0; i < 5; i++) {
        char msg[16];
        snprintf (msg, sizeof msg, "to-b %d", i);
        send_str (a, msg, 0);
    }
    for (int i = 0; i < 5; i++) {
        char msg[16];
        snprintf (msg, sizeof msg, "to-b %d", i);
        recv_str (b, msg, 0);
    }
    /*  The intruder gets nothing, neither immediately nor after a while.  */
    char buf[16];
    CHECK_ERRNO (zmq_recv (c, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    zmq_pollitem_t item = {c, 0, ZMQ_POLLIN, 0};
    CHECK_EQ (zmq_poll (&item, 1, 100), 0);
    CHECK_EQ (item.revents, 0);
    CHECK_ERRNO (zmq_recv (c, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);

    /*  The original pair still works.  */
    ping_pong (a, b, 3);

    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
    printf ("exclusive: second PAIR received nothing\n");
}

static void test_endpoint_errors (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);

    CHECK_OK (zmq_bind (a, "inproc://pair-errors"));
    CHECK_ERRNO (zmq_bind (a, "inproc://pair-errors"), EADDRINUSE);
    CHECK_ERRNO (zmq_bind (b, "inproc://pair-errors"), EADDRINUSE);
    printf ("bind twice: EADDRINUSE (same and other socket)\n");

    CHECK_ERRNO (zmq_unbind (a, "inproc://never-bound"), ENOENT);
    CHECK_ERRNO (zmq_unbind (b, "inproc://pair-errors"), ENOENT);
    CHECK_ERRNO (zmq_disconnect (b, "inproc://never-connected"), ENOENT);
    printf ("unbind/disconnect unknown endpoint: ENOENT\n");

    static const char *const malformed[] = {"inproc", "inproc://", "", "://x",
                                            "inproc:/x"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        CHECK_ERRNO (zmq_bind (b, malformed[i]), EINVAL);
        CHECK_ERRNO (zmq_connect (b, malformed[i]), EINVAL);
    }
    printf ("malformed endpoints: EINVAL\n");

    CHECK_ERRNO (zmq_bind (b, "foo://bar"), EPROTONOSUPPORT);
    CHECK_ERRNO (zmq_connect (b, "foo://bar"), EPROTONOSUPPORT);
    printf ("unknown transport: EPROTONOSUPPORT\n");

    /*  Unbind frees the name for reuse.  */
    CHECK_OK (zmq_unbind (a, "inproc://pair-errors"));
    CHECK_ERRNO (zmq_unbind (a, "inproc://pair-errors"), ENOENT);
    CHECK_OK (zmq_bind (b, "inproc://pair-errors"));
    printf ("unbind: name reusable\n");

    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));

    /*  Closing a bound socket also frees the name.  libzmq releases it
     *  asynchronously (in its reaper thread), so retry for a bounded time.  */
    void *c = new_socket (ctx, ZMQ_PAIR);
    long long deadline = tu_now_us () + 5000000;
    while (zmq_bind (c, "inproc://pair-errors") != 0) {
        CHECK_EQ (zmq_errno (), EADDRINUSE);
        CHECK (tu_now_us () < deadline);
        tu_sleep_ms (1);
    }
    CHECK_OK (zmq_close (c));
    printf ("close: name reusable\n");

    CHECK_ERRNO (zmq_socket (ctx, 99), EINVAL);
    CHECK_ERRNO (zmq_socket (ctx, -1), EINVAL);
    printf ("zmq_socket(99): EINVAL\n");
}

static void print_last_endpoint (void *s, const char *label)
{
    char buf[256];
    size_t len = sizeof buf;
    memset (buf, 'X', sizeof buf);
    CHECK_OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, buf, &len));
    CHECK (len >= 1 && len <= sizeof buf);
    CHECK_EQ (buf[len - 1], '\0');
    CHECK_EQ (strlen (buf), len - 1);
    printf ("%s: LAST_ENDPOINT \"%s\" (len %zu)\n", label, buf, len);
}

static void test_last_endpoint (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    print_last_endpoint (a, "fresh");
    CHECK_OK (zmq_bind (a, "inproc://pair-last-endpoint"));
    print_last_endpoint (a, "after bind");
    CHECK_OK (zmq_connect (b, "inproc://pair-last-endpoint"));
    print_last_endpoint (b, "after connect");

    /*  A failed bind does not change it.  */
    CHECK_ERRNO (zmq_bind (a, "inproc://"), EINVAL);
    print_last_endpoint (a, "after failed bind");

    /*  Too small a buffer: EINVAL.  */
    char small[4];
    size_t len = sizeof small;
    CHECK_ERRNO (zmq_getsockopt (a, ZMQ_LAST_ENDPOINT, small, &len), EINVAL);

    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    test_bind_then_connect (ctx);
    test_connect_then_bind (ctx);
    test_multipart (ctx);
    test_exclusive (ctx);
    test_endpoint_errors (ctx);
    test_last_endpoint (ctx);

    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_inproc_pair");
    return 0;
}
