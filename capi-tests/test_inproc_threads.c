/*  Sockets and threads: migration after a full barrier, many threads with
 *  their own sockets in one context, and a PUSH thread streaming to a PULL
 *  thread with the sender held back by the default high-water marks.  */
#include "testutil.h"

#include <pthread.h>



/* ------------------------------------------------------------------------ */
/*  Migration: created and connected in one thread, used in another.  */

struct migrate
{
    void *ctx;
    void *sock;
};

static void *create_and_send (void *arg)
{
    struct migrate *m = (struct migrate *) arg;
    m->sock = new_socket_with_timeout (m->ctx, ZMQ_PAIR, 10000);
    CHECK_OK (zmq_connect (m->sock, "inproc://migrate"));
    CHECK_EQ (zmq_send (m->sock, "from thread", 11, 0), 11);
    return NULL;
}

static void *use_migrated (void *arg)
{
    struct migrate *m = (struct migrate *) arg;
    char buf[32];
    CHECK_EQ (zmq_recv (m->sock, buf, sizeof buf, 0), 4);
    CHECK (memcmp (buf, "ping", 4) == 0);
    CHECK_EQ (zmq_send (m->sock, "pong", 4, 0), 4);
    CHECK_OK (zmq_close (m->sock));
    return NULL;
}

static void test_migration (void *ctx)
{
    void *server = new_socket_with_timeout (ctx, ZMQ_PAIR, 10000);
    CHECK_OK (zmq_bind (server, "inproc://migrate"));

    struct migrate m = {ctx, NULL};
    pthread_t t;
    CHECK_EQ (pthread_create (&t, NULL, create_and_send, &m), 0);
    CHECK_EQ (pthread_join (t, NULL), 0);
    CHECK (m.sock != NULL);

    char buf[32];
    CHECK_EQ (zmq_recv (server, buf, sizeof buf, 0), 11);
    CHECK (memcmp (buf, "from thread", 11) == 0);

    /*  The main thread now uses the socket created by the thread.  */
    CHECK_EQ (zmq_send (server, "hello", 5, 0), 5);
    CHECK_EQ (zmq_recv (m.sock, buf, sizeof buf, 0), 5);
    CHECK (memcmp (buf, "hello", 5) == 0);
    CHECK_EQ (zmq_send (m.sock, "back", 4, 0), 4);
    CHECK_EQ (zmq_recv (server, buf, sizeof buf, 0), 4);
    CHECK (memcmp (buf, "back", 4) == 0);

    /*  And hands it on to a third thread, which closes it.  */
    CHECK_EQ (zmq_send (server, "ping", 4, 0), 4);
    CHECK_EQ (pthread_create (&t, NULL, use_migrated, &m), 0);
    CHECK_EQ (pthread_join (t, NULL), 0);
    CHECK_EQ (zmq_recv (server, buf, sizeof buf, 0), 4);
    CHECK (memcmp (buf, "pong", 4) == 0);

    CHECK_OK (zmq_close (server));
    printf ("migration: socket used by 3 threads in turn\n");
}

/* ------------------------------------------------------------------------ */
/*  Many threads, each with its own PUSH/PULL pair.  */

#define NTHREADS 8
#define PER_THREAD 1000

struct worker
{
    void *ctx;
    int id;
    int received;
    int parts;
};

static void *worker_main (void *arg)
{
    struct worker *w = (struct worker *) arg;
    char ep[64];
    snprintf (ep, sizeof ep, "inproc://worker-%d", w->id);
    void *pull = new_socket_with_timeout (w->ctx, ZMQ_PULL, 10000);
    void *push = new_socket_with_timeout (w->ctx, ZMQ_PUSH, 10000);
    /*  Half bind first, half connect first.  */
    if (w->id % 2) {
        CHECK_OK (zmq_bind (pull, ep));
        CHECK_OK (zmq_connect (push, ep));
    } else {
        CHECK_OK (zmq_connect (push, ep));
        CHECK_OK (zmq_bind (pull, ep));
    }
    /*  Batches of 100 (below the default HWM), each checked in order.  */
    int next = 0;
    for (int batch = 0; batch < PER_THREAD / 100; batch++) {
        for (int i = 0; i < 100; i++) {
            int v[2] = {w->id, batch * 100 + i};
            CHECK_EQ (zmq_send (push, v, sizeof v, 0), sizeof v);
        }
        for (int i = 0; i < 100; i++) {
            int v[2] = {-1, -1};
            CHECK_EQ (zmq_recv (pull, v, sizeof v, 0), sizeof v);
            CHECK_EQ (v[0], w->id);
            CHECK_EQ (v[1], next);
            next++;
            w->received++;
        }
    }
    /*  A few multipart messages too.  */
    for (int i = 0; i < 10; i++) {
        CHECK_EQ (zmq_send (push, "a", 1, ZMQ_SNDMORE), 1);
        CHECK_EQ (zmq_send (push, "bb", 2, 0), 2);
    }
    for (int i = 0; i < 20; i++) {
        char buf[4];
        int n = zmq_recv (pull, buf, sizeof buf, 0);
        CHECK_EQ (n, i % 2 ? 2 : 1);
        int more = -1;
        size_t len = sizeof more;
        CHECK_OK (zmq_getsockopt (pull, ZMQ_RCVMORE, &more, &len));
        CHECK_EQ (more, i % 2 ? 0 : 1);
        w->parts++;
    }
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    return NULL;
}

