/*  PAIR over tcp://127.0.0.1: EAGAIN without a peer, both directions with
 *  frames up to 1 MiB and multipart messages, a second PAIR connecting to a
 *  PAIR that already has a peer, a new peer after the first one closed, and
 *  a connecting PAIR that reconnects to a re-bound endpoint.
 *
 *  Nothing timing- or port-dependent is printed.  */
#include "testutil_msg.h"

static void test_no_peer (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    char c;
    CHECK_ERRNO (zmq_send (a, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    CHECK_ERRNO (zmq_recv (a, &c, 1, ZMQ_DONTWAIT), EAGAIN);
    CHECK_OK (zmq_bind (a, "tcp://127.0.0.1:*"));
    CHECK_ERRNO (zmq_send (a, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    CHECK_ERRNO (zmq_recv (a, &c, 1, ZMQ_DONTWAIT), EAGAIN);
    set_int (a, ZMQ_SNDTIMEO, 100);
    set_int (a, ZMQ_RCVTIMEO, 100);
    CHECK_ERRNO (zmq_send (a, "x", 1, 0), EAGAIN);
    CHECK_ERRNO (zmq_recv (a, &c, 1, 0), EAGAIN);
    printf ("bound PAIR without a peer: send and recv EAGAIN\n");
    CHECK_OK (zmq_close (a));
}

static void test_both_ways (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "tcp://127.0.0.1:*"));
    char ep[256];
    last_endpoint (a, ep, sizeof ep);
    CHECK_OK (zmq_connect (b, ep));
    bounce (a, b);
    bounce (b, a);

    /*  Frames of several sizes, sent both ways at once before reading.  */
    static const size_t sizes[] = {0, 1, 255, 256, 65536, 1 << 20};
    const size_t n = sizeof sizes / sizeof sizes[0];
    void *ends[2] = {a, b};
    for (int e = 0; e < 2; e++)
        for (size_t i = 0; i < n; i++) {
            zmq_msg_t m;
            CHECK_OK (zmq_msg_init_size (&m, sizes[i]));
            memset (zmq_msg_data (&m), (int) ('a' + i + e), sizes[i]);
            CHECK_EQ (zmq_msg_send (&m, ends[e], i + 1 < n ? ZMQ_SNDMORE : 0),
                      (int) sizes[i]);
            CHECK_OK (zmq_msg_close (&m));
        }
    for (int e = 0; e < 2; e++)
        for (size_t i = 0; i < n; i++) {
            zmq_msg_t m;
            CHECK_OK (zmq_msg_init (&m));
            CHECK_EQ (zmq_msg_recv (&m, ends[1 - e], 0), (int) sizes[i]);
            const unsigned char *p =
              (const unsigned char *) zmq_msg_data (&m);
            for (size_t k = 0; k < sizes[i]; k++)
                CHECK_EQ (p[k], 'a' + i + e);
            CHECK_EQ (zmq_msg_more (&m), i + 1 < n ? 1 : 0);
            CHECK_OK (zmq_msg_close (&m));
        }
    check_nothing (a, 50);
    check_nothing (b, 50);
    printf ("pair over tcp: both directions, 6-part message of 0..1 MiB "
            "frames each way\n");
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
}

static void test_busy (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "tcp://127.0.0.1:*"));
    char ep[256];
    last_endpoint (a, ep, sizeof ep);
    CHECK_OK (zmq_connect (b, ep));
    bounce (a, b);

    /*  A third PAIR connects while A has its peer: its send is accepted
     *  (it has a pipe of its own) but never reaches A, and it receives
     *  nothing of what A sends.  */
    void *c = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (c, ep));
    send_str (c, "from-c", ZMQ_DONTWAIT);
    tu_sleep_ms (100);
    for (int i = 0; i < 5; i++) {
        send_str (a, "to-b", 0);
        CHECK_STREQ (recv_str (b, 0), "to-b");
        send_str (b, "from-b", 0);
        CHECK_STREQ (recv_str (a, 0), "from-b");
    }
    check_nothing (a, 100);
    check_nothing (c, 100);
    printf ("second PAIR connecting to a busy PAIR: gets nothing, its "
            "message is not delivered\n");
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
}

static void test_new_peer (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "tcp://127.0.0.1:*"));
    char ep[256];
    last_endpoint (a, ep, sizeof ep);
    CHECK_OK (zmq_connect (b, ep));
    bounce (a, b);
    CHECK_OK (zmq_close (b));

    /*  Once A has noticed, it has no peer: EAGAIN.  */
    int eagain = 0;
    for (int i = 0; i < 5000 && !eagain; i++) {
        if (zmq_send (a, "lost", 4, ZMQ_DONTWAIT) == -1) {
            CHECK_EQ (zmq_errno (), EAGAIN);
            eagain = 1;
        } else
            tu_sleep_ms (1);
    }
    CHECK (eagain);
    char c;
    CHECK_ERRNO (zmq_recv (a, &c, 1, ZMQ_DONTWAIT), EAGAIN);
    printf ("peer closed: sends end in EAGAIN\n");

    /*  A new PAIR connecting now becomes the peer, and gets none of the
     *  messages sent to the old one.  */
    void *d = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (d, ep));
    send_str (d, "hello", 0);
    CHECK_STREQ (recv_str (a, 0), "hello");
    bounce (a, d);
    check_nothing (d, 50);
    printf ("a new PAIR connecting after the peer closed becomes the "
            "peer\n");
    CHECK_OK (zmq_close (d));
    CHECK_OK (zmq_close (a));
}

static void test_rebind (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "tcp://127.0.0.1:*"));
    char ep[256];
    last_endpoint (a, ep, sizeof ep);
    CHECK_OK (zmq_connect (b, ep));
    bounce (a, b);
    CHECK_OK (zmq_close (a));

    /*  The same endpoint bound by a new PAIR (bounded retry while the old
     *  listener is being closed): the connecting PAIR reconnects.  */
    a = new_socket (ctx, ZMQ_PAIR);
    int rc = -1;
    for (int i = 0; i < 200 && rc != 0; i++) {
        rc = zmq_bind (a, ep);
        if (rc != 0) {
            CHECK_EQ (zmq_errno (), EADDRINUSE);
            tu_sleep_ms (10);
        }
    }
    CHECK_OK (rc);
    deliver_eventually (b, a, "again");
    /*  Messages flow both ways again (after the queued copies).  */
    send_str (a, "back", 0);
    CHECK_STREQ (recv_str (b, 0), "back");
    printf ("PAIR re-bound: the connecting PAIR reconnects\n");
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    test_no_peer (ctx);
    test_both_ways (ctx);
    test_busy (ctx);
    test_new_peer (ctx);
    test_rebind (ctx);

    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_tcp_pair");
    return 0;
}
