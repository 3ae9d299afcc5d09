/*  The draft zmq_poller API (Debian's libzmq exports none of it): handles and
 *  errno as libzmq 4.3.5 (EFAULT, ENOTSOCK, EBADF, EINVAL, EAGAIN), sockets and
 *  a pipe reported in the order added with their user data, level-triggered,
 *  a too-small events array, the tail of the array blanked, zmq_poller_wait,
 *  SERVER/CLIENT with zmq_poller_fd under poll(2), ETERM when the context shuts
 *  down during a wait, and 1000 sockets with one active.  */
#include "testutil.h"

#include <poll.h>
#include <pthread.h>

static void check_event (const zmq_poller_event_t *event,
                         void *socket,
                         int fd,
                         void *user_data,
                         short events)
{
    CHECK (event->socket == socket);
    CHECK_EQ (event->fd, fd);
    CHECK (event->user_data == user_data);
    CHECK_EQ (event->events, events);
}

static void test_handles_and_errno (void *ctx)
{
    void *null_poller = NULL;
    void *socket = new_socket (ctx, ZMQ_PAIR);
    zmq_poller_event_t event;
    zmq_fd_t fd;
    void *bad_pollers[] = {NULL, &null_poller, socket};
    for (int i = 0; i < 3; i++) {
        void *bad = bad_pollers[i];
        CHECK_ERRNO (zmq_poller_size (bad), EFAULT);
        CHECK_ERRNO (zmq_poller_add (bad, socket, NULL, ZMQ_POLLIN), EFAULT);
        CHECK_ERRNO (zmq_poller_modify (bad, socket, ZMQ_POLLIN), EFAULT);
        CHECK_ERRNO (zmq_poller_remove (bad, socket), EFAULT);
        CHECK_ERRNO (zmq_poller_add_fd (bad, 0, NULL, ZMQ_POLLIN), EFAULT);
        CHECK_ERRNO (zmq_poller_modify_fd (bad, 0, ZMQ_POLLIN), EFAULT);
        CHECK_ERRNO (zmq_poller_remove_fd (bad, 0), EFAULT);
        CHECK_ERRNO (zmq_poller_wait (bad, &event, 0), EFAULT);
        check_event (&event, NULL, -1, NULL, 0);
        CHECK_ERRNO (zmq_poller_wait_all (bad, &event, 1, 0), EFAULT);
        CHECK_ERRNO (zmq_poller_fd (bad, &fd), EFAULT);
    }
    CHECK_ERRNO (zmq_poller_destroy (NULL), EFAULT);
    CHECK_ERRNO (zmq_poller_destroy (&null_poller), EFAULT);

    void *poller = zmq_poller_new ();
    CHECK (poller != NULL);
    CHECK_EQ (zmq_poller_size (poller), 0);
    CHECK_ERRNO (zmq_poller_add (poller, NULL, NULL, ZMQ_POLLIN), ENOTSOCK);
    CHECK_ERRNO (zmq_poller_add (poller, &null_poller, NULL, ZMQ_POLLIN),
                 ENOTSOCK);
    CHECK_ERRNO (zmq_poller_modify (poller, NULL, ZMQ_POLLIN), ENOTSOCK);
    CHECK_ERRNO (zmq_poller_remove (poller, NULL), ENOTSOCK);
    CHECK_ERRNO (zmq_poller_add_fd (poller, -1, NULL, ZMQ_POLLIN), EBADF);
    CHECK_ERRNO (zmq_poller_modify_fd (poller, -1, ZMQ_POLLIN), EBADF);
    CHECK_ERRNO (zmq_poller_remove_fd (poller, -1), EBADF);
    CHECK_ERRNO (zmq_poller_add (poller, socket, NULL, SHRT_MAX), EINVAL);
    CHECK_ERRNO (zmq_poller_modify (poller, socket, ZMQ_POLLIN), EINVAL);
    CHECK_ERRNO (zmq_poller_remove (poller, socket), EINVAL);

    /*  Empty: EAGAIN at once or after the timeout, EFAULT for ever.  */
    CHECK_ERRNO (zmq_poller_wait (poller, &event, 0), EAGAIN);
    long long start = tu_now_us ();
    CHECK_ERRNO (zmq_poller_wait (poller, &event, 50), EAGAIN);
    CHECK (tu_now_us () - start >= 45000);
    CHECK_ERRNO (zmq_poller_wait (poller, &event, -1), EFAULT);
    CHECK_ERRNO (zmq_poller_wait_all (poller, &event, 0, -1), EFAULT);
    CHECK_ERRNO (zmq_poller_wait_all (poller, NULL, 1, 0), EFAULT);
    CHECK_ERRNO (zmq_poller_wait_all (poller, &event, -1, 0), EINVAL);

    /*  Registered, but with no events: the same.  */
    CHECK_OK (zmq_poller_add (poller, socket, NULL, 0));
    CHECK_ERRNO (zmq_poller_add (poller, socket, NULL, ZMQ_POLLIN), EINVAL);
    CHECK_ERRNO (zmq_poller_modify (poller, socket, SHRT_MAX), EINVAL);
    CHECK_EQ (zmq_poller_size (poller), 1);
    CHECK_ERRNO (zmq_poller_wait_all (poller, &event, 1, 0), EAGAIN);
    CHECK_ERRNO (zmq_poller_wait_all (poller, &event, 1, -1), EFAULT);
    /*  A PAIR alone: no descriptor (libzmq has one for thread-safe sockets).  */
    CHECK_ERRNO (zmq_poller_fd (poller, &fd), EINVAL);
    CHECK_OK (zmq_poller_destroy (&poller));
    CHECK (poller == NULL);
    CHECK_ERRNO (zmq_poller_destroy (&poller), EFAULT);
    CHECK_OK (zmq_close (socket));
}

