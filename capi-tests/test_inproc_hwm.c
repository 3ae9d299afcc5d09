/*  High-water marks over inproc: how many messages a PUSH accepts with
 *  ZMQ_DONTWAIT before EAGAIN, for various SNDHWM/RCVHWM settings, bind or
 *  connect first, options changed after connecting, refilling after a
 *  drain, multipart messages, and CONFLATE.  */
#include "testutil.h"

#define LIMIT 100000

static int g_seq;



/*  Sends with DONTWAIT until EAGAIN or LIMIT; returns the count.  */
static int fill (void *push)
{
    int n = 0;
    while (n < LIMIT) {
        int rc = zmq_send (push, &n, sizeof n, ZMQ_DONTWAIT);
        if (rc == -1) {
            CHECK_EQ (zmq_errno (), EAGAIN);
            break;
        }
        CHECK_EQ (rc, sizeof n);
        n++;
    }
    return n;
}

/*  Receives with DONTWAIT until EAGAIN; checks the sequence; returns the
 *  count.  */
static int drain (void *pull)
{
    int n = 0;
    for (;;) {
        int v = -1;
        int rc = zmq_recv (pull, &v, sizeof v, ZMQ_DONTWAIT);
        if (rc == -1) {
            CHECK_EQ (zmq_errno (), EAGAIN);
            break;
        }
        CHECK_EQ (rc, sizeof v);
        n++;
    }
    return n;
}

static void print_count (const char *label, int n)
{
    if (n >= LIMIT)
        printf ("%s: reached bound %d (unlimited)\n", label, LIMIT);
    else
        printf ("%s: %d\n", label, n);
}

static void make_pair (void *ctx, int sndhwm, int rcvhwm, int bind_first,
                       void **push_out, void **pull_out)
{
    char ep[64];
    snprintf (ep, sizeof ep, "inproc://hwm-%d", g_seq++);
    void *push = new_socket (ctx, ZMQ_PUSH);
    void *pull = new_socket (ctx, ZMQ_PULL);
    if (sndhwm >= 0)
        set_int (push, ZMQ_SNDHWM, sndhwm);
    if (rcvhwm >= 0)
        set_int (pull, ZMQ_RCVHWM, rcvhwm);
    if (bind_first) {
        CHECK_OK (zmq_bind (pull, ep));
        CHECK_OK (zmq_connect (push, ep));
    } else {
        CHECK_OK (zmq_connect (push, ep));
        CHECK_OK (zmq_bind (pull, ep));
    }
    *push_out = push;
    *pull_out = pull;
}

static void test_settings (void *ctx)
{
    static const int settings[][2] = {
      {-1, -1}, {1, 1}, {2, 3}, {5, 10}, {10, 5}, {100, 1}, {1, 100},
      {10, 0},  {0, 10}, {0, 0},
    };
    for (int bind_first = 1; bind_first >= 0; bind_first--) {
        for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
            void *push, *pull;
            int snd = settings[i][0], rcv = settings[i][1];
            make_pair (ctx, snd, rcv, bind_first, &push, &pull);
            int n = fill (push);
            char label[128];
            if (snd < 0)
                snprintf (label, sizeof label, "%s, default hwm",
                          bind_first ? "pull binds" : "push connects first");
            else
                snprintf (label, sizeof label, "%s, sndhwm %d rcvhwm %d",
                          bind_first ? "pull binds" : "push connects first",
                          snd, rcv);
            print_count (label, n);
            /*  Everything sent can be received, in order.  */
            if (n < LIMIT)
                CHECK_EQ (drain (pull), n);
            CHECK_OK (zmq_close (push));
            CHECK_OK (zmq_close (pull));
        }
    }

    /*  The PUSH binds and the PULL connects.  */
    void *push = new_socket (ctx, ZMQ_PUSH);
    void *pull = new_socket (ctx, ZMQ_PULL);
    set_int (push, ZMQ_SNDHWM, 3);
    set_int (pull, ZMQ_RCVHWM, 4);
    CHECK_OK (zmq_bind (push, "inproc://hwm-push-binds"));
    CHECK_OK (zmq_connect (pull, "inproc://hwm-push-binds"));
    print_count ("push binds, sndhwm 3 rcvhwm 4", fill (push));
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

