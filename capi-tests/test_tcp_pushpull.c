/*  PUSH/PULL over tcp://127.0.0.1: frame sizes around the ZMTP short/long
 *  frame boundary and up to 1 MiB, multipart messages, round robin over two
 *  PULLs, fair queueing from two PUSHes, messages queued on a connecting
 *  PUSH before the PULL binds (exactly SNDHWM per connect), ZMQ_IMMEDIATE,
 *  zmq_unbind dropping accepted connections, ZMQ_RECONNECT_IVL -1, SNDHWM →
 *  EAGAIN once the pipes and the kernel buffers are full, a PULL that goes
 *  away and a new one that connects, and a PULL that is re-bound after an
 *  unbind.
 *
 *  Nothing timing- or port-dependent is printed.  */
#include "testutil_msg.h"

static unsigned char pattern (size_t size, size_t i)
{
    return (unsigned char) ((i * 7 + size * 13 + (i >> 8)) & 0xff);
}

static void send_pattern (void *s, size_t size, int flags)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, size));
    unsigned char *p = (unsigned char *) zmq_msg_data (&m);
    for (size_t i = 0; i < size; i++)
        p[i] = pattern (size, i);
    CHECK_EQ (zmq_msg_send (&m, s, flags), (int) size);
    CHECK_OK (zmq_msg_close (&m));
}

/*  Receives a frame of `size` bytes with the pattern; returns ZMQ_RCVMORE
 *  and checks zmq_msg_more agrees.  */
static int recv_pattern (void *s, size_t size)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_EQ (zmq_msg_recv (&m, s, 0), (int) size);
    CHECK_EQ (zmq_msg_size (&m), size);
    const unsigned char *p = (const unsigned char *) zmq_msg_data (&m);
    for (size_t i = 0; i < size; i++)
        if (p[i] != pattern (size, i)) {
            fprintf (stderr, "frame of %zu bytes: byte %zu differs\n", size,
                     i);
            exit (1);
        }
    int more = zmq_msg_more (&m);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_EQ (rcvmore (s), more);
    return more;
}

static void make_pair (void *ctx, void **push, void **pull, char *ep,
                       size_t ep_size)
{
    *pull = new_socket (ctx, ZMQ_PULL);
    *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_bind (*pull, "tcp://127.0.0.1:*"));
    last_endpoint (*pull, ep, ep_size);
    CHECK_OK (zmq_connect (*push, ep));
}

