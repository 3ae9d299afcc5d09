/*  RADIO, DISH and DGRAM through the functions every build exports, run against
 *  both libraries: udp endpoint rules (ENOCOMPATPROTO, EINVAL) and their
 *  ZMQ_LAST_ENDPOINT text, DGRAM echo over udp, and the RADIO/DISH socket rules
 *  (single part, no receiving RADIO, no sending DISH, ZMQ_XPUB_NODROP, a DISH
 *  lingers 0, ZMQ_THREAD_SAFE, nothing reaches a DISH that joined nothing).
 *  Joining needs zmq_join, which Debian's libzmq 4.3.4 does not export, and its
 *  ZMTP handshake aborts for RADIO/DISH: ours_radio_dish.c covers joins and tcp.
 *  Ports are picked free by the kernel and never printed, so both runs print
 *  the same.  */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include "testutil_msg.h"

#include "testutil_udp.h"

static void test_udp_endpoints (void *ctx)
{
    void *radio = new_socket (ctx, ZMQ_RADIO);
    void *dish = new_socket (ctx, ZMQ_DISH);
    void *dgram = new_socket (ctx, ZMQ_DGRAM);
    void *pair = new_socket (ctx, ZMQ_PAIR);
    printf ("radio bind udp: %s\n", result (zmq_bind (radio, "udp://*:5556")));
    printf ("dish connect udp: %s\n",
            result (zmq_connect (dish, "udp://127.0.0.1:5556")));
    printf ("dgram connect udp: %s\n",
            result (zmq_connect (dgram, "udp://127.0.0.1:5556")));
    printf ("pair bind udp: %s\n", result (zmq_bind (pair, "udp://*:5556")));
    printf ("pair connect udp: %s\n",
            result (zmq_connect (pair, "udp://127.0.0.1:5556")));
    printf ("radio connect, no port: %s\n",
            result (zmq_connect (radio, "udp://127.0.0.1")));
    printf ("radio connect to *: %s\n",
            result (zmq_connect (radio, "udp://*:5556")));
    printf ("radio connect, source without multicast: %s\n",
            result (zmq_connect (radio, "udp://lo;127.0.0.1:5556")));
    printf ("radio connect, bad port: %s\n",
            result (zmq_connect (radio, "udp://127.0.0.1:x")));
    printf ("dish bind, bad interface: %s\n",
            result (zmq_bind (dish, "udp://no-such-if;239.0.0.1:5556")));

    /*  ZMQ_LAST_ENDPOINT is the address as given, without "udp://".  */
    char uri[64], expected[64], endpoint[64];
    int port = free_udp_port ();
    snprintf (uri, sizeof uri, "udp://*:%d", port);
    CHECK_OK (zmq_bind (dish, uri));
    last_endpoint (dish, endpoint, sizeof endpoint);
    snprintf (expected, sizeof expected, "*:%d", port);
    CHECK_STREQ (endpoint, expected);
    snprintf (uri, sizeof uri, "udp://127.0.0.1:%d", port);
    CHECK_OK (zmq_connect (radio, uri));
    last_endpoint (radio, endpoint, sizeof endpoint);
    CHECK_STREQ (endpoint, uri + strlen ("udp://"));
    printf ("udp last endpoints: the address as given\n");

    CHECK_OK (zmq_close (pair));
    CHECK_OK (zmq_close (dgram));
    CHECK_OK (zmq_close (dish));
    CHECK_OK (zmq_close (radio));
}

static void send_to (void *dgram, const char *address, const char *body)
{
    send_str (dgram, address, ZMQ_SNDMORE);
    send_str (dgram, body, 0);
}

/*  libzmq's test_dgram: both sides bind, each message is the peer's address
 *  (received with its terminating NUL) and a body.  */
