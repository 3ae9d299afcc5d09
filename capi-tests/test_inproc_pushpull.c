/*  PUSH/PULL over inproc: load balancing, fair queueing, ENOTSUP for the
 *  wrong direction, multipart atomicity, send/recv buffer semantics,
 *  zmq_send_const, zmq_msg_send/recv, zmq_sendiov/recviov, EAGAIN.  */
#include "testutil_msg.h"

#include <sys/uio.h>

static void test_round_robin (void *ctx)
{
    void *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_bind (push, "inproc://rr"));
    void *pull[3];
    for (int i = 0; i < 3; i++) {
        pull[i] = new_socket (ctx, ZMQ_PULL);
        CHECK_OK (zmq_connect (pull[i], "inproc://rr"));
    }
    for (int i = 0; i < 9; i++) {
        char msg[16];
        snprintf (msg, sizeof msg, "m%d", i);
        send_str (push, msg, 0);
    }
    /*  Each peer gets every third message, in order.  */
    int first[3];
    for (int i = 0; i < 3; i++) {
        int prev = -1;
        for (int k = 0; k < 3; k++) {
            const char *m = recv_str (pull[i], 0);
            int v = atoi (m + 1);
            if (k == 0)
                first[i] = v;
            else
                CHECK_EQ (v, prev + 3);
            prev = v;
        }
        char buf[8];
        CHECK_ERRNO (zmq_recv (pull[i], buf, sizeof buf, ZMQ_DONTWAIT),
                     EAGAIN);
    }
    /*  The three peers start at 0, 1 and 2 in some order.  */
    CHECK_EQ (first[0] + first[1] + first[2], 3);
    CHECK (first[0] != first[1] && first[1] != first[2]
           && first[0] != first[2]);

    /*  A multipart message goes entirely to one peer.  */
    for (int i = 0; i < 3; i++) {
        send_str (push, "a", ZMQ_SNDMORE);
        send_str (push, "b", ZMQ_SNDMORE);
        send_str (push, "c", 0);
    }
    for (int i = 0; i < 3; i++) {
        CHECK_STREQ (recv_str (pull[i], 0), "a");
        CHECK_EQ (rcvmore (pull[i]), 1);
        CHECK_STREQ (recv_str (pull[i], 0), "b");
        CHECK_EQ (rcvmore (pull[i]), 1);
        CHECK_STREQ (recv_str (pull[i], 0), "c");
        CHECK_EQ (rcvmore (pull[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        CHECK_OK (zmq_close (pull[i]));
    CHECK_OK (zmq_close (push));
    printf ("round robin: 3 peers got 3 each, multipart kept whole\n");
}

static void test_fair_queue (void *ctx)
{
    void *pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "inproc://fq"));
    void *push[3];
    for (int i = 0; i < 3; i++) {
        push[i] = new_socket (ctx, ZMQ_PUSH);
        CHECK_OK (zmq_connect (push[i], "inproc://fq"));
    }
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++) {
            char msg[16];
            snprintf (msg, sizeof msg, "%c%d", 'a' + i, k);
            send_str (push[i], msg, 0);
        }
    /*  12 messages; per sender in order; no sender gets two turns in a row
     *  while the others still have messages queued (for the first 9).  */
    int next[3] = {0, 0, 0};
    int last_sender = -1;
    for (int n = 0; n < 12; n++) {
        const char *m = recv_str (pull, 0);
        int i = m[0] - 'a';
        CHECK (i >= 0 && i < 3);
        CHECK_EQ (atoi (m + 1), next[i]);
        next[i]++;
        if (n < 9)
            CHECK (i != last_sender);
        last_sender = i;
    }
    char buf[8];
    CHECK_ERRNO (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    for (int i = 0; i < 3; i++)
        CHECK_OK (zmq_close (push[i]));
    CHECK_OK (zmq_close (pull));
    printf ("fair queue: 12 messages from 3 senders interleaved\n");
}

static void test_wrong_direction (void *ctx)
{
    void *push = new_socket (ctx, ZMQ_PUSH);
    void *pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (push, "inproc://dir"));
    CHECK_OK (zmq_connect (pull, "inproc://dir"));
    char buf[8];
    zmq_msg_t m;
    CHECK_ERRNO (zmq_recv (push, buf, sizeof buf, 0), ENOTSUP);
    CHECK_ERRNO (zmq_recv (push, buf, sizeof buf, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_ERRNO (zmq_send (pull, "x", 1, 0), ENOTSUP);
    CHECK_ERRNO (zmq_send (pull, "x", 1, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_ERRNO (zmq_send_const (pull, "x", 1, 0), ENOTSUP);
    CHECK_OK (zmq_msg_init (&m));
    CHECK_ERRNO (zmq_msg_recv (&m, push, 0), ENOTSUP);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_OK (zmq_msg_init_size (&m, 3));
    memcpy (zmq_msg_data (&m), "abc", 3);
    CHECK_ERRNO (zmq_msg_send (&m, pull, 0), ENOTSUP);
    /*  A failed send leaves the message with the caller.  */
    CHECK_EQ (zmq_msg_size (&m), 3);
    CHECK (memcmp (zmq_msg_data (&m), "abc", 3) == 0);
    CHECK_OK (zmq_msg_close (&m));
    /*  The sockets still work in the right direction.  */
    send_str (push, "ok", 0);
    CHECK_STREQ (recv_str (pull, 0), "ok");
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    printf ("wrong direction: ENOTSUP\n");
}

static void test_atomic_multipart (void *ctx)
{
    void *pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "inproc://atomic"));

    /*  An incomplete message is never delivered, not even its first
     *  parts, and is dropped when the sender goes away.  */
    void *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, "inproc://atomic"));
    send_str (push, "p1", ZMQ_SNDMORE);
    send_str (push, "p2", ZMQ_SNDMORE);
    char buf[8];
    CHECK_ERRNO (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
    CHECK_EQ (zmq_poll (&item, 1, 50), 0);
    send_str (push, "p3", 0);
    CHECK_STREQ (recv_str (pull, 0), "p1");
    CHECK_EQ (rcvmore (pull), 1);
    CHECK_STREQ (recv_str (pull, 0), "p2");
    CHECK_EQ (rcvmore (pull), 1);
    CHECK_STREQ (recv_str (pull, 0), "p3");
    CHECK_EQ (rcvmore (pull), 0);

    send_str (push, "q1", ZMQ_SNDMORE);
    send_str (push, "q2", ZMQ_SNDMORE);
    CHECK_OK (zmq_close (push));
    CHECK_EQ (zmq_poll (&item, 1, 100), 0);
    CHECK_ERRNO (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);

    /*  A new sender is unaffected by the dropped partial message.  */
    push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, "inproc://atomic"));
    send_str (push, "r1", ZMQ_SNDMORE);
    send_str (push, "r2", 0);
    CHECK_STREQ (recv_str (pull, 0), "r1");
    CHECK_EQ (rcvmore (pull), 1);
    CHECK_STREQ (recv_str (pull, 0), "r2");
    CHECK_EQ (rcvmore (pull), 0);

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    printf ("multipart: incomplete message invisible and dropped on close\n");
}