static void test_sizes (void *ctx)
{
    void *push, *pull;
    char ep[256];
    make_pair (ctx, &push, &pull, ep, sizeof ep);

    static const size_t sizes[] = {0,     1,     254,   255,     256,
                                   257,   1000,  8191,  8192,    8193,
                                   65535, 65536, 65537, 1 << 20, 0};
    const size_t n = sizeof sizes / sizeof sizes[0];
    /*  All queued first, then received: order and boundaries kept.  */
    for (size_t i = 0; i < n; i++)
        send_pattern (push, sizes[i], 0);
    for (size_t i = 0; i < n; i++)
        CHECK_EQ (recv_pattern (pull, sizes[i]), 0);
    check_nothing (pull, 50);
    printf ("single frames of 0..1 MiB: sizes and contents kept\n");

    /*  zmq_recv into a smaller buffer truncates and returns the full size.  */
    send_pattern (push, 300, 0);
    unsigned char buf[16];
    memset (buf, 0, sizeof buf);
    CHECK_EQ (zmq_recv (pull, buf, 10, 0), 300);
    for (size_t i = 0; i < 10; i++)
        CHECK_EQ (buf[i], pattern (300, i));
    CHECK_EQ (buf[10], 0);
    printf ("recv of a 300-byte frame into 10 bytes: returned 300\n");

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

static void test_multipart (void *ctx)
{
    void *push, *pull;
    char ep[256];
    make_pair (ctx, &push, &pull, ep, sizeof ep);

    /*  Mixed sizes, including empty and long frames.  */
    static const size_t parts[] = {0, 1, 255, 256, 70000, 0, 3};
    const size_t n = sizeof parts / sizeof parts[0];
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < n; i++)
            send_pattern (push, parts[i], i + 1 < n ? ZMQ_SNDMORE : 0);
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < n; i++)
            CHECK_EQ (recv_pattern (pull, parts[i]), i + 1 < n ? 1 : 0);
    printf ("multipart: 2 x 7 parts, RCVMORE set on all but the last\n");

    /*  Many parts.  */
    for (int i = 0; i < 1000; i++) {
        char part[16];
        snprintf (part, sizeof part, "p%d", i);
        send_str (push, part, i < 999 ? ZMQ_SNDMORE : 0);
    }
    for (int i = 0; i < 1000; i++) {
        char part[16];
        snprintf (part, sizeof part, "p%d", i);
        CHECK_STREQ (recv_str (pull, 0), part);
        CHECK_EQ (rcvmore (pull), i < 999 ? 1 : 0);
    }
    check_nothing (pull, 50);
    printf ("multipart: 1000 parts in order\n");

    /*  Wrong directions are ENOTSUP on tcp sockets too.  */
    char c;
    CHECK_ERRNO (zmq_recv (push, &c, 1, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_ERRNO (zmq_send (pull, "x", 1, ZMQ_DONTWAIT), ENOTSUP);
    printf ("recv on PUSH, send on PULL: ENOTSUP\n");

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

/*  Sends probes from `push` until every PULL in `pulls` has received one,
 *  then receives all probes still in flight: afterwards every connection is
 *  attached on the PUSH side and nothing is queued.  */
static void wait_attached (void *push, void **pulls, int npulls)
{
    int got[8] = {0};
    int sent = 0, received = 0;
    CHECK (npulls <= 8);
    for (int round = 0; round < 2000; round++) {
        send_str (push, "probe", 0);
        sent++;
        zmq_pollitem_t items[8];
        for (int i = 0; i < npulls; i++) {
            items[i].socket = pulls[i];
            items[i].fd = 0;
            items[i].events = ZMQ_POLLIN;
            items[i].revents = 0;
        }
        CHECK (zmq_poll (items, npulls, 5) >= 0);
        for (int i = 0; i < npulls; i++) {
            char buf[8];
            while (zmq_recv (pulls[i], buf, sizeof buf, ZMQ_DONTWAIT) == 5) {
                got[i]++;
                received++;
            }
            CHECK_EQ (zmq_errno (), EAGAIN);
        }
        int all = 1;
        for (int i = 0; i < npulls; i++)
            all = all && got[i] > 0;
        if (all)
            break;
    }
    for (int i = 0; i < npulls; i++)
        CHECK (got[i] > 0);
    /*  Collect what is still in flight (bounded: every PULL has RCVTIMEO).  */
    while (received < sent) {
        zmq_pollitem_t items[8];
        for (int i = 0; i < npulls; i++) {
            items[i].socket = pulls[i];
            items[i].fd = 0;
            items[i].events = ZMQ_POLLIN;
            items[i].revents = 0;
        }
        CHECK (zmq_poll (items, npulls, 5000) > 0);
        for (int i = 0; i < npulls; i++) {
            char buf[8];
            while (zmq_recv (pulls[i], buf, sizeof buf, ZMQ_DONTWAIT) == 5)
                received++;
        }
    }
    CHECK_EQ (received, sent);
}

static void test_round_robin (void *ctx)
{
    void *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_bind (push, "tcp://127.0.0.1:*"));
    char ep[256];
    last_endpoint (push, ep, sizeof ep);
    void *pull[2];
    for (int i = 0; i < 2; i++) {
        pull[i] = new_socket (ctx, ZMQ_PULL);
        CHECK_OK (zmq_connect (pull[i], ep));
    }
    wait_attached (push, pull, 2);

    /*  10 messages alternate between the two connections.  */
    for (int i = 0; i < 10; i++) {
        char msg[16];
        snprintf (msg, sizeof msg, "m%d", i);
        send_str (push, msg, 0);
    }
    int first[2];
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 5; k++) {
            int v = atoi (recv_str (pull[i], 0) + 1);
            if (k == 0)
                first[i] = v;
            else
                CHECK_EQ (v, first[i] + 2 * k);
        }
    }
    CHECK_EQ (first[0] + first[1], 1);
    for (int i = 0; i < 2; i++)
        check_nothing (pull[i], 50);
    printf ("round robin: 2 PULLs got 5 each, alternating\n");

    /*  Multipart messages are not split between the connections.  */
    for (int i = 0; i < 4; i++) {
        send_str (push, "a", ZMQ_SNDMORE);
        send_str (push, "b", ZMQ_SNDMORE);
        send_str (push, "c", 0);
    }
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 2; k++) {
            CHECK_STREQ (recv_str (pull[i], 0), "a");
            CHECK_EQ (rcvmore (pull[i]), 1);
            CHECK_STREQ (recv_str (pull[i], 0), "b");
            CHECK_EQ (rcvmore (pull[i]), 1);
            CHECK_STREQ (recv_str (pull[i], 0), "c");
            CHECK_EQ (rcvmore (pull[i]), 0);
        }
    for (int i = 0; i < 2; i++)
        check_nothing (pull[i], 50);
    printf ("round robin: 3-part messages 2 to each PULL, kept whole\n");

    for (int i = 0; i < 2; i++)
        CHECK_OK (zmq_close (pull[i]));
    CHECK_OK (zmq_close (push));
}