static void test_sockets_and_a_pipe (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *a_peer = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    void *b_peer = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://poller-a"));
    CHECK_OK (zmq_connect (a_peer, "inproc://poller-a"));
    CHECK_OK (zmq_bind (b, "inproc://poller-b"));
    CHECK_OK (zmq_connect (b_peer, "inproc://poller-b"));
    int fds[2];
    CHECK_EQ (pipe (fds), 0);
    int a_data, b_data, pipe_data;

    void *poller = zmq_poller_new ();
    CHECK (poller != NULL);
    CHECK_OK (zmq_poller_add (poller, b, &b_data, ZMQ_POLLIN));
    CHECK_OK (zmq_poller_add_fd (poller, fds[0], &pipe_data, ZMQ_POLLIN));
    CHECK_OK (zmq_poller_add (poller, a, &a_data, ZMQ_POLLIN));
    CHECK_ERRNO (zmq_poller_add_fd (poller, fds[0], NULL, ZMQ_POLLIN), EINVAL);
    CHECK_EQ (zmq_poller_size (poller), 3);

    zmq_poller_event_t events[4];
    CHECK_ERRNO (zmq_poller_wait_all (poller, events, 4, 0), EAGAIN);
    CHECK_EQ (zmq_send (a_peer, "1", 1, 0), 1);
    CHECK_EQ (zmq_send (b_peer, "2", 1, 0), 1);
    CHECK_EQ (write (fds[1], "x", 1), 1);
    /*  Level-triggered: the same three, in the order added, until consumed; the
     *  rest of the array blanked.  */
    for (int round = 0; round < 2; round++) {
        memset (events, 0x55, sizeof events);
        CHECK_EQ (zmq_poller_wait_all (poller, events, 4, 1000), 3);
        check_event (&events[0], b, -1, &b_data, ZMQ_POLLIN);
        check_event (&events[1], NULL, fds[0], &pipe_data, ZMQ_POLLIN);
        check_event (&events[2], a, -1, &a_data, ZMQ_POLLIN);
        check_event (&events[3], NULL, -1, NULL, 0);
    }
    /*  Room for one: the first; the others when it is consumed.  */
    CHECK_OK (zmq_poller_wait (poller, &events[0], 0));
    check_event (&events[0], b, -1, &b_data, ZMQ_POLLIN);
    char byte;
    CHECK_EQ (zmq_recv (b, &byte, 1, 0), 1);
    CHECK_EQ (zmq_poller_wait_all (poller, events, 1, 0), 1);
    check_event (&events[0], NULL, fds[0], &pipe_data, ZMQ_POLLIN);
    CHECK_EQ (read (fds[0], &byte, 1), 1);
    CHECK_EQ (zmq_poller_wait_all (poller, events, 1, 0), 1);
    check_event (&events[0], a, -1, &a_data, ZMQ_POLLIN);
    CHECK_EQ (zmq_recv (a, &byte, 1, 0), 1);
    CHECK_ERRNO (zmq_poller_wait_all (poller, events, 4, 0), EAGAIN);

    /*  Modify: ZMQ_POLLOUT on a socket and on the pipe's write end.  */
    CHECK_OK (zmq_poller_modify (poller, a, ZMQ_POLLIN | ZMQ_POLLOUT));
    CHECK_OK (zmq_poller_add_fd (poller, fds[1], NULL, ZMQ_POLLOUT));
    CHECK_EQ (zmq_poller_wait_all (poller, events, 4, 0), 2);
    check_event (&events[0], a, -1, &a_data, ZMQ_POLLOUT);
    check_event (&events[1], NULL, fds[1], NULL, ZMQ_POLLOUT);
    CHECK_OK (zmq_poller_modify_fd (poller, fds[1], 0));
    CHECK_OK (zmq_poller_remove (poller, a));
    CHECK_ERRNO (zmq_poller_remove (poller, a), EINVAL);
    CHECK_ERRNO (zmq_poller_wait_all (poller, events, 4, 0), EAGAIN);

    /*  A new message is seen at once.  */
    long long start = tu_now_us ();
    CHECK_EQ (zmq_send (b_peer, "3", 1, 0), 1);
    CHECK_OK (zmq_poller_wait (poller, &events[0], 5000));
    CHECK (tu_now_us () - start < 4000000);
    check_event (&events[0], b, -1, &b_data, ZMQ_POLLIN);
    CHECK_EQ (zmq_recv (b, &byte, 1, 0), 1);

    /*  A writer gone: the reader is hung up (ZMQ_POLLERR).  */
    CHECK_OK (zmq_poller_remove_fd (poller, fds[1]));
    close (fds[1]);
    CHECK_EQ (zmq_poller_wait_all (poller, events, 4, 0), 1);
    check_event (&events[0], NULL, fds[0], &pipe_data, ZMQ_POLLERR);
    CHECK_OK (zmq_poller_remove_fd (poller, fds[0]));
    CHECK_ERRNO (zmq_poller_remove_fd (poller, fds[0]), EINVAL);
    close (fds[0]);
    CHECK_EQ (zmq_poller_size (poller), 1);
    CHECK_OK (zmq_poller_destroy (&poller));
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (a_peer));
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (b_peer));
}

