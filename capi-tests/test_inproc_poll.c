/*  zmq_poll over inproc sockets and a raw pipe(2) fd, then the ZMQ_FD +
 *  ZMQ_EVENTS edge-triggered consumer loop against a bursty producer
 *  thread.  */
#include "testutil.h"

#include <poll.h>
#include <pthread.h>



static void print_revents (const char *label, zmq_pollitem_t *items, int n,
                           int rc)
{
    printf ("%s: rc %d revents", label, rc);
    for (int i = 0; i < n; i++)
        printf (" %d", items[i].revents);
    printf ("\n");
}

static void test_poll_items (void *ctx)
{
    void *pull1 = new_socket (ctx, ZMQ_PULL);
    void *pull2 = new_socket (ctx, ZMQ_PULL);
    void *push1 = new_socket (ctx, ZMQ_PUSH);
    void *push2 = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_bind (pull1, "inproc://poll-1"));
    CHECK_OK (zmq_bind (pull2, "inproc://poll-2"));
    CHECK_OK (zmq_connect (push1, "inproc://poll-1"));
    CHECK_OK (zmq_connect (push2, "inproc://poll-2"));
    int fds[2];
    CHECK_EQ (pipe (fds), 0);

    zmq_pollitem_t items[3];
    memset (items, 0, sizeof items);
    items[0].socket = pull1;
    items[0].events = ZMQ_POLLIN;
    items[1].socket = pull2;
    items[1].events = ZMQ_POLLIN;
    items[2].socket = NULL;
    items[2].fd = fds[0];
    items[2].events = ZMQ_POLLIN;

    /*  Nothing ready, timeout 0.  */
    int rc = zmq_poll (items, 3, 0);
    print_revents ("idle, timeout 0", items, 3, rc);
    CHECK_EQ (rc, 0);

    /*  Nothing ready, timeout 100 ms: honoured.  */
    long long t0 = tu_now_us ();
    rc = zmq_poll (items, 3, 100);
    long long dt = tu_now_us () - t0;
    print_revents ("idle, timeout 100", items, 3, rc);
    CHECK_EQ (rc, 0);
    CHECK (dt >= 80000);
    CHECK (dt < 5000000);

    /*  A message for the second socket.  */
    CHECK_EQ (zmq_send (push2, "b", 1, 0), 1);
    rc = zmq_poll (items, 3, 2000);
    print_revents ("message on pull2", items, 3, rc);
    CHECK_EQ (rc, 1);
    /*  Still ready until it is read.  */
    rc = zmq_poll (items, 3, 0);
    print_revents ("again", items, 3, rc);
    char buf[8];
    CHECK_EQ (zmq_recv (pull2, buf, sizeof buf, 0), 1);
    rc = zmq_poll (items, 3, 0);
    print_revents ("after recv", items, 3, rc);
    CHECK_EQ (rc, 0);

    /*  Data on the pipe.  */
    CHECK_EQ (write (fds[1], "p", 1), 1);
    rc = zmq_poll (items, 3, 2000);
    print_revents ("pipe written", items, 3, rc);
    CHECK_EQ (rc, 1);

    /*  Pipe and first socket together.  */
    CHECK_EQ (zmq_send (push1, "a", 1, 0), 1);
    rc = zmq_poll (items, 3, 2000);
    print_revents ("pipe and pull1", items, 3, rc);
    CHECK_EQ (rc, 2);
    CHECK_EQ (read (fds[0], buf, sizeof buf), 1);
    CHECK_EQ (zmq_recv (pull1, buf, sizeof buf, 0), 1);
    rc = zmq_poll (items, 3, 0);
    print_revents ("all drained", items, 3, rc);
    CHECK_EQ (rc, 0);

    /*  A message arriving from another thread while polling.  */
    /*  (covered by the ZMQ_FD test below)  */

    /*  POLLOUT on a PUSH with a connected peer; none on one without.  */
    void *lonely = new_socket (ctx, ZMQ_PUSH);
    zmq_pollitem_t out[3];
    memset (out, 0, sizeof out);
    out[0].socket = push1;
    out[0].events = ZMQ_POLLOUT;
    out[1].socket = lonely;
    out[1].events = ZMQ_POLLOUT;
    out[2].socket = pull1;
    out[2].events = ZMQ_POLLIN | ZMQ_POLLOUT;
    rc = zmq_poll (out, 3, 0);
    print_revents ("pollout", out, 3, rc);
    CHECK_EQ (rc, 1);
    CHECK_EQ (out[0].revents, ZMQ_POLLOUT);

    /*  The pipe's write end is writable.  */
    zmq_pollitem_t wr = {NULL, fds[1], ZMQ_POLLOUT, 0};
    rc = zmq_poll (&wr, 1, 0);
    printf ("pipe write end: rc %d revents %d\n", rc, wr.revents);

    /*  Items with events 0 are never reported.  */
    out[0].events = 0;
    rc = zmq_poll (out, 1, 0);
    print_revents ("events 0", out, 1, rc);
    CHECK_EQ (rc, 0);

    /*  POLLOUT stops when the queue is full, and comes back after a
     *  recv.  */
    void *push3 = new_socket (ctx, ZMQ_PUSH);
    void *pull3 = new_socket (ctx, ZMQ_PULL);
    set_int (push3, ZMQ_SNDHWM, 1);
    set_int (pull3, ZMQ_RCVHWM, 1);
    CHECK_OK (zmq_bind (pull3, "inproc://poll-3"));
    CHECK_OK (zmq_connect (push3, "inproc://poll-3"));
    int n = 0;
    while (n < 100 && zmq_send (push3, "x", 1, ZMQ_DONTWAIT) == 1)
        n++;
    out[0].socket = push3;
    out[0].events = ZMQ_POLLOUT;
    t0 = tu_now_us ();
    rc = zmq_poll (out, 1, 100);
    dt = tu_now_us () - t0;
    printf ("full after %d: ", n);
    print_revents ("pollout", out, 1, rc);
    CHECK_EQ (rc, 0);
    CHECK (dt >= 80000);
    CHECK_EQ (zmq_recv (pull3, buf, sizeof buf, 0), 1);
    CHECK_EQ (zmq_recv (pull3, buf, sizeof buf, 0), 1);
    rc = zmq_poll (out, 1, 2000);
    print_revents ("drained, pollout", out, 1, rc);
    CHECK_EQ (rc, 1);
    CHECK_OK (zmq_close (push3));
    CHECK_OK (zmq_close (pull3));

    /*  zmq_poll with only a raw fd.  */
    CHECK_EQ (write (fds[1], "q", 1), 1);
    rc = zmq_poll (&items[2], 1, 1000);
    print_revents ("fd only", &items[2], 1, rc);
    CHECK_EQ (read (fds[0], buf, sizeof buf), 1);

    close (fds[0]);
    close (fds[1]);
    CHECK_OK (zmq_close (lonely));
    CHECK_OK (zmq_close (pull1));
    CHECK_OK (zmq_close (pull2));
    CHECK_OK (zmq_close (push1));
    CHECK_OK (zmq_close (push2));
}