static void test_fair_queue (void *ctx)
{
    void *pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
    char ep[256];
    last_endpoint (pull, ep, sizeof ep);
    void *push[2];
    for (int i = 0; i < 2; i++) {
        push[i] = new_socket (ctx, ZMQ_PUSH);
        CHECK_OK (zmq_connect (push[i], ep));
    }
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < 2; i++) {
            char msg[16];
            snprintf (msg, sizeof msg, "%c%d", 'a' + i, k);
            send_str (push[i], msg, i == 0 && k == 2 ? ZMQ_SNDMORE : 0);
            if (i == 0 && k == 2)
                send_str (push[i], "tail", 0);
        }
    /*  10 messages, each sender's in order; a multipart message from one
     *  sender is not interleaved with the other's.  */
    int next[2] = {0, 0};
    for (int n = 0; n < 10; n++) {
        const char *m = recv_str (pull, 0);
        int i = m[0] - 'a';
        CHECK (i == 0 || i == 1);
        CHECK_EQ (atoi (m + 1), next[i]);
        if (i == 0 && next[i] == 2) {
            CHECK_EQ (rcvmore (pull), 1);
            CHECK_STREQ (recv_str (pull, 0), "tail");
        }
        CHECK_EQ (rcvmore (pull), 0);
        next[i]++;
    }
    CHECK_EQ (next[0], 5);
    CHECK_EQ (next[1], 5);
    check_nothing (pull, 50);
    printf ("fair queue: 5 + 5 messages from 2 PUSHes, each in order\n");

    for (int i = 0; i < 2; i++)
        CHECK_OK (zmq_close (push[i]));
    CHECK_OK (zmq_close (pull));
}

/*  A tcp endpoint on 127.0.0.1 whose port is free right now: a port the
 *  system picked for a listener in a context of its own, which is then
 *  terminated (zmq_close alone closes the listener in the background, and
 *  it may still accept a connection meanwhile).  */
static void free_endpoint (char *ep, size_t size)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *s = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (s, "tcp://127.0.0.1:*"));
    last_endpoint (s, ep, size);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_ctx_term (ctx));
}

/*  Binds, retrying while the port is still held by a listener being closed
 *  in the background (bounded).  */
static void bind_retry (void *s, const char *ep)
{
    int rc = -1;
    for (int i = 0; i < 200 && rc != 0; i++) {
        rc = zmq_bind (s, ep);
        if (rc != 0) {
            CHECK_EQ (zmq_errno (), EADDRINUSE);
            tu_sleep_ms (10);
        }
    }
    CHECK_OK (rc);
}

