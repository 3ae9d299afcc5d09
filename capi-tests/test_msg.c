/*  Message API: init, init_size, init_data (+ free function semantics),
 *  move, copy, more/get/set/gets, closed-message errors, relocation.  */
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>

/* ------------------------------------------------------------------------ */
/*  Free-function bookkeeping.  */
static int g_ffn_calls;
static void *g_ffn_data;
static void *g_ffn_hint;
static pthread_t g_ffn_thread;

static void my_free (void *data, void *hint)
{
    __atomic_add_fetch (&g_ffn_calls, 1, __ATOMIC_SEQ_CST);
    g_ffn_data = data;
    g_ffn_hint = hint;
    g_ffn_thread = pthread_self ();
    free (data);
}

static void ffn_reset (void)
{
    __atomic_store_n (&g_ffn_calls, 0, __ATOMIC_SEQ_CST);
    g_ffn_data = NULL;
    g_ffn_hint = NULL;
}

static int ffn_calls (void)
{
    return __atomic_load_n (&g_ffn_calls, __ATOMIC_SEQ_CST);
}

static void *make_buf (size_t size, char fill)
{
    char *p = (char *) malloc (size ? size : 1);
    CHECK (p != NULL);
    memset (p, fill, size);
    return p;
}

/* ------------------------------------------------------------------------ */
static void test_msg_init (void)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_EQ (zmq_msg_size (&m), 0);
    CHECK_EQ (zmq_msg_more (&m), 0);
    CHECK_EQ (zmq_msg_get (&m, ZMQ_MORE), 0);
    CHECK_EQ (zmq_msg_get (&m, ZMQ_SHARED), 0);
    /*  No metadata, hence no source fd.  */
    CHECK_ERRNO (zmq_msg_get (&m, ZMQ_SRCFD), EINVAL);
    CHECK_OK (zmq_msg_close (&m));

    /*  A closed message can be initialised again.  */
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_msg_close (&m));
    printf ("init: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_init_size (void)
{
    static const size_t sizes[] = {0, 1, 2, 32, 33, 34, 35, 64, 1000, 1 << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init_size (&m, n));
        CHECK_EQ (zmq_msg_size (&m), n);
        CHECK_EQ (zmq_msg_more (&m), 0);
        CHECK_EQ (zmq_msg_get (&m, ZMQ_SHARED), 0);
        unsigned char *d = (unsigned char *) zmq_msg_data (&m);
        if (n > 0) {
            CHECK (d != NULL);
            for (size_t j = 0; j < n; j++)
                d[j] = (unsigned char) (j * 7 + n);
            d = (unsigned char *) zmq_msg_data (&m);
            for (size_t j = 0; j < n; j++)
                CHECK (d[j] == (unsigned char) (j * 7 + n));
        }
        CHECK_EQ (zmq_msg_size (&m), n);
        CHECK_OK (zmq_msg_close (&m));
    }
    printf ("init_size: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_init_data (void)
{
    int hint_token = 7;

    /*  Single message: ffn called exactly once, on close.  */
    ffn_reset ();
    void *buf = make_buf (100, 'a');
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_data (&m, buf, 100, my_free, &hint_token));
    CHECK_EQ (zmq_msg_size (&m), 100);
    CHECK (zmq_msg_data (&m) == buf); /*  no copy  */
    CHECK_EQ (zmq_msg_get (&m, ZMQ_SHARED), 0);
    CHECK_EQ (ffn_calls (), 0);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_EQ (ffn_calls (), 1);
    CHECK (g_ffn_data == buf);
    CHECK (g_ffn_hint == &hint_token);

    /*  Three copies: ffn only when the last one is closed.  */
    ffn_reset ();
    buf = make_buf (10, 'b');
    zmq_msg_t a, b, c;
    CHECK_OK (zmq_msg_init_data (&a, buf, 10, my_free, &hint_token));
    CHECK_OK (zmq_msg_init (&b));
    CHECK_OK (zmq_msg_init (&c));
    CHECK_OK (zmq_msg_copy (&b, &a));
    CHECK_OK (zmq_msg_copy (&c, &b));
    CHECK (zmq_msg_data (&a) == buf);
    CHECK (zmq_msg_data (&b) == buf);
    CHECK (zmq_msg_data (&c) == buf);
    CHECK_EQ (zmq_msg_size (&c), 10);
    CHECK_EQ (zmq_msg_get (&a, ZMQ_SHARED), 1);
    CHECK_EQ (zmq_msg_get (&b, ZMQ_SHARED), 1);
    CHECK_EQ (zmq_msg_get (&c, ZMQ_SHARED), 1);
    CHECK_OK (zmq_msg_close (&b));
    CHECK_EQ (ffn_calls (), 0);
    CHECK_OK (zmq_msg_close (&a));
    CHECK_EQ (ffn_calls (), 0);
    /*  The survivor still reads the data.  */
    CHECK (memcmp (zmq_msg_data (&c), "bbbbbbbbbb", 10) == 0);
    CHECK_OK (zmq_msg_close (&c));
    CHECK_EQ (ffn_calls (), 1);
    CHECK (g_ffn_data == buf);
    CHECK (g_ffn_hint == &hint_token);

    /*  NULL hint is passed through as NULL.  */
    ffn_reset ();
    g_ffn_hint = &hint_token;
    buf = make_buf (3, 'c');
    CHECK_OK (zmq_msg_init_data (&m, buf, 3, my_free, NULL));
    CHECK_OK (zmq_msg_close (&m));
    CHECK_EQ (ffn_calls (), 1);
    CHECK (g_ffn_hint == NULL);

    /*  Size 0 with a free function: still freed on close.  */
    ffn_reset ();
    buf = make_buf (0, 'd');
    CHECK_OK (zmq_msg_init_data (&m, buf, 0, my_free, &hint_token));
    CHECK_EQ (zmq_msg_size (&m), 0);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_EQ (ffn_calls (), 1);
    CHECK (g_ffn_data == buf);

    /*  Without free function: constant data, never freed.  libzmq reports
     *  such messages as ZMQ_SHARED.  */
    static char constant[] = "constant data";
    CHECK_OK (zmq_msg_init_data (&m, constant, 13, NULL, NULL));
    CHECK_EQ (zmq_msg_size (&m), 13);
    CHECK (zmq_msg_data (&m) == constant);
    printf ("init_data(ffn=NULL) shared=%d\n", zmq_msg_get (&m, ZMQ_SHARED));
    CHECK_OK (zmq_msg_init (&b));
    CHECK_OK (zmq_msg_copy (&b, &m));
    CHECK (zmq_msg_data (&b) == constant);
    CHECK_EQ (zmq_msg_size (&b), 13);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_OK (zmq_msg_close (&b));
    CHECK_STREQ (constant, "constant data");

    /*  NULL data of size 0 is allowed.  */
    CHECK_OK (zmq_msg_init_data (&m, NULL, 0, NULL, NULL));
    CHECK_EQ (zmq_msg_size (&m), 0);
    CHECK_OK (zmq_msg_close (&m));
    printf ("init_data: ok\n");
}

/* ------------------------------------------------------------------------ */
static void closer_thread (void *arg)
{
    CHECK_OK (zmq_msg_close ((zmq_msg_t *) arg));
}

static void test_ffn_other_thread (void)
{
    int hint_token = 9;
    ffn_reset ();
    void *buf = make_buf (64, 'e');
    zmq_msg_t a, b;
    CHECK_OK (zmq_msg_init_data (&a, buf, 64, my_free, &hint_token));
    CHECK_OK (zmq_msg_init (&b));
    CHECK_OK (zmq_msg_copy (&b, &a));
    CHECK_OK (zmq_msg_close (&a));
    CHECK_EQ (ffn_calls (), 0);

    pthread_t self = pthread_self ();
    void *t = zmq_threadstart (closer_thread, &b);
    CHECK (t != NULL);
    zmq_threadclose (t);
    CHECK_EQ (ffn_calls (), 1);
    CHECK (g_ffn_data == buf);
    CHECK (g_ffn_hint == &hint_token);
    CHECK (!pthread_equal (g_ffn_thread, self));
    printf ("ffn from other thread: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_move (void)
{
    zmq_msg_t src, dst;

    /*  Small message.  */
    CHECK_OK (zmq_msg_init_size (&src, 10));
    memcpy (zmq_msg_data (&src), "0123456789", 10);
    CHECK_OK (zmq_msg_init (&dst));
    CHECK_OK (zmq_msg_move (&dst, &src));
    CHECK_EQ (zmq_msg_size (&dst), 10);
    CHECK (memcmp (zmq_msg_data (&dst), "0123456789", 10) == 0);
    CHECK_EQ (zmq_msg_size (&src), 0);
    CHECK_EQ (zmq_msg_more (&src), 0);
    CHECK_OK (zmq_msg_close (&src));
    CHECK_OK (zmq_msg_close (&dst));

    /*  Large message with free function: moving does not free; the moved
     *  from message is empty and closing it does not free either.  */
    int hint_token = 3;
    ffn_reset ();
    void *buf = make_buf (500, 'f');
    CHECK_OK (zmq_msg_init_data (&src, buf, 500, my_free, &hint_token));
    CHECK_OK (zmq_msg_init (&dst));
    CHECK_OK (zmq_msg_move (&dst, &src));
    CHECK_EQ (ffn_calls (), 0);
    CHECK (zmq_msg_data (&dst) == buf);
    CHECK_EQ (zmq_msg_size (&dst), 500);
    CHECK_EQ (zmq_msg_size (&src), 0);
    CHECK_OK (zmq_msg_close (&src));
    CHECK_EQ (ffn_calls (), 0);
    CHECK_OK (zmq_msg_close (&dst));
    CHECK_EQ (ffn_calls (), 1);

    /*  Moving into a message that holds content releases that content.  */
    ffn_reset ();
    buf = make_buf (50, 'g');
    CHECK_OK (zmq_msg_init_data (&dst, buf, 50, my_free, &hint_token));
    CHECK_OK (zmq_msg_init_size (&src, 5));
    memcpy (zmq_msg_data (&src), "hello", 5);
    CHECK_OK (zmq_msg_move (&dst, &src));
    CHECK_EQ (ffn_calls (), 1);
    CHECK (g_ffn_data == buf);
    CHECK_EQ (zmq_msg_size (&dst), 5);
    CHECK (memcmp (zmq_msg_data (&dst), "hello", 5) == 0);
    CHECK_OK (zmq_msg_close (&src));
    CHECK_OK (zmq_msg_close (&dst));

    /*  Move between sizes around the inline threshold.  */
    static const size_t sizes[] = {0, 1, 33, 34, 1000, 100000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        CHECK_OK (zmq_msg_init_size (&src, n));
        memset (zmq_msg_data (&src), 'm', n);
        CHECK_OK (zmq_msg_init (&dst));
        CHECK_OK (zmq_msg_move (&dst, &src));
        CHECK_EQ (zmq_msg_size (&dst), n);
        CHECK_EQ (zmq_msg_size (&src), 0);
        const char *d = (const char *) zmq_msg_data (&dst);
        for (size_t j = 0; j < n; j++)
            CHECK (d[j] == 'm');
        CHECK_OK (zmq_msg_close (&dst));
        CHECK_OK (zmq_msg_close (&src));
    }
    printf ("move: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_copy (void)
{
    /*  Copy semantics around the inline (VSM) threshold.  The SHARED flag
     *  and data sharing are printed as libzmq reports them.  */
    static const size_t sizes[] = {0, 1, 33, 34, 1000, 1 << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        zmq_msg_t src, dst;
        CHECK_OK (zmq_msg_init_size (&src, n));
        memset (zmq_msg_data (&src), 'x', n);
        CHECK_OK (zmq_msg_init (&dst));
        CHECK_OK (zmq_msg_copy (&dst, &src));
        CHECK_EQ (zmq_msg_size (&dst), n);
        CHECK_EQ (zmq_msg_size (&src), n);
        CHECK (memcmp (zmq_msg_data (&dst), zmq_msg_data (&src), n) == 0);
        int same = zmq_msg_data (&dst) == zmq_msg_data (&src);
        int sh_src = zmq_msg_get (&src, ZMQ_SHARED);
        int sh_dst = zmq_msg_get (&dst, ZMQ_SHARED);
        printf ("copy size=%zu shared_src=%d shared_dst=%d same_data=%d\n", n,
                sh_src, sh_dst, same);
        if (n >= 1000) {
            /*  Large messages are reference counted, not duplicated.  */
            CHECK (same);
            CHECK_EQ (sh_src, 1);
            CHECK_EQ (sh_dst, 1);
        }
        if (n <= 1) {
            CHECK_EQ (sh_src, 0);
            CHECK_EQ (sh_dst, 0);
        }
        /*  Closing the copy leaves the original intact.  */
        CHECK_OK (zmq_msg_close (&dst));
        const char *d = (const char *) zmq_msg_data (&src);
        for (size_t j = 0; j < n; j++)
            CHECK (d[j] == 'x');
        printf ("after close copy size=%zu shared_src=%d\n", n,
                zmq_msg_get (&src, ZMQ_SHARED));
        CHECK_OK (zmq_msg_close (&src));
    }

    /*  Copying into a message that holds content releases that content.  */
    int hint_token = 5;
    ffn_reset ();
    void *buf = make_buf (40, 'h');
    zmq_msg_t src, dst;
    CHECK_OK (zmq_msg_init_data (&dst, buf, 40, my_free, &hint_token));
    CHECK_OK (zmq_msg_init_size (&src, 3));
    memcpy (zmq_msg_data (&src), "abc", 3);
    CHECK_OK (zmq_msg_copy (&dst, &src));
    CHECK_EQ (ffn_calls (), 1);
    CHECK (g_ffn_data == buf);
    CHECK_EQ (zmq_msg_size (&dst), 3);
    CHECK (memcmp (zmq_msg_data (&dst), "abc", 3) == 0);
    CHECK_OK (zmq_msg_close (&src));
    CHECK_OK (zmq_msg_close (&dst));

    /*  A copy of a copy of a large message: one shared buffer; writing
     *  through one is visible through the others (no copy-on-write).  */
    zmq_msg_t a, b, c;
    CHECK_OK (zmq_msg_init_size (&a, 4096));
    memset (zmq_msg_data (&a), 0, 4096);
    CHECK_OK (zmq_msg_init (&b));
    CHECK_OK (zmq_msg_init (&c));
    CHECK_OK (zmq_msg_copy (&b, &a));
    CHECK_OK (zmq_msg_copy (&c, &b));
    ((char *) zmq_msg_data (&c))[100] = 'Z';
    CHECK_EQ (((char *) zmq_msg_data (&a))[100], 'Z');
    CHECK_OK (zmq_msg_close (&a));
    CHECK_OK (zmq_msg_close (&c));
    CHECK_EQ (((char *) zmq_msg_data (&b))[100], 'Z');
    CHECK_OK (zmq_msg_close (&b));
    printf ("copy: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_properties (void)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, 8));
    CHECK_EQ (zmq_msg_more (&m), 0);
    CHECK_EQ (zmq_msg_get (&m, ZMQ_MORE), 0);
    CHECK_EQ (zmq_msg_get (&m, ZMQ_SHARED), 0);
    CHECK_ERRNO (zmq_msg_get (&m, ZMQ_SRCFD), EINVAL);

    /*  Unknown properties.  */
    CHECK_ERRNO (zmq_msg_get (&m, 0), EINVAL);
    CHECK_ERRNO (zmq_msg_get (&m, 4), EINVAL);
    CHECK_ERRNO (zmq_msg_get (&m, 100), EINVAL);
    CHECK_ERRNO (zmq_msg_get (&m, -1), EINVAL);

    /*  zmq_msg_set supports no property at all.  */
    CHECK_ERRNO (zmq_msg_set (&m, ZMQ_MORE, 1), EINVAL);
    CHECK_ERRNO (zmq_msg_set (&m, ZMQ_SHARED, 1), EINVAL);
    CHECK_ERRNO (zmq_msg_set (&m, ZMQ_SRCFD, 3), EINVAL);
    CHECK_ERRNO (zmq_msg_set (&m, 0, 0), EINVAL);
    CHECK_ERRNO (zmq_msg_set (&m, 1000, 0), EINVAL);
    CHECK_EQ (zmq_msg_more (&m), 0);

    /*  No metadata on a locally built message.  */
    CHECK_ERRNO (zmq_msg_gets (&m, "Socket-Type"), EINVAL);
    CHECK_ERRNO (zmq_msg_gets (&m, "Routing-Id"), EINVAL);
    CHECK_ERRNO (zmq_msg_gets (&m, "User-Id"), EINVAL);
    CHECK_ERRNO (zmq_msg_gets (&m, "Peer-Address"), EINVAL);
    CHECK_ERRNO (zmq_msg_gets (&m, "__fd"), EINVAL);
    CHECK_ERRNO (zmq_msg_gets (&m, ""), EINVAL);
    CHECK_OK (zmq_msg_close (&m));
    printf ("properties: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_closed (void)
{
    zmq_msg_t m, other;

    /*  Double close.  */
    CHECK_OK (zmq_msg_init_size (&m, 100));
    CHECK_OK (zmq_msg_close (&m));
    CHECK_ERRNO (zmq_msg_close (&m), EFAULT);

    /*  Closed message as copy / move source.  */
    CHECK_OK (zmq_msg_init (&other));
    CHECK_ERRNO (zmq_msg_copy (&other, &m), EFAULT);
    CHECK_ERRNO (zmq_msg_move (&other, &m), EFAULT);
    CHECK_EQ (zmq_msg_size (&other), 0);
    CHECK_OK (zmq_msg_close (&other));

    /*  Closed (invalid) message as copy / move destination.  */
    zmq_msg_t src;
    CHECK_OK (zmq_msg_init_size (&src, 4));
    memcpy (zmq_msg_data (&src), "abcd", 4);
    CHECK_ERRNO (zmq_msg_copy (&m, &src), EFAULT);
    CHECK_ERRNO (zmq_msg_move (&m, &src), EFAULT);
    /*  The source is untouched by the failed calls.  */
    CHECK_EQ (zmq_msg_size (&src), 4);
    CHECK (memcmp (zmq_msg_data (&src), "abcd", 4) == 0);
    CHECK_OK (zmq_msg_close (&src));

    /*  All-zero zmq_msg_t (never initialised) is rejected.  */
    zmq_msg_t zero;
    memset (&zero, 0, sizeof zero);
    CHECK_ERRNO (zmq_msg_close (&zero), EFAULT);
    CHECK_OK (zmq_msg_init (&src));
    CHECK_ERRNO (zmq_msg_copy (&src, &zero), EFAULT);
    CHECK_ERRNO (zmq_msg_move (&src, &zero), EFAULT);
    CHECK_ERRNO (zmq_msg_copy (&zero, &src), EFAULT);
    CHECK_ERRNO (zmq_msg_move (&zero, &src), EFAULT);
    CHECK_OK (zmq_msg_close (&src));
    printf ("closed: ok\n");
}

/* ------------------------------------------------------------------------ */
/*  A zmq_msg_t is plain memory: a message relocated with memcpy (after
 *  zmq_msg_move handed its content over) keeps working.  */
static void test_relocation (void)
{
    static const size_t sizes[] = {5, 33, 34, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        zmq_msg_t a, b, c;
        CHECK_OK (zmq_msg_init_size (&a, n));
        memset (zmq_msg_data (&a), 'r', n);
        CHECK_OK (zmq_msg_init (&b));
        CHECK_OK (zmq_msg_move (&b, &a));
        memcpy (&c, &b, sizeof c);
        /*  'b' is now a stale alias of 'c' and is never used again.  */
        memset (&b, 0xA5, sizeof b);
        CHECK_EQ (zmq_msg_size (&c), n);
        const char *d = (const char *) zmq_msg_data (&c);
        for (size_t j = 0; j < n; j++)
            CHECK (d[j] == 'r');
        CHECK_OK (zmq_msg_close (&c));
        CHECK_OK (zmq_msg_close (&a));
    }

    /*  Relocated message with a free function: freed once, on close.  */
    int hint_token = 11;
    ffn_reset ();
    void *buf = make_buf (20, 's');
    zmq_msg_t a, b, c;
    CHECK_OK (zmq_msg_init_data (&a, buf, 20, my_free, &hint_token));
    CHECK_OK (zmq_msg_init (&b));
    CHECK_OK (zmq_msg_move (&b, &a));
    memcpy (&c, &b, sizeof c);
    CHECK (zmq_msg_data (&c) == buf);
    CHECK_EQ (ffn_calls (), 0);
    CHECK_OK (zmq_msg_close (&c));
    CHECK_EQ (ffn_calls (), 1);
    CHECK (g_ffn_data == buf && g_ffn_hint == &hint_token);
    CHECK_OK (zmq_msg_close (&a));

    /*  Heap-allocated zmq_msg_t relocated between heap blocks.  */
    zmq_msg_t *h1 = (zmq_msg_t *) malloc (sizeof (zmq_msg_t));
    CHECK (h1 != NULL);
    CHECK_OK (zmq_msg_init_size (h1, 16));
    memcpy (zmq_msg_data (h1), "relocated-buffer", 16);
    zmq_msg_t *h2 = (zmq_msg_t *) malloc (sizeof (zmq_msg_t));
    CHECK (h2 != NULL);
    memcpy (h2, h1, sizeof (zmq_msg_t));
    memset (h1, 0, sizeof (zmq_msg_t));
    free (h1);
    CHECK_EQ (zmq_msg_size (h2), 16);
    CHECK (memcmp (zmq_msg_data (h2), "relocated-buffer", 16) == 0);
    CHECK_OK (zmq_msg_close (h2));
    free (h2);
    printf ("relocation: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_many (void)
{
    for (int i = 0; i < 20000; i++) {
        size_t n = (size_t) (i % 300);
        zmq_msg_t a, b;
        CHECK_OK (zmq_msg_init_size (&a, n));
        memset (zmq_msg_data (&a), i & 0xff, n);
        CHECK_OK (zmq_msg_init (&b));
        CHECK_OK (zmq_msg_copy (&b, &a));
        CHECK_EQ (zmq_msg_size (&b), n);
        if (n > 0)
            CHECK_EQ (((unsigned char *) zmq_msg_data (&b))[n - 1], i & 0xff);
        CHECK_OK (zmq_msg_close (&a));
        CHECK_OK (zmq_msg_close (&b));
    }
    ffn_reset ();
    for (int i = 0; i < 1000; i++) {
        zmq_msg_t a;
        CHECK_OK (zmq_msg_init_data (&a, make_buf (8, 'q'), 8, my_free, NULL));
        CHECK_OK (zmq_msg_close (&a));
    }
    CHECK_EQ (ffn_calls (), 1000);
    printf ("many: ok\n");
}

/*  A message sent over tcp is released once it is on the wire, while both
 *  sockets stay open: its free function runs (libzmq's test_msg_ffn counts on
 *  it, with a body on its stack).  */
static void test_ffn_after_tcp_send (void)
{
    int hint_token = 11;
    ffn_reset ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *pull = new_socket_with_timeout (ctx, ZMQ_PULL, 5000);
    void *push = new_socket_with_timeout (ctx, ZMQ_PUSH, 5000);
    CHECK_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
    char endpoint[64];
    size_t size = sizeof endpoint;
    CHECK_OK (zmq_getsockopt (pull, ZMQ_LAST_ENDPOINT, endpoint, &size));
    CHECK_OK (zmq_connect (push, endpoint));

    void *buf = make_buf (255, 'f');
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_data (&m, buf, 255, my_free, &hint_token));
    CHECK_EQ (zmq_msg_send (&m, push, 0), 255);
    char got[255];
    CHECK_EQ (zmq_recv (pull, got, sizeof got, 0), 255);
    CHECK (got[0] == 'f' && got[254] == 'f');
    /*  Bounded: the sending side lets go as soon as it has encoded it.  */
    for (int waited = 0; ffn_calls () == 0 && waited < 5000; waited += 10)
        tu_sleep_ms (10);
    CHECK_EQ (ffn_calls (), 1);
    CHECK (g_ffn_data == buf);

    CHECK_OK (zmq_msg_close (&m));
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_ctx_term (ctx));
    printf ("ffn after a tcp send: ok\n");
}

int main (void)
{
    test_init ();
    test_msg_init ();
    printf ("sizeof zmq_msg_t %zu\n", sizeof (zmq_msg_t));
    test_init_size ();
    test_init_data ();
    test_ffn_other_thread ();
    test_ffn_after_tcp_send ();
    test_move ();
    test_copy ();
    test_properties ();
    test_closed ();
    test_relocation ();
    test_many ();
    test_done ("test_msg");
    return 0;
}