static void test_many_threads (void *ctx)
{
    pthread_t t[NTHREADS];
    struct worker w[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        w[i].ctx = ctx;
        w[i].id = i;
        w[i].received = 0;
        w[i].parts = 0;
        CHECK_EQ (pthread_create (&t[i], NULL, worker_main, &w[i]), 0);
    }
    int total = 0, parts = 0;
    for (int i = 0; i < NTHREADS; i++) {
        CHECK_EQ (pthread_join (t[i], NULL), 0);
        CHECK_EQ (w[i].received, PER_THREAD);
        total += w[i].received;
        parts += w[i].parts;
    }
    printf ("%d threads: %d messages and %d parts received\n", NTHREADS,
            total, parts);
}

/* ------------------------------------------------------------------------ */
/*  Streaming with the sender held back by the HWM.  */

#define STREAM 100000

struct stream
{
    void *sock;
    int count; /*  accessed with __atomic builtins  */
    int ok;
};

static void *stream_send (void *arg)
{
    struct stream *s = (struct stream *) arg;
    for (int i = 0; i < STREAM; i++) {
        if (zmq_send (s->sock, &i, sizeof i, 0) != sizeof i) {
            fprintf (stderr, "stream send %d failed: %s\n", i,
                     zmq_strerror (zmq_errno ()));
            return NULL;
        }
        __atomic_store_n (&s->count, i + 1, __ATOMIC_SEQ_CST);
    }
    s->ok = 1;
    return NULL;
}

static void *stream_recv (void *arg)
{
    struct stream *s = (struct stream *) arg;
    for (int i = 0; i < STREAM; i++) {
        int v = -1;
        if (zmq_recv (s->sock, &v, sizeof v, 0) != sizeof v) {
            fprintf (stderr, "stream recv %d failed: %s\n", i,
                     zmq_strerror (zmq_errno ()));
            return NULL;
        }
        if (v != i) {
            fprintf (stderr, "stream recv %d got %d\n", i, v);
            return NULL;
        }
        __atomic_store_n (&s->count, i + 1, __ATOMIC_SEQ_CST);
    }
    s->ok = 1;
    return NULL;
}

static void test_stream (void *ctx)
{
    void *push = new_socket_with_timeout (ctx, ZMQ_PUSH, 10000);
    void *pull = new_socket_with_timeout (ctx, ZMQ_PULL, 10000);
    set_int (push, ZMQ_SNDTIMEO, 20000);
    set_int (pull, ZMQ_RCVTIMEO, 20000);
    CHECK_OK (zmq_bind (pull, "inproc://stream"));
    CHECK_OK (zmq_connect (push, "inproc://stream"));

    struct stream snd = {push, 0, 0};
    struct stream rcv = {pull, 0, 0};
    pthread_t ts, tr;
    CHECK_EQ (pthread_create (&ts, NULL, stream_send, &snd), 0);

    /*  With nobody reading, the sender stops at SNDHWM + RCVHWM.  */
    long long deadline = tu_now_us () + 10000000LL;
    int last = -1, stable = 0;
    while (stable < 20) {
        CHECK (tu_now_us () < deadline);
        tu_sleep_ms (10);
        int c = __atomic_load_n (&snd.count, __ATOMIC_SEQ_CST);
        if (c == last)
            stable++;
        else
            stable = 0;
        last = c;
    }
    printf ("stream: sender stopped after %d messages\n", last);
    CHECK (last < STREAM);

    CHECK_EQ (pthread_create (&tr, NULL, stream_recv, &rcv), 0);
    CHECK_EQ (pthread_join (ts, NULL), 0);
    CHECK_EQ (pthread_join (tr, NULL), 0);
    CHECK (snd.ok && rcv.ok);
    printf ("stream: %d sent, %d received in order\n", snd.count, rcv.count);

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    test_migration (ctx);
    test_many_threads (ctx);
    test_stream (ctx);

    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_inproc_threads");
    return 0;
}
