/*  A blocking receive interrupted by a signal returns -1 with EINTR, as libzmq's
 *  does (the handler is installed without SA_RESTART).  */
#include "testutil.h"

#include <pthread.h>

static volatile sig_atomic_t g_signalled;
static volatile int g_returned;

static void on_signal (int sig)
{
    (void) sig;
    g_signalled = 1;
}

struct target
{
    pthread_t thread;
};

static void *interrupter (void *arg)
{
    struct target *target = arg;
    /*  Keep signalling until the receive has returned: a signal that comes before
     *  it blocks interrupts nothing.  */
    for (int i = 0; i < 200 && !__atomic_load_n (&g_returned, __ATOMIC_SEQ_CST); i++) {
        usleep (20 * 1000);
        pthread_kill (target->thread, SIGUSR1);
    }
    return NULL;
}

int main (void)
{
    test_init ();

    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset (&action.sa_mask);
    action.sa_flags = 0; /*  no SA_RESTART  */
    CHECK_OK (sigaction (SIGUSR1, &action, NULL));

    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (pull != NULL);
    CHECK_OK (zmq_bind (pull, "inproc://eintr"));

    struct target target = {pthread_self ()};
    pthread_t thread;
    CHECK (pthread_create (&thread, NULL, interrupter, &target) == 0);

    char buf[8];
    int rc = zmq_recv (pull, buf, sizeof buf, 0);
    int err = zmq_errno ();
    __atomic_store_n (&g_returned, 1, __ATOMIC_SEQ_CST);
    CHECK_EQ (rc, -1);
    CHECK_EQ (err, EINTR);
    CHECK (g_signalled);
    printf ("blocking recv interrupted: EINTR\n");

    pthread_join (thread, NULL);

    /*  The socket still works afterwards.  */
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, "inproc://eintr"));
    CHECK_EQ (zmq_send (push, "ok", 2, 0), 2);
    int timeout = 5000;
    CHECK_OK (zmq_setsockopt (pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    CHECK_EQ (zmq_recv (pull, buf, sizeof buf, 0), 2);

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_ctx_term (ctx));
    printf ("ok test_inproc_eintr\n");
    return 0;
}