static void test_connect_before_bind (void *ctx)
{
    char ep[256];
    free_endpoint (ep, sizeof ep);

    /*  Without ZMQ_IMMEDIATE the connecting PUSH queues messages at once.  */
    void *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, ep));
    send_str (push, "early1", ZMQ_DONTWAIT);
    send_str (push, "early2", ZMQ_DONTWAIT | ZMQ_SNDMORE);
    send_str (push, "early3", ZMQ_DONTWAIT);
    /*  Give the PUSH a few failed connection attempts.  */
    tu_sleep_ms (150);

    void *pull = new_socket (ctx, ZMQ_PULL);
    bind_retry (pull, ep);
    CHECK_STREQ (recv_str (pull, 0), "early1");
    CHECK_EQ (rcvmore (pull), 0);
    CHECK_STREQ (recv_str (pull, 0), "early2");
    CHECK_EQ (rcvmore (pull), 1);
    CHECK_STREQ (recv_str (pull, 0), "early3");
    CHECK_EQ (rcvmore (pull), 0);
    send_str (push, "later", 0);
    CHECK_STREQ (recv_str (pull, 0), "later");
    check_nothing (pull, 50);
    printf ("connect before bind: 3 queued messages delivered after bind\n");
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));

    /*  With ZMQ_IMMEDIATE there is nowhere to queue until connected.  */
    free_endpoint (ep, sizeof ep);
    push = new_socket (ctx, ZMQ_PUSH);
    set_int (push, ZMQ_IMMEDIATE, 1);
    CHECK_OK (zmq_connect (push, ep));
    CHECK_ERRNO (zmq_send (push, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    set_int (push, ZMQ_SNDTIMEO, 100);
    CHECK_ERRNO (zmq_send (push, "x", 1, 0), EAGAIN);
    printf ("ZMQ_IMMEDIATE, no listener: EAGAIN\n");
    pull = new_socket (ctx, ZMQ_PULL);
    bind_retry (pull, ep);
    /*  Once connected, a blocking send goes through.  */
    set_int (push, ZMQ_SNDTIMEO, 5000);
    send_str (push, "now", 0);
    CHECK_STREQ (recv_str (pull, 0), "now");
    printf ("ZMQ_IMMEDIATE: blocking send succeeds once connected\n");
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));

    /*  A bound PUSH with nobody connected: EAGAIN.  */
    push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_bind (push, "tcp://127.0.0.1:*"));
    CHECK_ERRNO (zmq_send (push, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    set_int (push, ZMQ_SNDTIMEO, 100);
    CHECK_ERRNO (zmq_send (push, "x", 1, 0), EAGAIN);
    printf ("bound PUSH without peers: EAGAIN\n");
    CHECK_OK (zmq_close (push));
}

/*  Sends 4-byte sequence numbers with DONTWAIT until EAGAIN or `limit`;
 *  returns the count.  */

/*  A PUSH connecting to a port nobody listens on queues exactly SNDHWM
 *  messages per connect; they are all delivered once a PULL binds.  */
static void test_no_listener_hwm (void *ctx)
{
    static const int cases[][2] = {{1, 1}, {5, 1}, {1000, 1}, {3, 2}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int hwm = cases[k][0], connects = cases[k][1];
        char ep[256];
        free_endpoint (ep, sizeof ep);
        void *push = new_socket (ctx, ZMQ_PUSH);
        set_int (push, ZMQ_SNDHWM, hwm);
        for (int i = 0; i < connects; i++)
            CHECK_OK (zmq_connect (push, ep));
        int n = fill_dontwait (push, 100000);
        /*  Nothing is taken out of the pipes meanwhile.  */
        tu_sleep_ms (50);
        CHECK_EQ (fill_dontwait (push, 100000), 0);
        printf ("no listener, sndhwm %d, %d connect(s): %d messages queued\n",
                hwm, connects, n);

        void *pull = new_socket (ctx, ZMQ_PULL);
        bind_retry (pull, ep);
        for (int i = 0; i < n; i++) {
            int v = -1;
            CHECK_EQ (zmq_recv (pull, &v, sizeof v, 0), sizeof v);
            CHECK (v >= 0 && v < n);
        }
        check_nothing (pull, 50);
        printf ("  all %d delivered after the bind\n", n);
        CHECK_OK (zmq_close (push));
        CHECK_OK (zmq_close (pull));
    }
}

/*  zmq_unbind also drops the connections the listener accepted; the
 *  connecting PUSH keeps its pipe (and keeps trying to reconnect).  */
static void test_unbind_drops (void *ctx)
{
    void *pull = new_socket (ctx, ZMQ_PULL);
    void *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
    char ep[256];
    last_endpoint (pull, ep, sizeof ep);
    CHECK_OK (zmq_connect (push, ep));
    send_str (push, "a", 0);
    CHECK_STREQ (recv_str (pull, 0), "a");
    CHECK_OK (zmq_unbind (pull, ep));
    tu_sleep_ms (100);
    send_str (push, "b", ZMQ_DONTWAIT);
    check_nothing (pull, 300);
    printf ("unbind: the accepted connection is dropped, the PUSH still "
            "queues\n");
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));

    /*  With ZMQ_RECONNECT_IVL -1 the connecting PUSH gives up when the
     *  connection ends: sends end in EAGAIN, and a PULL bound on the same
     *  endpoint later gets nothing.  */
    pull = new_socket (ctx, ZMQ_PULL);
    push = new_socket (ctx, ZMQ_PUSH);
    set_int (push, ZMQ_RECONNECT_IVL, -1);
    CHECK_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
    last_endpoint (pull, ep, sizeof ep);
    CHECK_OK (zmq_connect (push, ep));
    send_str (push, "a", 0);
    CHECK_STREQ (recv_str (pull, 0), "a");
    CHECK_OK (zmq_close (pull));
    int eagain = 0;
    for (int i = 0; i < 5000 && !eagain; i++) {
        if (zmq_send (push, "q", 1, ZMQ_DONTWAIT) == -1) {
            CHECK_EQ (zmq_errno (), EAGAIN);
            eagain = 1;
        } else
            tu_sleep_ms (1);
    }
    CHECK (eagain);
    pull = new_socket (ctx, ZMQ_PULL);
    bind_retry (pull, ep);
    tu_sleep_ms (200);
    CHECK_ERRNO (zmq_send (push, "z", 1, ZMQ_DONTWAIT), EAGAIN);
    check_nothing (pull, 200);
    printf ("RECONNECT_IVL -1: the PUSH does not come back\n");
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