static int readable (zmq_fd_t fd, int timeout_ms)
{
    struct pollfd item = {fd, POLLIN, 0};
    return poll (&item, 1, timeout_ms) == 1;
}

static void *send_later (void *client)
{
    tu_sleep_ms (50);
    CHECK_EQ (zmq_send (client, "hello", 5, 0), 5);
    return NULL;
}

static void test_thread_safe_sockets (void *ctx)
{
    void *server = new_socket (ctx, ZMQ_SERVER);
    void *client = new_socket (ctx, ZMQ_CLIENT);
    CHECK_OK (zmq_bind (server, "tcp://127.0.0.1:*"));
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK_OK (zmq_getsockopt (server, ZMQ_LAST_ENDPOINT, endpoint, &size));
    CHECK_OK (zmq_connect (client, endpoint));

    void *poller = zmq_poller_new ();
    CHECK_OK (zmq_poller_add (poller, server, NULL, ZMQ_POLLIN));
    zmq_fd_t fd;
    CHECK_OK (zmq_poller_fd (poller, &fd));
    CHECK (fd >= 0);
    zmq_poller_event_t event;
    CHECK_ERRNO (zmq_poller_wait (poller, &event, 0), EAGAIN);

    /*  The poller's descriptor wakes a poll(2) when a message comes (or when
     *  something else may have changed: then look again).  */
    pthread_t thread;
    CHECK_EQ (pthread_create (&thread, NULL, send_later, client), 0);
    long long start = tu_now_us ();
    do {
        CHECK (tu_now_us () - start < 5000000);
        CHECK (readable (fd, 5000));
    } while (zmq_poller_wait (poller, &event, 0) != 0);
    CHECK_EQ (pthread_join (thread, NULL), 0);
    check_event (&event, server, -1, NULL, ZMQ_POLLIN);
    /*  Level-triggered: readable while the server is.  */
    CHECK (readable (fd, 0));
    char buffer[8];
    CHECK_EQ (zmq_recv (server, buffer, sizeof buffer, 0), 5);
    CHECK_ERRNO (zmq_poller_wait (poller, &event, 0), EAGAIN);

    /*  A SERVER can always send.  */
    CHECK_OK (zmq_poller_modify (poller, server, ZMQ_POLLIN | ZMQ_POLLOUT));
    CHECK_OK (zmq_poller_wait (poller, &event, 0));
    check_event (&event, server, -1, NULL, ZMQ_POLLOUT);
    CHECK_OK (zmq_poller_destroy (&poller));
    CHECK_OK (zmq_close (server));
    CHECK_OK (zmq_close (client));
}

