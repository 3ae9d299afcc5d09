/*  fork() with our library, where libzmq's behaviour is an accident of its
 *  implementation. In the child, a context inherited from the parent:
 *  - refuses new sockets with ETERM (its I/O threads are in the parent; a
 *    libzmq socket made there never gets its connections started);
 *  - zmq_close of an inherited socket returns 0 at once (nothing is sent to
 *    the parent's threads, nothing is flushed);
 *  - zmq_ctx_term returns 0 at once, even with inherited sockets left open,
 *    and the handle is gone afterwards (EFAULT); libzmq returns -1 with EINTR
 *    and keeps the context, so a retry loop on EINTR never ends there;
 *  - a socket left open can still be closed after that.
 *  The parent's sockets are unaffected, before and after the child exits.  */
#include "testutil_msg.h"
#include "testutil_fork.h"


static void child (void *ctx, void *push, void *pull)
{
    alarm (TEST_WATCHDOG_SECONDS);
    long long start = tu_now_us ();
    CHECK (zmq_socket (ctx, ZMQ_PAIR) == NULL);
    CHECK_EQ (zmq_errno (), ETERM);
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_ctx_term (ctx));
    CHECK_ERRNO (zmq_ctx_term (ctx), EFAULT);
    CHECK_OK (zmq_close (pull));
    CHECK_ERRNO (zmq_close (pull), ENOTSOCK);
    long long took = tu_now_us () - start;
    if (took > 1000000LL) {
        fprintf (stderr, "child: the inherited context took %lld ms to let go\n", took / 1000);
        exit (10);
    }
    exit (0);
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    void *pull = new_socket (ctx, ZMQ_PULL);
    void *push = new_socket (ctx, ZMQ_PUSH);
    char endpoint[256];
    CHECK_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
    last_endpoint (pull, endpoint, sizeof endpoint);
    CHECK_OK (zmq_connect (push, endpoint));
    send_str (push, "before", 0);
    CHECK_STREQ (recv_str (pull, 0), "before");
    fflush (stdout);
    fflush (stderr);

    pid_t pid = fork ();
    CHECK (pid >= 0);
    if (pid == 0)
        child (ctx, push, pull);

    /*  While the child runs, and after.  */
    send_str (push, "during", 0);
    CHECK_STREQ (recv_str (pull, 0), "during");
    tu_reap_child (pid);
    send_str (push, "after", 0);
    CHECK_STREQ (recv_str (pull, 0), "after");
    void *late = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (late, endpoint));
    send_str (late, "new connection", 0);
    CHECK_STREQ (recv_str (pull, 0), "new connection");

    CHECK_OK (zmq_close (late));
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("ours_fork");
    return 0;
}