#define N 1000
#define BURST 37

struct producer
{
    void *push;
    int sent;
};

static void *produce (void *arg)
{
    struct producer *p = (struct producer *) arg;
    for (int i = 0; i < N; i++) {
        if (zmq_send (p->push, &i, sizeof i, 0) != sizeof i)
            break;
        p->sent++;
        if (i % BURST == BURST - 1)
            tu_sleep_ms (1);
    }
    return NULL;
}

static void test_fd_events (void *ctx)
{
    void *pull = new_socket (ctx, ZMQ_PULL);
    void *push = new_socket (ctx, ZMQ_PUSH);
    /*  Small queues so that the producer is throttled by the consumer.  */
    set_int (push, ZMQ_SNDHWM, 10);
    set_int (pull, ZMQ_RCVHWM, 10);
    set_int (push, ZMQ_SNDTIMEO, 20000);
    CHECK_OK (zmq_bind (pull, "inproc://poll-fd"));
    CHECK_OK (zmq_connect (push, "inproc://poll-fd"));

#ifdef _WIN32
    SOCKET fd;
#else
    int fd = -1;
#endif
    size_t len = sizeof fd;
    CHECK_OK (zmq_getsockopt (pull, ZMQ_FD, &fd, &len));
    CHECK_EQ (len, sizeof fd);
    CHECK (fd >= 0);
    /*  The same fd every time.  */
    int fd2 = -1;
    len = sizeof fd2;
    CHECK_OK (zmq_getsockopt (pull, ZMQ_FD, &fd2, &len));
    CHECK_EQ (fd2, fd);
    /*  Too small a buffer.  */
    char small = 0;
    len = sizeof small;
    CHECK_ERRNO (zmq_getsockopt (pull, ZMQ_FD, &small, &len), EINVAL);

    int events = 0;
    len = sizeof events;
    CHECK_OK (zmq_getsockopt (pull, ZMQ_EVENTS, &events, &len));
    printf ("PULL events before any message: %d\n", events);
    len = sizeof events;
    CHECK_OK (zmq_getsockopt (push, ZMQ_EVENTS, &events, &len));
    printf ("PUSH events with a peer: %d\n", events);

    struct producer p = {push, 0};
    pthread_t t;
    CHECK_EQ (pthread_create (&t, NULL, produce, &p), 0);

    int received = 0;
    int expect = 0;
    long long deadline = tu_now_us () + 30000000LL;
    while (received < N) {
        CHECK (tu_now_us () < deadline);
        /*  Drain everything that ZMQ_EVENTS says is there.  */
        for (;;) {
            events = 0;
            len = sizeof events;
            CHECK_OK (zmq_getsockopt (pull, ZMQ_EVENTS, &events, &len));
            if (!(events & ZMQ_POLLIN))
                break;
            int v = -1;
            int rc = zmq_recv (pull, &v, sizeof v, ZMQ_DONTWAIT);
            if (rc == -1) {
                CHECK_EQ (zmq_errno (), EAGAIN);
                continue;
            }
            CHECK_EQ (rc, sizeof v);
            CHECK_EQ (v, expect);
            expect++;
            received++;
        }
        if (received == N)
            break;
        /*  Edge-triggered: only wait after ZMQ_EVENTS said "no POLLIN".  */
        struct pollfd pfd = {fd, POLLIN, 0};
        int rc = poll (&pfd, 1, 100);
        CHECK (rc >= 0);
    }
    CHECK_EQ (pthread_join (t, NULL), 0);
    CHECK_EQ (p.sent, N);
    printf ("ZMQ_FD loop: received %d of %d in order\n", received, N);

    /*  Nothing more.  */
    events = 0;
    len = sizeof events;
    CHECK_OK (zmq_getsockopt (pull, ZMQ_EVENTS, &events, &len));
    printf ("PULL events after draining: %d\n", events);

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    test_poll_items (ctx);
    test_fd_events (ctx);

    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_inproc_poll");
    return 0;
}
