/*  Context API: defaults, set/get validation, legacy API, termination,
 *  NULL handles, many contexts from several threads.  */
#include "testutil.h"

#ifndef ZMQ_ZERO_COPY_RECV
#define ZMQ_ZERO_COPY_RECV 10 /*  draft constant  */
#endif

/* ------------------------------------------------------------------------ */
static void test_defaults (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), ZMQ_IO_THREADS_DFLT);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 1);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS), ZMQ_MAX_SOCKETS_DFLT);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS), 1023);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MSG_T_SIZE), sizeof (zmq_msg_t));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MSG_T_SIZE), 64);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IPV6), 0);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_BLOCKY), 1);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_MSGSZ), INT_MAX);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_ZERO_COPY_RECV), 1);
    /*  The default policy is -1, which zmq_ctx_get returns as a value (it is
     *  not an error).  */
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_SCHED_POLICY),
              ZMQ_THREAD_SCHED_POLICY_DFLT);
    /*  ZMQ_SOCKET_LIMIT: with an epoll (or any unlimited) poller this is
     *  65535, independent of rlimits.  */
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_SOCKET_LIMIT), 65535);
    /*  ZMQ_THREAD_PRIORITY has the same value (3) as ZMQ_SOCKET_LIMIT, so
     *  "getting" it yields the socket limit.  */
    CHECK_EQ (ZMQ_THREAD_PRIORITY, ZMQ_SOCKET_LIMIT);
    /*  Default thread name prefix is empty; as an int it reads as 0.  */
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_NAME_PREFIX), 0);

    printf ("IO_THREADS %d\n", zmq_ctx_get (ctx, ZMQ_IO_THREADS));
    printf ("MAX_SOCKETS %d\n", zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS));
    printf ("SOCKET_LIMIT %d\n", zmq_ctx_get (ctx, ZMQ_SOCKET_LIMIT));
    printf ("THREAD_SCHED_POLICY %d\n",
            zmq_ctx_get (ctx, ZMQ_THREAD_SCHED_POLICY));
    printf ("MAX_MSGSZ %d\n", zmq_ctx_get (ctx, ZMQ_MAX_MSGSZ));
    printf ("MSG_T_SIZE %d\n", zmq_ctx_get (ctx, ZMQ_MSG_T_SIZE));
    printf ("IPV6 %d\n", zmq_ctx_get (ctx, ZMQ_IPV6));
    printf ("BLOCKY %d\n", zmq_ctx_get (ctx, ZMQ_BLOCKY));
    printf ("ZERO_COPY_RECV %d\n", zmq_ctx_get (ctx, ZMQ_ZERO_COPY_RECV));
    printf ("THREAD_NAME_PREFIX %d\n",
            zmq_ctx_get (ctx, ZMQ_THREAD_NAME_PREFIX));

    /*  Write-only options cannot be read.  */
    CHECK_ERRNO (zmq_ctx_get (ctx, ZMQ_THREAD_AFFINITY_CPU_ADD), EINVAL);
    CHECK_ERRNO (zmq_ctx_get (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE), EINVAL);

    /*  Unknown options.  */
    CHECK_ERRNO (zmq_ctx_get (ctx, 0), EINVAL);
    CHECK_ERRNO (zmq_ctx_get (ctx, 11), EINVAL);
    CHECK_ERRNO (zmq_ctx_get (ctx, 41), EINVAL);
    CHECK_ERRNO (zmq_ctx_get (ctx, 999), EINVAL);
    CHECK_ERRNO (zmq_ctx_get (ctx, -1), EINVAL);
    CHECK_ERRNO (zmq_ctx_get (ctx, ZMQ_IPV6 + 1000), EINVAL);

    CHECK_OK (zmq_ctx_term (ctx));
    printf ("defaults: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_set_get (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    /*  IO threads: >= 0.  */
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 4));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 4);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 0));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 0);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_IO_THREADS, -1), EINVAL);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_IO_THREADS, INT_MIN), EINVAL);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 0);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 1));

    /*  Max sockets: >= 1.  */
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 100));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS), 100);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 1));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS), 1);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 0), EINVAL);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, -5), EINVAL);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS), 1);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 60000));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS), 60000);

    /*  Max message size: >= 0.  */
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_MAX_MSGSZ, 1000));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_MSGSZ), 1000);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_MAX_MSGSZ, 0));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_MSGSZ), 0);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_MAX_MSGSZ, -1), EINVAL);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_MAX_MSGSZ, INT_MAX));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_MSGSZ), INT_MAX);

    /*  Boolean options: >= 0, any positive value reads back as 1.  */
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IPV6, 1));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IPV6), 1);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IPV6, 5));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IPV6), 1);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IPV6, 0));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IPV6), 0);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_IPV6, -1), EINVAL);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IPV6), 0);

    CHECK_OK (zmq_ctx_set (ctx, ZMQ_BLOCKY, 0));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_BLOCKY), 0);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_BLOCKY, 7));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_BLOCKY), 1);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_BLOCKY, -1), EINVAL);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_BLOCKY), 1);

    CHECK_OK (zmq_ctx_set (ctx, ZMQ_ZERO_COPY_RECV, 0));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_ZERO_COPY_RECV), 0);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_ZERO_COPY_RECV, 3));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_ZERO_COPY_RECV), 1);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_ZERO_COPY_RECV, -1), EINVAL);

    /*  Thread scheduling: >= 0 (the -1 default cannot be set back).  */
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_SCHED_POLICY, 0));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_SCHED_POLICY), 0);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_SCHED_POLICY, 2));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_SCHED_POLICY), 2);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_THREAD_SCHED_POLICY, -1), EINVAL);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_SCHED_POLICY), 2);

    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_PRIORITY, 10));
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_PRIORITY, 0));
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_THREAD_PRIORITY, -1), EINVAL);
    /*  Reading option 3 is ZMQ_SOCKET_LIMIT, not the priority.  */
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_PRIORITY), 65535);

    /*  CPU affinity set: add >= 0; removing a CPU not in the set fails.  */
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, 0));
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, 0));
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, 3));
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, -1), EINVAL);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 0));
    /*  It is a set: the duplicate add did not count twice.  */
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 0),
                 EINVAL);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 5),
                 EINVAL);
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, -1),
                 EINVAL);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 3));
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 3),
                 EINVAL);

    /*  Thread name prefix through the int API: stored as its decimal text,
     *  read back with atoi.  */
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_NAME_PREFIX, 42));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_NAME_PREFIX), 42);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_NAME_PREFIX, -7));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_NAME_PREFIX), -7);

    /*  Read-only and unknown options.  */
    CHECK_ERRNO (zmq_ctx_set (ctx, ZMQ_MSG_T_SIZE, 64), EINVAL);
    CHECK_ERRNO (zmq_ctx_set (ctx, 0, 1), EINVAL);
    CHECK_ERRNO (zmq_ctx_set (ctx, 11, 1), EINVAL);
    CHECK_ERRNO (zmq_ctx_set (ctx, 999, 1), EINVAL);
    CHECK_ERRNO (zmq_ctx_set (ctx, -1, 1), EINVAL);
    CHECK_ERRNO (zmq_ctx_set (ctx, 43, 0), EINVAL);
    /*  The ctx options ZMQ_IPV6 and ZMQ_BLOCKY share the socket option
     *  numbers 42 and 70.  */
    CHECK_EQ (ZMQ_IPV6, 42);
    CHECK_EQ (ZMQ_BLOCKY, 70);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MSG_T_SIZE), 64);

    CHECK_OK (zmq_ctx_term (ctx));

    /*  Options of two contexts are independent.  */
    void *c1 = zmq_ctx_new ();
    void *c2 = zmq_ctx_new ();
    CHECK (c1 != NULL && c2 != NULL && c1 != c2);
    CHECK_OK (zmq_ctx_set (c1, ZMQ_IO_THREADS, 3));
    CHECK_OK (zmq_ctx_set (c2, ZMQ_MAX_SOCKETS, 7));
    CHECK_EQ (zmq_ctx_get (c1, ZMQ_IO_THREADS), 3);
    CHECK_EQ (zmq_ctx_get (c2, ZMQ_IO_THREADS), 1);
    CHECK_EQ (zmq_ctx_get (c1, ZMQ_MAX_SOCKETS), 1023);
    CHECK_EQ (zmq_ctx_get (c2, ZMQ_MAX_SOCKETS), 7);
    CHECK_OK (zmq_ctx_term (c2));
    CHECK_OK (zmq_ctx_term (c1));
    printf ("set/get: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_lifecycle (void)
{
    /*  shutdown then term; shutdown is idempotent.  */
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    CHECK_OK (zmq_ctx_shutdown (ctx));
    CHECK_OK (zmq_ctx_shutdown (ctx));
    CHECK_OK (zmq_ctx_term (ctx));

    /*  Options can still be read/written after shutdown.  */
    ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    CHECK_OK (zmq_ctx_shutdown (ctx));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 1);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 2));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 2);
    CHECK_OK (zmq_ctx_term (ctx));

    /*  Legacy API.  */
    ctx = zmq_init (1);
    CHECK (ctx != NULL);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 1);
    CHECK_OK (zmq_term (ctx));

    ctx = zmq_init (0);
    CHECK (ctx != NULL);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 0);
    CHECK_OK (zmq_ctx_destroy (ctx));

    ctx = zmq_init (3);
    CHECK (ctx != NULL);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 3);
    CHECK_OK (zmq_ctx_destroy (ctx));

    CHECK_ERRNO (zmq_init (-1), EINVAL);
    CHECK_ERRNO (zmq_init (INT_MIN), EINVAL);

    /*  zmq_ctx_destroy is zmq_ctx_term.  */
    ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    CHECK_OK (zmq_ctx_destroy (ctx));
    printf ("lifecycle: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_null (void)
{
    CHECK_ERRNO (zmq_ctx_term (NULL), EFAULT);
    CHECK_ERRNO (zmq_ctx_shutdown (NULL), EFAULT);
    CHECK_ERRNO (zmq_ctx_set (NULL, ZMQ_IO_THREADS, 1), EFAULT);
    CHECK_ERRNO (zmq_ctx_get (NULL, ZMQ_IO_THREADS), EFAULT);
    CHECK_ERRNO (zmq_ctx_destroy (NULL), EFAULT);
    CHECK_ERRNO (zmq_term (NULL), EFAULT);
    CHECK_ERRNO (zmq_socket (NULL, ZMQ_PAIR), EFAULT);
    CHECK_ERRNO (zmq_socket (NULL, ZMQ_PUB), EFAULT);
    CHECK_ERRNO (zmq_socket (NULL, 9999), EFAULT);

    /*  Memory that is not a context (no valid tag) is rejected too.  */
    static unsigned char notctx[65536];
    memset (notctx, 0, sizeof notctx);
    CHECK_ERRNO (zmq_ctx_term (notctx), EFAULT);
    CHECK_ERRNO (zmq_ctx_shutdown (notctx), EFAULT);
    CHECK_ERRNO (zmq_ctx_set (notctx, ZMQ_IO_THREADS, 1), EFAULT);
    CHECK_ERRNO (zmq_ctx_get (notctx, ZMQ_IO_THREADS), EFAULT);
    CHECK_ERRNO (zmq_socket (notctx, ZMQ_PAIR), EFAULT);
    printf ("null: ok\n");
}

/* ------------------------------------------------------------------------ */
static void ctx_churn (void *arg)
{
    int n = *(int *) arg;
    for (int i = 0; i < n; i++) {
        void *ctx = zmq_ctx_new ();
        CHECK (ctx != NULL);
        CHECK_OK (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 1 + (i % 3)));
        CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 1 + (i % 3));
        if (i % 2)
            CHECK_OK (zmq_ctx_shutdown (ctx));
        CHECK_OK (zmq_ctx_term (ctx));
    }
}

static void test_many (void)
{
    int n = 500;
    ctx_churn (&n);

    /*  Many live at once.  */
    void *ctxs[64];
    for (int i = 0; i < 64; i++) {
        ctxs[i] = zmq_ctx_new ();
        CHECK (ctxs[i] != NULL);
        for (int j = 0; j < i; j++)
            CHECK (ctxs[j] != ctxs[i]);
    }
    for (int i = 63; i >= 0; i--)
        CHECK_OK (zmq_ctx_term (ctxs[i]));

    /*  From several threads.  */
    int per_thread = 200;
    void *threads[4];
    for (int i = 0; i < 4; i++) {
        threads[i] = zmq_threadstart (ctx_churn, &per_thread);
        CHECK (threads[i] != NULL);
    }
    for (int i = 0; i < 4; i++)
        zmq_threadclose (threads[i]);
    printf ("many: ok\n");
}

int main (void)
{
    test_init ();
    test_defaults ();
    test_set_get ();
    test_lifecycle ();
    test_null ();
    test_many ();
    test_done ("test_ctx");
    return 0;
}
