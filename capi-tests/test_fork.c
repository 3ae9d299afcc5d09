/*  fork(): the child of a process that uses ZeroMQ closes the sockets and
 *  terminates the context it inherited (as libzmq's test_fork does; neither
 *  may wait for the parent's I/O threads: together they must return within
 *  2 s), then makes a context of its own and works with it: inproc, tcp
 *  inside the child, and tcp to the parent. The parent's context is
 *  unaffected: its tcp, ipc and inproc sockets work before and after, and the
 *  child closing the inherited ipc listener leaves the parent's socket file
 *  alone (a new connection to it works after the child is gone).
 *
 *  The return values of zmq_close/zmq_ctx_term in the child are not
 *  compared: libzmq's zmq_ctx_term returns -1 with EINTR there, ours 0
 *  (ours_fork.c checks ours). Nothing timing- or port-dependent is
 *  printed.  */
#include "testutil_msg.h"
#include "testutil_fork.h"


#define CHILD_MESSAGES 10

/*  The child: never returns.  */
static void child (void *inherited_ctx, void **inherited, int count, const char *parent_endpoint)
{
    /*  A pending alarm is not inherited: arm the child's own watchdog.  */
    alarm (TEST_WATCHDOG_SECONDS);
    long long start = tu_now_us ();
    for (int i = 0; i < count; i++)
        zmq_close (inherited[i]);
    zmq_ctx_term (inherited_ctx);
    long long took = tu_now_us () - start;
    if (took > 2000000LL) {
        fprintf (stderr, "child: closing what it inherited took %lld ms\n", took / 1000);
        exit (10);
    }

    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://child"));
    CHECK_OK (zmq_connect (b, "inproc://child"));
    bounce (a, b);

    void *pull = new_socket (ctx, ZMQ_PULL);
    void *push = new_socket (ctx, ZMQ_PUSH);
    char endpoint[256];
    CHECK_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
    last_endpoint (pull, endpoint, sizeof endpoint);
    CHECK_OK (zmq_connect (push, endpoint));
    send_str (push, "inside the child", 0);
    CHECK_STREQ (recv_str (pull, 0), "inside the child");

    /*  LINGER 10 s: zmq_ctx_term returns once the parent has it all.  */
    void *to_parent = new_socket (ctx, ZMQ_PUSH);
    set_int (to_parent, ZMQ_LINGER, 10000);
    CHECK_OK (zmq_connect (to_parent, parent_endpoint));
    for (int i = 0; i < CHILD_MESSAGES; i++) {
        char text[32];
        snprintf (text, sizeof text, "from the child %d", i);
        send_str (to_parent, text, 0);
    }

    void *mine[] = {a, b, pull, push, to_parent};
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++)
        CHECK_OK (zmq_close (mine[i]));
    CHECK_OK (zmq_ctx_term (ctx));
    exit (0);
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    /*  tcp: a PULL the child will send to, and a PUSH of the parent's own.  */
    void *pull = new_socket_with_timeout (ctx, ZMQ_PULL, 20000);
    char tcp_endpoint[256];
    CHECK_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
    last_endpoint (pull, tcp_endpoint, sizeof tcp_endpoint);
    void *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, tcp_endpoint));
    send_str (push, "parent before", 0);
    CHECK_STREQ (recv_str (pull, 0), "parent before");

    /*  ipc, in a directory of its own.  */
    char directory[] = "/tmp/zmq-test-fork-XXXXXX";
    CHECK (mkdtemp (directory) != NULL);
    char path[PATH_MAX], ipc_endpoint[PATH_MAX + 8];
    snprintf (path, sizeof path, "%s/parent", directory);
    snprintf (ipc_endpoint, sizeof ipc_endpoint, "ipc://%s", path);
    void *ipc_pull = new_socket (ctx, ZMQ_PULL);
    void *ipc_push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_bind (ipc_pull, ipc_endpoint));
    CHECK_OK (zmq_connect (ipc_push, ipc_endpoint));
    send_str (ipc_push, "ipc before", 0);
    CHECK_STREQ (recv_str (ipc_pull, 0), "ipc before");

    /*  inproc.  */
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://parent"));
    CHECK_OK (zmq_connect (b, "inproc://parent"));
    bounce (a, b);
    printf ("parent: tcp, ipc and inproc work before the fork\n");
    fflush (stdout);
    fflush (stderr);

    pid_t pid = fork ();
    CHECK (pid >= 0);
    if (pid == 0) {
        void *inherited[] = {pull, push, ipc_pull, ipc_push, a, b};
        child (ctx, inherited, (int) (sizeof inherited / sizeof inherited[0]), tcp_endpoint);
    }

    for (int i = 0; i < CHILD_MESSAGES; i++) {
        char text[32];
        snprintf (text, sizeof text, "from the child %d", i);
        CHECK_STREQ (recv_str (pull, 0), text);
    }
    printf ("parent: %d messages, in order, from the child's own context\n", CHILD_MESSAGES);
    tu_reap_child (pid);
    printf ("child: closed what it inherited at once, then used inproc and tcp on a "
            "context of its own, and exited 0\n");

    send_str (push, "parent after", 0);
    CHECK_STREQ (recv_str (pull, 0), "parent after");
    send_str (ipc_push, "ipc after", 0);
    CHECK_STREQ (recv_str (ipc_pull, 0), "ipc after");
    void *late = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (late, ipc_endpoint));
    send_str (late, "new ipc connection", 0);
    CHECK_STREQ (recv_str (ipc_pull, 0), "new ipc connection");
    bounce (a, b);
    printf ("parent: tcp, ipc (old and new connections) and inproc work after the child\n");

    void *sockets[] = {pull, push, ipc_pull, ipc_push, late, a, b};
    for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++)
        CHECK_OK (zmq_close (sockets[i]));
    CHECK_OK (zmq_ctx_term (ctx));
    unlink (path);
    CHECK_OK (rmdir (directory));
    test_done ("test_fork");
    return 0;
}
