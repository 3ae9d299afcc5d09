/*  PUB/SUB and XPUB/XSUB over tcp://127.0.0.1 and ipc: subscriptions and
 *  cancellations reaching the publisher (waited for by bounded retries, never
 *  by assuming timing), prefix filtering, an XPUB seeing the subscriptions
 *  made before the connection, the welcome message, and
 *  XSUB forwarding both ways.  Nothing timing- or port-dependent is printed.  */
#include "testutil_msg.h"

static void sub (void *s, const char *topic)
{
    CHECK_OK (zmq_setsockopt (s, ZMQ_SUBSCRIBE, topic, strlen (topic)));
}

/*  Publishes `probe` until `to` receives it, then drops any further copies.  */
static void until_received (void *pub, void *to, const char *probe)
{
    deliver_eventually (pub, to, probe);
    set_int (to, ZMQ_RCVTIMEO, 50);
    char buf[64];
    while (zmq_recv (to, buf, sizeof buf, 0) >= 0) {
    }
    set_int (to, ZMQ_RCVTIMEO, 5000);
}

/*  Receives one frame and prints it, a leading 0/1 byte shown as "-"/"+".  */
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

static void test_pub_sub (void *ctx, const char *bind_to)
{
    char endpoint[256];
    void *pub = new_socket (ctx, ZMQ_PUB);
    void *s = new_socket (ctx, ZMQ_SUB);
    CHECK_OK (zmq_bind (pub, bind_to));
    last_endpoint (pub, endpoint, sizeof endpoint);
    CHECK_OK (zmq_connect (s, endpoint));
    sub (s, "t");
    until_received (pub, s, "t-probe");
    send_str (pub, "u", 0);
    send_str (pub, "t1", ZMQ_SNDMORE);
    send_str (pub, "any", 0);
    print_recv ("sub", s);
    printf ("more: %d\n", rcvmore (s));
    print_recv ("sub", s);
    /*  Cancel t: once "v" arrives, the cancellation (sent before) has too.  */
    CHECK_OK (zmq_setsockopt (s, ZMQ_UNSUBSCRIBE, "t", 1));
    sub (s, "v");
    until_received (pub, s, "v-probe");
    send_str (pub, "t2", 0);
    send_str (pub, "v2", 0);
    print_recv ("sub", s);
    check_nothing (s, 100);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_close (pub));
}

static void test_xpub_sees_subscribers (void *ctx)
{
    char endpoint[256];
    void *xpub = new_socket (ctx, ZMQ_XPUB);
    void *s = new_socket (ctx, ZMQ_SUB);
    CHECK_OK (zmq_setsockopt (xpub, ZMQ_XPUB_WELCOME_MSG, "hi", 2));
    CHECK_OK (zmq_bind (xpub, "tcp://127.0.0.1:*"));
    last_endpoint (xpub, endpoint, sizeof endpoint);
    sub (s, "h");
    sub (s, "news");
    CHECK_OK (zmq_connect (s, endpoint));
    print_recv ("xpub", xpub);
    print_recv ("xpub", xpub);
    print_recv ("welcome", s);
    send_str (xpub, "news!", 0);
    print_recv ("sub", s);
    /*  No cancellations are printed for a subscriber that disconnects: libzmq
     *  4.3.4 does not report them within seconds over tcp, this library does
     *  at once.  */
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_close (xpub));
}

static void test_xsub_forwarding (void *ctx)
{
    char endpoint[256];
    void *xpub = new_socket (ctx, ZMQ_XPUB);
    void *xsub = new_socket (ctx, ZMQ_XSUB);
    CHECK_OK (zmq_bind (xpub, "tcp://127.0.0.1:*"));
    last_endpoint (xpub, endpoint, sizeof endpoint);
    CHECK_OK (zmq_connect (xsub, endpoint));
    send_str (xsub, "\001topic", 0);
    print_recv ("xpub", xpub);
    send_str (xsub, "upstream", ZMQ_SNDMORE);
    send_str (xsub, "\001second part", 0);
    print_recv ("xpub", xpub);
    printf ("more: %d\n", rcvmore (xpub));
    print_recv ("xpub", xpub);
    send_str (xpub, "topic!", 0);
    send_str (xpub, "other", 0);
    print_recv ("xsub", xsub);
    CHECK_EQ (zmq_send (xsub, "\000topic", 6, 0), 6);
    print_recv ("xpub", xpub);
    check_nothing (xsub, 100);
    CHECK_OK (zmq_close (xsub));
    CHECK_OK (zmq_close (xpub));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    test_pub_sub (ctx, "tcp://127.0.0.1:*");
    test_pub_sub (ctx, "ipc://*");
    test_xpub_sees_subscribers (ctx);
    test_xsub_forwarding (ctx);
    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_pubsub_tcp");
    return 0;
}