static void test_change_after_connect (void *ctx)
{
    void *push, *pull;

    /*  SNDHWM raised on the PUSH after connecting.  */
    make_pair (ctx, 1, 1, 1, &push, &pull);
    set_int (push, ZMQ_SNDHWM, 5);
    int v = 0;
    size_t len = sizeof v;
    CHECK_OK (zmq_getsockopt (push, ZMQ_SNDHWM, &v, &len));
    CHECK_EQ (v, 5);
    print_count ("sndhwm 1->5 after connect, rcvhwm 1", fill (push));
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));

    /*  SNDHWM lowered on the PUSH after connecting.  */
    make_pair (ctx, 10, 1, 1, &push, &pull);
    set_int (push, ZMQ_SNDHWM, 2);
    print_count ("sndhwm 10->2 after connect, rcvhwm 1", fill (push));
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));

    /*  SNDHWM set to 0 (unlimited) after connecting.  */
    make_pair (ctx, 2, 2, 1, &push, &pull);
    set_int (push, ZMQ_SNDHWM, 0);
    print_count ("sndhwm 2->0 after connect, rcvhwm 2", fill (push));
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));

    /*  RCVHWM changed on a bound PULL after its bind but before the PUSH
     *  connects: libzmq's inproc endpoint keeps a copy of the binder's
     *  options taken at bind time, so the connect still sees 1000.  */
    push = new_socket (ctx, ZMQ_PUSH);
    pull = new_socket (ctx, ZMQ_PULL);
    set_int (push, ZMQ_SNDHWM, 1);
    CHECK_OK (zmq_bind (pull, "inproc://hwm-rcv-after-bind"));
    set_int (pull, ZMQ_RCVHWM, 1);
    CHECK_OK (zmq_connect (push, "inproc://hwm-rcv-after-bind"));
    print_count ("sndhwm 1, rcvhwm 1000->1 after bind, then connect",
                 fill (push));
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));

    /*  RCVHWM changed on a connecting PULL after connecting (the PUSH binds
     *  and learns about both the connection and the change on its next
     *  send).  libzmq adds the new RCVHWM to the RCVHWM the PULL had when
     *  it connected: 10 + 3 here, not SNDHWM + RCVHWM = 12.  */
    push = new_socket (ctx, ZMQ_PUSH);
    pull = new_socket (ctx, ZMQ_PULL);
    set_int (push, ZMQ_SNDHWM, 2);
    set_int (pull, ZMQ_RCVHWM, 3);
    CHECK_OK (zmq_bind (push, "inproc://hwm-rcv-change"));
    CHECK_OK (zmq_connect (pull, "inproc://hwm-rcv-change"));
    set_int (pull, ZMQ_RCVHWM, 10);
    print_count ("push binds, sndhwm 2, rcvhwm 3->10 after connect",
                 fill (push));
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

/*  Fills, drains, then refills: the first send after the drain blocks
 *  (bounded by SNDTIMEO) so that the PUSH catches up with the reader's
 *  progress, the rest use DONTWAIT.  libzmq tells the writer about the
 *  reader's progress only every LWM = (hwm + 1) / 2 messages read, so a
 *  refill may be smaller than the first fill.  */
static void test_refill (void *ctx)
{
    static const int settings[][2] = {{1, 1}, {2, 2}, {4, 4}, {7, 8}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        void *push, *pull;
        int snd = settings[i][0], rcv = settings[i][1];
        make_pair (ctx, snd, rcv, 1, &push, &pull);
        printf ("refill sndhwm %d rcvhwm %d:", snd, rcv);
        for (int round = 0; round < 4; round++) {
            int n = 0;
            if (round > 0) {
                CHECK_EQ (zmq_send (push, &n, sizeof n, 0), sizeof n);
                n = 1;
            }
            n += fill (push);
            int m = drain (pull);
            CHECK_EQ (m, n);
            printf (" %d", n);
        }
        printf ("\n");
        CHECK_OK (zmq_close (push));
        CHECK_OK (zmq_close (pull));
    }
}

