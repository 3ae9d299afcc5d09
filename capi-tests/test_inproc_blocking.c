/*  Blocking calls and context termination: a recv blocked forever is woken
 *  with ETERM by zmq_ctx_shutdown or zmq_ctx_term from another thread, a
 *  blocked send times out with EAGAIN or is woken with ETERM, and sockets
 *  of a shut-down context report ETERM.  */
#include "testutil.h"

#include <pthread.h>


struct job
{
    void *ctx;
    void *sock;
    int rc;
    int err;
    int close_rc;
    long long close_us;
    long long done_us;
};

/*  Creates a PULL bound to an endpoint, then blocks in recv forever.  */
static void *recv_forever (void *arg)
{
    struct job *j = (struct job *) arg;
    char buf[8];
    errno = 0;
    j->rc = zmq_recv (j->sock, buf, sizeof buf, 0);
    j->err = zmq_errno ();
    j->done_us = tu_now_us ();
    return NULL;
}

/*  Same, but closes its socket itself before returning.  */
static void *recv_then_close (void *arg)
{
    struct job *j = (struct job *) arg;
    char buf[8];
    j->rc = zmq_recv (j->sock, buf, sizeof buf, 0);
    j->err = zmq_errno ();
    j->close_us = tu_now_us ();
    j->close_rc = zmq_close (j->sock);
    j->done_us = tu_now_us ();
    return NULL;
}

static void *send_forever (void *arg)
{
    struct job *j = (struct job *) arg;
    int v = 42;
    j->rc = zmq_send (j->sock, &v, sizeof v, 0);
    j->err = zmq_errno ();
    j->done_us = tu_now_us ();
    return NULL;
}

static void *term_ctx (void *arg)
{
    struct job *j = (struct job *) arg;
    j->rc = zmq_ctx_term (j->ctx);
    j->err = zmq_errno ();
    j->done_us = tu_now_us ();
    return NULL;
}

static void test_shutdown_wakes_recv (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (pull != NULL);
    set_int (pull, ZMQ_LINGER, 0);
    set_int (pull, ZMQ_RCVTIMEO, -1);
    CHECK_OK (zmq_bind (pull, "inproc://blocking-1"));

    struct job j;
    memset (&j, 0, sizeof j);
    j.sock = pull;
    pthread_t t;
    CHECK_EQ (pthread_create (&t, NULL, recv_forever, &j), 0);
    tu_sleep_ms (100);
    long long t0 = tu_now_us ();
    CHECK_OK (zmq_ctx_shutdown (ctx));
    CHECK_EQ (pthread_join (t, NULL), 0);
    CHECK_EQ (j.rc, -1);
    CHECK_EQ (j.err, ETERM);
    CHECK (j.done_us - t0 < 5000000);
    printf ("shutdown: blocked recv returned -1 errno ETERM\n");

    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_ctx_term (ctx));
    printf ("shutdown: close and term succeeded\n");
}

static void test_term_wakes_recv (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (pull != NULL);
    set_int (pull, ZMQ_LINGER, 0);
    CHECK_OK (zmq_connect (pull, "inproc://blocking-2"));

    struct job j;
    memset (&j, 0, sizeof j);
    j.sock = pull;
    j.close_rc = 99;
    pthread_t t;
    CHECK_EQ (pthread_create (&t, NULL, recv_then_close, &j), 0);
    tu_sleep_ms (100);
    /*  Blocks until the other thread has closed its socket.  */
    int rc = zmq_ctx_term (ctx);
    long long t_term = tu_now_us ();
    CHECK_EQ (rc, 0);
    CHECK_EQ (pthread_join (t, NULL), 0);
    CHECK_EQ (j.rc, -1);
    CHECK_EQ (j.err, ETERM);
    CHECK_EQ (j.close_rc, 0);
    /*  term returned only after the socket was closed.  */
    CHECK (t_term >= j.close_us);
    printf ("term from main: recv in thread got ETERM, thread closed, "
            "term returned 0\n");

    /*  The other way round: term in a thread, recv in the main thread.  */
    ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (pull != NULL);
    set_int (pull, ZMQ_LINGER, 0);
    CHECK_OK (zmq_bind (pull, "inproc://blocking-3"));
    memset (&j, 0, sizeof j);
    j.ctx = ctx;
    j.rc = 99;
    CHECK_EQ (pthread_create (&t, NULL, term_ctx, &j), 0);
    char buf[8];
    CHECK_ERRNO (zmq_recv (pull, buf, sizeof buf, 0), ETERM);
    /*  zmq_ctx_term cannot have returned: our socket is still open.  */
    tu_sleep_ms (50);
    CHECK_EQ (j.done_us, 0);
    CHECK_OK (zmq_close (pull));
    CHECK_EQ (pthread_join (t, NULL), 0);
    CHECK_EQ (j.rc, 0);
    printf ("term in thread: main recv got ETERM, term returned 0 after "
            "close\n");
}

