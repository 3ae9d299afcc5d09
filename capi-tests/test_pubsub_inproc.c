/*  PUB/SUB and XPUB/XSUB over inproc: prefix matching, unsubscribe, the
 *  empty subscription, multipart, PUB dropping at the high-water mark without
 *  blocking, wrong directions, XPUB seeing (un)subscriptions with
 *  ZMQ_XPUB_VERBOSE / ZMQ_XPUB_VERBOSER, ZMQ_XPUB_MANUAL, ZMQ_XPUB_WELCOME_MSG,
 *  ZMQ_XPUB_NODROP, ZMQ_INVERT_MATCHING on both sides, XSUB forwarding, and
 *  the option rules.  Only deterministic results are printed.  */
#include "testutil_msg.h"

static void sub (void *s, const char *topic)
{
    CHECK_OK (zmq_setsockopt (s, ZMQ_SUBSCRIBE, topic, strlen (topic)));
}

static void unsub (void *s, const char *topic)
{
    CHECK_OK (zmq_setsockopt (s, ZMQ_UNSUBSCRIBE, topic, strlen (topic)));
}

/*  Lets a PUB/XPUB take in the subscriptions waiting for it: libzmq's send
 *  looks at its commands only every few milliseconds, ZMQ_EVENTS always.  */
static void settle (void *s)
{
    int events;
    size_t len = sizeof events;
    CHECK_OK (zmq_getsockopt (s, ZMQ_EVENTS, &events, &len));
}

/*  Receives one frame and prints it, with a leading 0/1 byte shown as
 *  "-"/"+" (the XPUB's notifications).  */
static void print_recv (const char *who, void *s)
{
    char buf[64];
    int n = zmq_recv (s, buf, sizeof buf - 1, 0);
    if (n < 0) {
        printf ("%s: %s\n", who, errno_name (zmq_errno ()));
        return;
    }
    buf[n] = '\0';
    if (n > 0 && (buf[0] == 0 || buf[0] == 1))
        printf ("%s: %c%s\n", who, buf[0] ? '+' : '-', buf + 1);
    else
        printf ("%s: %s\n", who, buf);
}

/*  Prints every frame that is ready now.  */
static void print_all (const char *who, void *s)
{
    int events = 0;
    size_t len = sizeof events;
    CHECK_OK (zmq_getsockopt (s, ZMQ_EVENTS, &events, &len));
    while (events & ZMQ_POLLIN) {
        print_recv (who, s);
        CHECK_OK (zmq_getsockopt (s, ZMQ_EVENTS, &events, &len));
    }
    printf ("%s: (nothing more)\n", who);
}