#define FILL_LIMIT 1000000

static void test_sndhwm (void *ctx)
{
    static const int sizes[] = {1, 1000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int size = sizes[k];
        void *pull = new_socket (ctx, ZMQ_PULL);
        void *push = new_socket (ctx, ZMQ_PUSH);
        set_int (push, ZMQ_SNDHWM, 10);
        set_int (pull, ZMQ_RCVHWM, 10);
        CHECK_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
        char ep[256];
        last_endpoint (pull, ep, sizeof ep);
        CHECK_OK (zmq_connect (push, ep));
        /*  Make sure the connection is up before filling.  */
        send_str (push, "hello", 0);
        CHECK_STREQ (recv_str (pull, 0), "hello");

        char *buf = (char *) malloc (size);
        CHECK (buf != NULL);
        memset (buf, 'h', size);
        int sent = 0, eagain = 0;
        while (sent < FILL_LIMIT) {
            int rc = zmq_send (push, buf, size, ZMQ_DONTWAIT);
            if (rc == -1) {
                CHECK_EQ (zmq_errno (), EAGAIN);
                eagain = 1;
                break;
            }
            CHECK_EQ (rc, size);
            sent++;
        }
        CHECK (eagain);
        /*  At least SNDHWM minus the "hello" the PUSH may not yet know has
         *  been read.  How many more fit depends on timing (libzmq tells
         *  the writer about the reader's progress in batches), so the
         *  count is not printed.  */
        CHECK (sent >= 9);
        /*  Everything accepted is delivered, then nothing more.  */
        for (int i = 0; i < sent; i++)
            CHECK_EQ (zmq_recv (pull, buf, size, 0), size);
        check_nothing (pull, 50);
        /*  Sending works again.  */
        send_str (push, "bye", 0);
        CHECK_STREQ (recv_str (pull, 0), "bye");
        printf ("sndhwm 10 rcvhwm 10, %d-byte messages: EAGAIN when full, "
                "all accepted messages delivered\n",
                size);
        free (buf);
        CHECK_OK (zmq_close (push));
        CHECK_OK (zmq_close (pull));
    }
}

static void test_peer_goes_away (void *ctx)
{
    /*  The PUSH binds; its only PULL closes: sends end in EAGAIN once the
     *  PUSH has noticed; a new PULL gets only what is sent after it.  */
    void *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_bind (push, "tcp://127.0.0.1:*"));
    char ep[256];
    last_endpoint (push, ep, sizeof ep);
    void *pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_connect (pull, ep));
    send_str (push, "one", 0);
    CHECK_STREQ (recv_str (pull, 0), "one");
    CHECK_OK (zmq_close (pull));

    int eagain = 0;
    for (int i = 0; i < 5000 && !eagain; i++) {
        if (zmq_send (push, "lost", 4, ZMQ_DONTWAIT) == -1) {
            CHECK_EQ (zmq_errno (), EAGAIN);
            eagain = 1;
        } else
            tu_sleep_ms (1);
    }
    CHECK (eagain);
    printf ("PULL closed: PUSH sends end in EAGAIN\n");

    pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_connect (pull, ep));
    send_str (push, "two", 0);
    CHECK_STREQ (recv_str (pull, 0), "two");
    check_nothing (pull, 50);
    printf ("new PULL: receives only the new message\n");
    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_close (push));

    /*  The PULL binds, is unbound and bound again: the connecting PUSH
     *  reconnects and messages flow again.  */
    pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
    last_endpoint (pull, ep, sizeof ep);
    push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, ep));
    send_str (push, "before", 0);
    CHECK_STREQ (recv_str (pull, 0), "before");
    CHECK_OK (zmq_unbind (pull, ep));
    CHECK_OK (zmq_close (pull));
    pull = new_socket (ctx, ZMQ_PULL);
    bind_retry (pull, ep);
    deliver_eventually (push, pull, "again");
    printf ("PULL re-bound: the PUSH reconnects and delivers\n");
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    test_sizes (ctx);
    test_multipart (ctx);
    test_round_robin (ctx);
    test_fair_queue (ctx);
    test_connect_before_bind (ctx);
    test_no_listener_hwm (ctx);
    test_unbind_drops (ctx);
    test_sndhwm (ctx);
    test_peer_goes_away (ctx);

    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_tcp_pushpull");
    return 0;
}