static void test_dgram_echo (void *ctx)
{
    char listener_uri[64], sender_uri[64];
    snprintf (listener_uri, sizeof listener_uri, "udp://127.0.0.1:%d",
              free_udp_port ());
    snprintf (sender_uri, sizeof sender_uri, "udp://127.0.0.1:%d",
              free_udp_port ());
    void *listener = new_socket (ctx, ZMQ_DGRAM);
    void *sender = new_socket (ctx, ZMQ_DGRAM);
    CHECK_OK (zmq_bind (listener, listener_uri));
    CHECK_OK (zmq_bind (sender, sender_uri));

    send_to (sender, listener_uri + strlen ("udp://"), "Is someone there ?");
    char address[64];
    int n = zmq_recv (listener, address, sizeof address, 0);
    CHECK_EQ (n, (int) strlen (sender_uri + strlen ("udp://")) + 1);
    CHECK_EQ (address[n - 1], '\0');
    CHECK_STREQ (address, sender_uri + strlen ("udp://"));
    CHECK_EQ (rcvmore (listener), 1);
    CHECK_STREQ (recv_str (listener, 0), "Is someone there ?");
    CHECK_EQ (rcvmore (listener), 0);

    /*  The address as received (NUL included) is where to reply.  */
    CHECK_EQ (zmq_send (listener, address, (size_t) n, ZMQ_SNDMORE), n);
    send_str (listener, "Yes, there is !", 0);
    CHECK_STREQ (recv_str (sender, 0), listener_uri + strlen ("udp://"));
    CHECK_STREQ (recv_str (sender, 0), "Yes, there is !");

    /*  Two parts, no more and no less.  */
    CHECK_ERRNO (zmq_send (sender, "body", 4, 0), EINVAL);
    send_str (sender, "127.0.0.1:9", ZMQ_SNDMORE);
    CHECK_ERRNO (zmq_send (sender, "body", 4, ZMQ_SNDMORE), EINVAL);
    send_str (sender, "body", 0);
    printf ("dgram echo, address parts, EINVAL on a third part\n");

    CHECK_OK (zmq_close (sender));
    CHECK_OK (zmq_close (listener));
}

static int get_int (void *s, int option)
{
    int value = -2;
    size_t len = sizeof value;
    int rc = zmq_getsockopt (s, option, &value, &len);
    return rc == 0 ? value : -100 - zmq_errno () % 100;
}

static void test_socket_rules (void *ctx)
{
    void *radio = zmq_socket (ctx, ZMQ_RADIO);
    void *dish = zmq_socket (ctx, ZMQ_DISH);
    void *dgram = zmq_socket (ctx, ZMQ_DGRAM);
    CHECK (radio && dish && dgram);
    printf ("linger: radio %d, dish %d, dgram %d\n", get_int (radio, ZMQ_LINGER),
            get_int (dish, ZMQ_LINGER), get_int (dgram, ZMQ_LINGER));
    printf ("thread safe: radio %d, dish %d, dgram %d\n",
            get_int (radio, ZMQ_THREAD_SAFE), get_int (dish, ZMQ_THREAD_SAFE),
            get_int (dgram, ZMQ_THREAD_SAFE));
    printf ("events: radio %d, dish %d, unbound dgram %d\n",
            get_int (radio, ZMQ_EVENTS), get_int (dish, ZMQ_EVENTS),
            get_int (dgram, ZMQ_EVENTS));
    int fd;
    size_t fd_len = sizeof fd;
    printf ("radio ZMQ_FD: %s\n",
            result (zmq_getsockopt (radio, ZMQ_FD, &fd, &fd_len)));
    int on = 1, negative = -1;
    printf ("radio XPUB_NODROP 1: %s\n",
            result (zmq_setsockopt (radio, ZMQ_XPUB_NODROP, &on, sizeof on)));
    printf ("radio XPUB_NODROP -1: %s\n",
            result (zmq_setsockopt (radio, ZMQ_XPUB_NODROP, &negative,
                                    sizeof negative)));
    printf ("radio XPUB_VERBOSE: %s\n",
            result (zmq_setsockopt (radio, ZMQ_XPUB_VERBOSE, &on, sizeof on)));
    printf ("dish SUBSCRIBE: %s\n",
            result (zmq_setsockopt (dish, ZMQ_SUBSCRIBE, "a", 1)));

    set_int (radio, ZMQ_LINGER, 0);
    set_int (dish, ZMQ_RCVTIMEO, 100);
    CHECK_OK (zmq_bind (radio, "inproc://radio-dish"));
    CHECK_OK (zmq_connect (dish, "inproc://radio-dish"));
    CHECK_ERRNO (zmq_send (radio, "x", 1, ZMQ_SNDMORE), EINVAL);
    CHECK_ERRNO (zmq_recv (radio, &fd, 1, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_ERRNO (zmq_send (dish, "x", 1, ZMQ_DONTWAIT), ENOTSUP);
    /*  A DISH that joined nothing receives nothing.  */
    CHECK_EQ (zmq_send (radio, "x", 1, 0), 1);
    CHECK_ERRNO (zmq_recv (dish, &fd, 1, 0), EAGAIN);
    printf ("radio: EINVAL on SNDMORE, ENOTSUP on recv; dish: ENOTSUP on "
            "send, nothing without a join\n");

    CHECK_OK (zmq_close (dgram));
    CHECK_OK (zmq_close (dish));
    CHECK_OK (zmq_close (radio));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    test_udp_endpoints (ctx);
    test_dgram_echo (ctx);
    test_socket_rules (ctx);
    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_radio_dish");
    return 0;
}