static void test_blocked_sender (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (push != NULL && pull != NULL);
    set_int (push, ZMQ_LINGER, 0);
    set_int (pull, ZMQ_LINGER, 0);
    set_int (push, ZMQ_SNDHWM, 1);
    set_int (pull, ZMQ_RCVHWM, 1);
    CHECK_OK (zmq_bind (pull, "inproc://blocking-4"));
    CHECK_OK (zmq_connect (push, "inproc://blocking-4"));

    int v = 0, n = 0;
    while (n < 100 && zmq_send (push, &v, sizeof v, ZMQ_DONTWAIT) == sizeof v)
        n++;
    CHECK_EQ (zmq_errno (), EAGAIN);
    printf ("queue full after %d messages\n", n);

    set_int (push, ZMQ_SNDTIMEO, 200);
    long long t0 = tu_now_us ();
    CHECK_ERRNO (zmq_send (push, &v, sizeof v, 0), EAGAIN);
    long long dt = tu_now_us () - t0;
    CHECK (dt >= 150000);
    CHECK (dt < 5000000);
    printf ("blocked send with SNDTIMEO 200: EAGAIN\n");

    /*  Reading one message unblocks a waiting sender.  */
    set_int (push, ZMQ_SNDTIMEO, 5000);
    set_int (pull, ZMQ_RCVTIMEO, 5000);
    CHECK_EQ (zmq_recv (pull, &v, sizeof v, 0), sizeof v);
    CHECK_EQ (zmq_send (push, &v, sizeof v, 0), sizeof v);
    printf ("after one recv: blocking send succeeded\n");

    /*  A sender blocked forever is woken by zmq_ctx_shutdown.  */
    set_int (push, ZMQ_SNDTIMEO, -1);
    struct job j;
    memset (&j, 0, sizeof j);
    j.sock = push;
    pthread_t t;
    CHECK_EQ (pthread_create (&t, NULL, send_forever, &j), 0);
    tu_sleep_ms (100);
    CHECK_EQ (j.done_us, 0);
    CHECK_OK (zmq_ctx_shutdown (ctx));
    CHECK_EQ (pthread_join (t, NULL), 0);
    CHECK_EQ (j.rc, -1);
    CHECK_EQ (j.err, ETERM);
    printf ("shutdown: blocked send returned -1 errno ETERM\n");

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_ctx_term (ctx));
}

static void test_after_shutdown (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (push != NULL && pull != NULL);
    set_int (push, ZMQ_LINGER, 0);
    set_int (pull, ZMQ_LINGER, 0);
    CHECK_OK (zmq_bind (pull, "inproc://blocking-5"));
    CHECK_OK (zmq_connect (push, "inproc://blocking-5"));
    CHECK_EQ (zmq_send (push, "queued", 6, 0), 6);

    CHECK_OK (zmq_ctx_shutdown (ctx));
    /*  Shutdown is idempotent.  */
    CHECK_OK (zmq_ctx_shutdown (ctx));

    CHECK_ERRNO (zmq_socket (ctx, ZMQ_PUSH), ETERM);
    CHECK_ERRNO (zmq_socket (ctx, ZMQ_PAIR), ETERM);
    printf ("after shutdown: zmq_socket ETERM\n");

    /*  libzmq notices the shutdown only when a socket processes its
     *  commands; bind, connect and getsockopt(ZMQ_EVENTS) always do, so they
     *  come first.  After that every call on the socket fails with ETERM.  */
    CHECK_ERRNO (zmq_connect (push, "inproc://blocking-6"), ETERM);
    int v = 0;
    size_t len = sizeof v;
    CHECK_ERRNO (zmq_getsockopt (pull, ZMQ_EVENTS, &v, &len), ETERM);
    printf ("after shutdown: connect, getsockopt(EVENTS) ETERM\n");

    char buf[8];
    CHECK_ERRNO (zmq_send (push, "x", 1, 0), ETERM);
    CHECK_ERRNO (zmq_send (push, "x", 1, ZMQ_DONTWAIT), ETERM);
    /*  Even with a message queued.  */
    CHECK_ERRNO (zmq_recv (pull, buf, sizeof buf, 0), ETERM);
    CHECK_ERRNO (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT), ETERM);
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_ERRNO (zmq_msg_recv (&m, pull, 0), ETERM);
    CHECK_ERRNO (zmq_msg_send (&m, push, 0), ETERM);
    CHECK_OK (zmq_msg_close (&m));
    printf ("after shutdown: send/recv ETERM\n");

    CHECK_ERRNO (zmq_bind (pull, "inproc://blocking-6"), ETERM);
    CHECK_ERRNO (zmq_connect (push, "inproc://blocking-6"), ETERM);
    CHECK_ERRNO (zmq_unbind (pull, "inproc://blocking-5"), ETERM);
    CHECK_ERRNO (zmq_disconnect (push, "inproc://blocking-5"), ETERM);
    printf ("after shutdown: bind/connect/unbind/disconnect ETERM\n");

    len = sizeof v;
    CHECK_ERRNO (zmq_getsockopt (pull, ZMQ_EVENTS, &v, &len), ETERM);
    CHECK_ERRNO (zmq_getsockopt (pull, ZMQ_TYPE, &v, &len), ETERM);
    CHECK_ERRNO (zmq_getsockopt (push, ZMQ_LINGER, &v, &len), ETERM);
    CHECK_ERRNO (zmq_setsockopt (pull, ZMQ_LINGER, &v, sizeof v), ETERM);
    zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
    CHECK_ERRNO (zmq_poll (&item, 1, 0), ETERM);
    item.socket = push;
    item.events = ZMQ_POLLOUT;
    CHECK_ERRNO (zmq_poll (&item, 1, 1000), ETERM);
    printf ("after shutdown: getsockopt/setsockopt/poll ETERM\n");

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_ctx_term (ctx));
    printf ("after shutdown: close and term succeeded\n");
}

int main (void)
{
    test_init ();
    test_shutdown_wakes_recv ();
    test_term_wakes_recv ();
    test_blocked_sender ();
    test_after_shutdown ();
    test_done ("test_inproc_blocking");
    return 0;
}