static void test_multipart (void *ctx)
{
    void *push, *pull;
    make_pair (ctx, 1, 1, 1, &push, &pull);
    /*  Count 5-part messages accepted before EAGAIN on a first part.  */
    int msgs = 0;
    while (msgs < 1000) {
        int rc = zmq_send (push, "a", 1, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        if (rc == -1) {
            CHECK_EQ (zmq_errno (), EAGAIN);
            break;
        }
        for (int p = 0; p < 3; p++)
            CHECK_EQ (zmq_send (push, "b", 1, ZMQ_SNDMORE | ZMQ_DONTWAIT),
                      1);
        CHECK_EQ (zmq_send (push, "c", 1, ZMQ_DONTWAIT), 1);
        msgs++;
    }
    printf ("sndhwm 1 rcvhwm 1: %d five-part messages\n", msgs);
    int frames = 0;
    char c;
    while (zmq_recv (pull, &c, 1, ZMQ_DONTWAIT) == 1)
        frames++;
    CHECK_EQ (zmq_errno (), EAGAIN);
    printf ("received %d frames\n", frames);
    CHECK_EQ (frames, msgs * 5);
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

/*  Sends 20 ints with DONTWAIT, then prints what the PULL receives.  */
static void conflate_case (void *ctx, const char *label, int push_conflate,
                           int pull_conflate, int pull_binds)
{
    char ep[64];
    snprintf (ep, sizeof ep, "inproc://conflate-%d", g_seq++);
    void *push = new_socket (ctx, ZMQ_PUSH);
    void *pull = new_socket (ctx, ZMQ_PULL);
    set_int (push, ZMQ_CONFLATE, push_conflate);
    set_int (pull, ZMQ_CONFLATE, pull_conflate);
    int v = -1;
    size_t len = sizeof v;
    CHECK_OK (zmq_getsockopt (pull, ZMQ_CONFLATE, &v, &len));
    CHECK_EQ (v, pull_conflate);
    if (pull_binds) {
        CHECK_OK (zmq_bind (pull, ep));
        CHECK_OK (zmq_connect (push, ep));
    } else {
        CHECK_OK (zmq_bind (push, ep));
        CHECK_OK (zmq_connect (pull, ep));
    }
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 20; i++) {
            int x = round * 100 + i;
            CHECK_EQ (zmq_send (push, &x, sizeof x, ZMQ_DONTWAIT), sizeof x);
        }
        int got = -1, n = 0, first = -1;
        while (zmq_recv (pull, &got, sizeof got, ZMQ_DONTWAIT) == sizeof got) {
            if (n == 0)
                first = got;
            n++;
        }
        CHECK_EQ (zmq_errno (), EAGAIN);
        printf ("%s, round %d: %d received, first %d, last %d\n", label, round,
                n, first, got);
    }
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

/*  For inproc, libzmq decides conflation by the CONNECTING socket's
 *  ZMQ_CONFLATE only (the pipe is created by the connecting side).  */
static void test_conflate (void *ctx)
{
    conflate_case (ctx, "conflating PULL connects to PUSH", 0, 1, 0);
    conflate_case (ctx, "conflating PULL binds, PUSH connects", 0, 1, 1);
    conflate_case (ctx, "conflating PUSH connects to PULL", 1, 0, 1);
    conflate_case (ctx, "PUSH binds, conflating PUSH", 1, 0, 0);
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    test_settings (ctx);
    test_change_after_connect (ctx);
    test_refill (ctx);
    test_multipart (ctx);
    test_conflate (ctx);

    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_inproc_hwm");
    return 0;
}