static void test_buffers (void *ctx)
{
    void *push = new_socket (ctx, ZMQ_PUSH);
    void *pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "inproc://buffers"));
    CHECK_OK (zmq_connect (push, "inproc://buffers"));

    /*  Truncation: returns the full size, copies only len bytes.  */
    char buf[16];
    send_str (push, "0123456789", 0);
    memset (buf, 'X', sizeof buf);
    CHECK_EQ (zmq_recv (pull, buf, 3, 0), 10);
    CHECK (memcmp (buf, "012XXXXX", 8) == 0);
    /*  Zero-length buffer: NULL is allowed.  */
    send_str (push, "abc", 0);
    CHECK_EQ (zmq_recv (pull, NULL, 0, 0), 3);
    CHECK_EQ (zmq_send (push, NULL, 0, 0), 0);
    memset (buf, 'X', sizeof buf);
    CHECK_EQ (zmq_recv (pull, buf, sizeof buf, 0), 0);
    CHECK_EQ (buf[0], 'X');
    printf ("truncation: recv(len 3) of 10 bytes returned 10\n");

    /*  zmq_send_const.  */
    static const char konst[] = "constant data";
    CHECK_EQ (zmq_send_const (push, konst, 8, ZMQ_SNDMORE), 8);
    CHECK_EQ (zmq_send_const (push, konst + 9, 4, 0), 4);
    CHECK_STREQ (recv_str (pull, 0), "constant");
    CHECK_EQ (rcvmore (pull), 1);
    CHECK_STREQ (recv_str (pull, 0), "data");
    CHECK_EQ (rcvmore (pull), 0);
    printf ("send_const: 8 + 4 bytes\n");

    /*  zmq_msg_send empties the message and returns its size.  */
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, 5));
    memcpy (zmq_msg_data (&m), "hello", 5);
    CHECK_EQ (zmq_msg_send (&m, push, 0), 5);
    CHECK_EQ (zmq_msg_size (&m), 0);
    /*  The emptied message can be sent again (as an empty frame).  */
    CHECK_EQ (zmq_msg_send (&m, push, 0), 0);
    CHECK_OK (zmq_msg_close (&m));
    /*  zmq_sendmsg is the same.  */
    CHECK_OK (zmq_msg_init_size (&m, 2));
    memcpy (zmq_msg_data (&m), "hi", 2);
    CHECK_EQ (zmq_sendmsg (push, &m, 0), 2);
    CHECK_EQ (zmq_msg_size (&m), 0);
    CHECK_OK (zmq_msg_close (&m));

    /*  zmq_msg_recv replaces whatever the message held.  */
    CHECK_OK (zmq_msg_init_size (&m, 100));
    memset (zmq_msg_data (&m), 'z', 100);
    CHECK_EQ (zmq_msg_recv (&m, pull, 0), 5);
    CHECK_EQ (zmq_msg_size (&m), 5);
    CHECK (memcmp (zmq_msg_data (&m), "hello", 5) == 0);
    CHECK_EQ (zmq_msg_more (&m), 0);
    CHECK_EQ (zmq_msg_recv (&m, pull, 0), 0);
    CHECK_EQ (zmq_msg_size (&m), 0);
    CHECK_EQ (zmq_recvmsg (pull, &m, 0), 2);
    CHECK (memcmp (zmq_msg_data (&m), "hi", 2) == 0);
    CHECK_OK (zmq_msg_close (&m));
    printf ("msg_send: emptied, returned 5; msg_recv: replaced\n");

    /*  zmq_sendiov returns the size of the last part; zmq_recviov returns
     *  the number of parts and mallocs the buffers.  */
    struct iovec out[3];
    out[0].iov_base = (void *) "first";
    out[0].iov_len = 5;
    out[1].iov_base = (void *) "";
    out[1].iov_len = 0;
    out[2].iov_base = (void *) "third!";
    out[2].iov_len = 6;
    int rc = zmq_sendiov (push, out, 3, ZMQ_SNDMORE);
    printf ("sendiov(3 parts, SNDMORE) returned %d\n", rc);
    CHECK (rc >= 0);
    rc = zmq_sendiov (push, out, 1, 0);
    printf ("sendiov(1 part) returned %d\n", rc);
    CHECK (rc >= 0);

    struct iovec in[4];
    memset (in, 0, sizeof in);
    size_t count = 4;
    rc = zmq_recviov (pull, in, &count, 0);
    printf ("recviov returned %d, count %zu, lengths %zu %zu %zu\n", rc,
            count, in[0].iov_len, in[1].iov_len, in[2].iov_len);
    CHECK_EQ (count, 3);
    CHECK (memcmp (in[0].iov_base, "first", 5) == 0);
    CHECK (memcmp (in[2].iov_base, "third!", 6) == 0);
    CHECK_EQ (rcvmore (pull), 0);
    for (size_t i = 0; i < count; i++)
        free (in[i].iov_base);

    /*  The single-part message sent after it.  */
    memset (in, 0, sizeof in);
    count = 4;
    CHECK_EQ (zmq_recviov (pull, in, &count, 0), 1);
    CHECK_EQ (count, 1);
    CHECK_EQ (in[0].iov_len, 5);
    CHECK (memcmp (in[0].iov_base, "first", 5) == 0);
    free (in[0].iov_base);

    /*  Fewer slots than parts: the rest stays queued.  */
    CHECK_EQ (zmq_sendiov (push, out, 3, ZMQ_SNDMORE), 6);
    memset (in, 0, sizeof in);
    count = 2;
    rc = zmq_recviov (pull, in, &count, 0);
    printf ("recviov(2 slots) returned %d, count %zu, RCVMORE %d\n", rc,
            count, rcvmore (pull));
    CHECK_EQ (count, 2);
    for (size_t i = 0; i < count; i++)
        free (in[i].iov_base);
    CHECK_STREQ (recv_str (pull, 0), "third!");
    CHECK_EQ (rcvmore (pull), 0);

    /*  Nothing left; recviov with DONTWAIT fails with EAGAIN, count 0.  */
    count = 4;
    CHECK_ERRNO (zmq_recviov (pull, in, &count, ZMQ_DONTWAIT), EAGAIN);
    CHECK_EQ (count, 0);
    /*  Invalid arguments.  */
    count = 0;
    CHECK_ERRNO (zmq_recviov (pull, in, &count, ZMQ_DONTWAIT), EINVAL);
    CHECK_ERRNO (zmq_recviov (pull, in, NULL, ZMQ_DONTWAIT), EINVAL);
    CHECK_ERRNO (zmq_sendiov (push, out, 0, 0), EINVAL);
    CHECK_ERRNO (zmq_sendiov (push, NULL, 1, 0), EINVAL);
    printf ("iov: ok\n");

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