static void test_prefixes (void *ctx)
{
    void *pub = new_socket (ctx, ZMQ_PUB);
    void *sub1 = new_socket (ctx, ZMQ_SUB);
    CHECK_OK (zmq_bind (pub, "inproc://prefixes"));
    CHECK_OK (zmq_connect (sub1, "inproc://prefixes"));
    sub (sub1, "ab");
    sub (sub1, "x");
    sub (sub1, "x");
    settle (pub);
    const char *topics[] = {"a", "abc", "b", "ab", "xyz", ""};
    for (size_t i = 0; i < sizeof topics / sizeof *topics; i++)
        send_str (pub, topics[i], 0);
    print_all ("prefixes", sub1);
    unsub (sub1, "ab");
    unsub (sub1, "x"); /*  still subscribed once  */
    settle (pub);
    send_str (pub, "abd", 0);
    send_str (pub, "x1", 0);
    print_all ("after unsubscribe", sub1);
    unsub (sub1, "x");
    sub (sub1, "");
    settle (pub);
    send_str (pub, "head", ZMQ_SNDMORE);
    send_str (pub, "tail", 0);
    print_recv ("everything", sub1);
    printf ("more: %d\n", rcvmore (sub1));
    print_recv ("everything", sub1);
    printf ("more: %d\n", rcvmore (sub1));

    char c;
    CHECK_ERRNO (zmq_recv (pub, &c, 1, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_ERRNO (zmq_send (sub1, "x", 1, ZMQ_DONTWAIT), ENOTSUP);
    int events = 0;
    size_t len = sizeof events;
    CHECK_OK (zmq_getsockopt (pub, ZMQ_EVENTS, &events, &len));
    printf ("pub events: %d\n", events);
    CHECK_OK (zmq_getsockopt (sub1, ZMQ_EVENTS, &events, &len));
    printf ("sub events: %d\n", events);
    CHECK_OK (zmq_close (pub));
    CHECK_OK (zmq_close (sub1));
}

static void test_hwm_drop (void *ctx)
{
    void *pub = new_socket (ctx, ZMQ_PUB);
    void *sub1 = new_socket (ctx, ZMQ_SUB);
    set_int (pub, ZMQ_SNDHWM, 5);
    set_int (sub1, ZMQ_RCVHWM, 5);
    set_int (pub, ZMQ_SNDTIMEO, -1);
    CHECK_OK (zmq_bind (pub, "inproc://hwm"));
    CHECK_OK (zmq_connect (sub1, "inproc://hwm"));
    sub (sub1, "");
    settle (pub);
    for (int i = 0; i < 100; i++)
        CHECK_EQ (zmq_send (pub, &i, sizeof i, 0), (int) sizeof i);
    set_int (sub1, ZMQ_RCVTIMEO, 100);
    int got = 0, value = -1;
    while (zmq_recv (sub1, &value, sizeof value, 0) == (int) sizeof value) {
        CHECK_EQ (value, got);
        got++;
    }
    printf ("pub at hwm: %d received, the rest dropped\n", got);
    CHECK_OK (zmq_close (pub));
    CHECK_OK (zmq_close (sub1));
}

static void test_xpub_notifications (void *ctx)
{
    void *xpub = new_socket (ctx, ZMQ_XPUB);
    void *a = new_socket (ctx, ZMQ_SUB);
    void *b = new_socket (ctx, ZMQ_SUB);
    CHECK_OK (zmq_bind (xpub, "inproc://xpub"));
    CHECK_OK (zmq_connect (a, "inproc://xpub"));
    CHECK_OK (zmq_connect (b, "inproc://xpub"));
    sub (a, "A");
    sub (b, "A");
    print_all ("plain", xpub);
    set_int (xpub, ZMQ_XPUB_VERBOSE, 1);
    sub (a, "B");
    sub (b, "B");
    unsub (a, "B");
    print_all ("verbose", xpub);
    set_int (xpub, ZMQ_XPUB_VERBOSER, 1);
    sub (a, "C");
    sub (b, "C");
    unsub (a, "C");
    unsub (b, "C");
    print_all ("verboser", xpub);
    set_int (xpub, ZMQ_XPUB_VERBOSER, 0);
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
    /*  The closed subscribers' topics are cancelled (one notification per
     *  topic nobody wants any more).  */
    set_int (xpub, ZMQ_RCVTIMEO, 200);
    print_recv ("closed", xpub);
    print_recv ("closed", xpub);
    print_recv ("closed", xpub);

    CHECK_ERRNO (zmq_setsockopt (xpub, ZMQ_SUBSCRIBE, "x", 1), EINVAL);
    int minus = -1;
    CHECK_ERRNO (zmq_setsockopt (xpub, ZMQ_XPUB_VERBOSE, &minus, sizeof minus),
                 EINVAL);
    CHECK_ERRNO (zmq_setsockopt (xpub, ZMQ_XPUB_NODROP, &minus, 2), EINVAL);
    CHECK_OK (zmq_setsockopt (xpub, ZMQ_XPUB_WELCOME_MSG, NULL, 0));
    CHECK_OK (zmq_close (xpub));
}

static void test_manual_and_welcome (void *ctx)
{
    void *xpub = new_socket (ctx, ZMQ_XPUB);
    void *s = new_socket (ctx, ZMQ_SUB);
    set_int (xpub, ZMQ_XPUB_MANUAL, 1);
    CHECK_OK (zmq_setsockopt (xpub, ZMQ_XPUB_WELCOME_MSG, "W!", 2));
    CHECK_OK (zmq_bind (xpub, "inproc://manual"));
    CHECK_OK (zmq_connect (s, "inproc://manual"));
    sub (s, "W");
    print_recv ("manual", xpub);
    print_recv ("welcome", s);
    sub (s, "A");
    print_recv ("manual", xpub);
    /*  The application decides what the last subscriber gets.  */
    sub (xpub, "B");
    send_str (xpub, "A1", 0);
    send_str (xpub, "B1", 0);
    sub (s, "B");
    print_recv ("manual", xpub);
    print_recv ("subscriber", s);
    print_all ("subscriber", s);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_close (xpub));
}

static void test_nodrop (void *ctx)
{
    void *xpub = new_socket (ctx, ZMQ_XPUB);
    void *s = new_socket (ctx, ZMQ_SUB);
    set_int (xpub, ZMQ_XPUB_NODROP, 1);
    set_int (xpub, ZMQ_SNDHWM, 2);
    set_int (s, ZMQ_RCVHWM, 2);
    CHECK_OK (zmq_bind (xpub, "inproc://nodrop"));
    CHECK_OK (zmq_connect (s, "inproc://nodrop"));
    sub (s, "");
    print_recv ("nodrop", xpub);
    printf ("nodrop: %d sent before EAGAIN\n", fill_dontwait (xpub, 100));
    int value;
    for (int i = 0; i < 4; i++)
        CHECK_EQ (zmq_recv (s, &value, sizeof value, 0), (int) sizeof value);
    send_str (xpub, "again", 0);
    print_recv ("nodrop", s);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_close (xpub));
}

static void test_invert_and_xsub (void *ctx)
{
    void *xpub = new_socket (ctx, ZMQ_XPUB);
    void *xsub = new_socket (ctx, ZMQ_XSUB);
    void *s = new_socket (ctx, ZMQ_SUB);
    CHECK_OK (zmq_bind (xpub, "inproc://invert"));
    CHECK_OK (zmq_connect (xsub, "inproc://invert"));
    CHECK_OK (zmq_connect (s, "inproc://invert"));
    set_int (s, ZMQ_INVERT_MATCHING, 1);
    sub (s, "news");
    send_str (xsub, "\001news", 0);
    send_str (xsub, "upstream", 0);
    print_all ("xpub", xpub);
    send_str (xpub, "news!", 0);
    send_str (xpub, "sport", 0);
    print_all ("xsub", xsub);
    print_all ("inverted sub", s);
    set_int (xpub, ZMQ_INVERT_MATCHING, 1);
    send_str (xpub, "news?", 0);
    send_str (xpub, "weather", 0);
    print_all ("xsub inverted", xsub);
    print_all ("sub inverted", s);
    CHECK_EQ (zmq_send (xsub, "\000news", 5, 0), 5);
    print_all ("xpub", xpub);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_close (xsub));
    CHECK_OK (zmq_close (xpub));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    test_prefixes (ctx);
    test_hwm_drop (ctx);
    test_xpub_notifications (ctx);
    test_manual_and_welcome (ctx);
    test_nodrop (ctx);
    test_invert_and_xsub (ctx);
    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_pubsub_inproc");
    return 0;
}