static void *shut_down_later (void *ctx)
{
    tu_sleep_ms (50);
    CHECK_OK (zmq_ctx_shutdown (ctx));
    return NULL;
}

static void test_eterm (void)
{
    void *ctx = zmq_ctx_new ();
    void *pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "inproc://poller-eterm"));
    void *poller = zmq_poller_new ();
    CHECK_OK (zmq_poller_add (poller, pull, NULL, ZMQ_POLLIN));
    pthread_t thread;
    CHECK_EQ (pthread_create (&thread, NULL, shut_down_later, ctx), 0);
    zmq_poller_event_t event;
    CHECK_ERRNO (zmq_poller_wait (poller, &event, 10000), ETERM);
    CHECK_ERRNO (zmq_poller_wait (poller, &event, 0), ETERM);
    CHECK_EQ (pthread_join (thread, NULL), 0);
    CHECK_OK (zmq_poller_destroy (&poller));
    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_ctx_term (ctx));
}

#define MANY 1000

static void test_many_sockets (void *ctx)
{
    static void *pulls[MANY];
    static zmq_poller_event_t events[MANY];
    void *poller = zmq_poller_new ();
    for (int i = 0; i < MANY; i++) {
        char endpoint[64];
        snprintf (endpoint, sizeof endpoint, "inproc://poller-many-%d", i);
        pulls[i] = new_socket (ctx, ZMQ_PULL);
        CHECK_OK (zmq_bind (pulls[i], endpoint));
        CHECK_OK (zmq_poller_add (poller, pulls[i], &pulls[i], ZMQ_POLLIN));
    }
    void *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, "inproc://poller-many-700"));
    CHECK_ERRNO (zmq_poller_wait_all (poller, events, MANY, 0), EAGAIN);
    for (int round = 0; round < 100; round++) {
        CHECK_EQ (zmq_send (push, "m", 1, 0), 1);
        CHECK_EQ (zmq_poller_wait_all (poller, events, MANY, 1000), 1);
        check_event (&events[0], pulls[700], -1, &pulls[700], ZMQ_POLLIN);
        char byte;
        CHECK_EQ (zmq_recv (pulls[700], &byte, 1, 0), 1);
    }
    CHECK_ERRNO (zmq_poller_wait_all (poller, events, MANY, 0), EAGAIN);
    CHECK_EQ (zmq_poller_size (poller), MANY);
    CHECK_OK (zmq_poller_destroy (&poller));
    for (int i = 0; i < MANY; i++)
        CHECK_OK (zmq_close (pulls[i]));
    CHECK_OK (zmq_close (push));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, MANY + 64));
    test_handles_and_errno (ctx);
    test_sockets_and_a_pipe (ctx);
    test_thread_safe_sockets (ctx);
    test_eterm ();
    test_many_sockets (ctx);
    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("ours_poller");
    return 0;
}