static void test_eagain (void *ctx)
{
    char buf[8];
    void *push = new_socket (ctx, ZMQ_PUSH);
    void *pull = new_socket (ctx, ZMQ_PULL);

    /*  No peer at all.  */
    CHECK_ERRNO (zmq_send (push, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    CHECK_ERRNO (zmq_send_const (push, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    CHECK_ERRNO (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);

    /*  Bound but nobody connected.  */
    CHECK_OK (zmq_bind (push, "inproc://eagain-push"));
    CHECK_OK (zmq_bind (pull, "inproc://eagain-pull"));
    CHECK_ERRNO (zmq_send (push, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    CHECK_ERRNO (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    printf ("DONTWAIT without peer: EAGAIN\n");

    /*  SNDTIMEO / RCVTIMEO: EAGAIN after roughly the timeout.  */
    set_int (push, ZMQ_SNDTIMEO, 200);
    set_int (pull, ZMQ_RCVTIMEO, 200);
    long long t0 = tu_now_us ();
    CHECK_ERRNO (zmq_send (push, "x", 1, 0), EAGAIN);
    long long dt = tu_now_us () - t0;
    CHECK (dt >= 150000);
    CHECK (dt < 5000000);
    t0 = tu_now_us ();
    CHECK_ERRNO (zmq_recv (pull, buf, sizeof buf, 0), EAGAIN);
    dt = tu_now_us () - t0;
    CHECK (dt >= 150000);
    CHECK (dt < 5000000);
    /*  RCVTIMEO 0 behaves like DONTWAIT.  */
    set_int (pull, ZMQ_RCVTIMEO, 0);
    t0 = tu_now_us ();
    CHECK_ERRNO (zmq_recv (pull, buf, sizeof buf, 0), EAGAIN);
    CHECK (tu_now_us () - t0 < 100000);
    printf ("SNDTIMEO/RCVTIMEO 200 ms: EAGAIN\n");

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    test_round_robin (ctx);
    test_fair_queue (ctx);
    test_wrong_direction (ctx);
    test_atomic_multipart (ctx);
    test_buffers (ctx);
    test_eagain (ctx);

    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_inproc_pushpull");
    return 0;
}
