/*  Invalid handles: NULL or non-socket pointers passed to socket functions,
 *  zmq_poll corner cases, invalid zmq_msg_t, impossible allocations.  */
#include "testutil.h"

#include <stdint.h>

/*  Zeroed memory that is certainly not a socket/context (no valid tag).  */
static unsigned char g_junk[65536];

static void check_not_socket (void *s)
{
    int opt = 0;
    size_t optlen = sizeof opt;
    char buf[16];
    zmq_msg_t msg;

    CHECK_ERRNO (zmq_close (s), ENOTSOCK);
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_LINGER, &opt, sizeof opt), ENOTSOCK);
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_LINGER, &opt, &optlen), ENOTSOCK);
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_TYPE, &opt, &optlen), ENOTSOCK);
    CHECK_ERRNO (zmq_bind (s, "inproc://x"), ENOTSOCK);
    CHECK_ERRNO (zmq_bind (s, "tcp://127.0.0.1:*"), ENOTSOCK);
    CHECK_ERRNO (zmq_connect (s, "inproc://x"), ENOTSOCK);
    CHECK_ERRNO (zmq_unbind (s, "inproc://x"), ENOTSOCK);
    CHECK_ERRNO (zmq_disconnect (s, "inproc://x"), ENOTSOCK);
    CHECK_ERRNO (zmq_send (s, "abc", 3, 0), ENOTSOCK);
    CHECK_ERRNO (zmq_send (s, "abc", 3, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_ERRNO (zmq_recv (s, buf, sizeof buf, 0), ENOTSOCK);
    CHECK_ERRNO (zmq_recv (s, buf, sizeof buf, ZMQ_DONTWAIT), ENOTSOCK);

    /*  The message is left untouched and still owned by the caller.  */
    CHECK_OK (zmq_msg_init_size (&msg, 3));
    memcpy (zmq_msg_data (&msg), "xyz", 3);
    CHECK_ERRNO (zmq_msg_send (&msg, s, 0), ENOTSOCK);
    CHECK_EQ (zmq_msg_size (&msg), 3);
    CHECK (memcmp (zmq_msg_data (&msg), "xyz", 3) == 0);
    CHECK_OK (zmq_msg_close (&msg));

    CHECK_OK (zmq_msg_init (&msg));
    CHECK_ERRNO (zmq_msg_recv (&msg, s, 0), ENOTSOCK);
    CHECK_ERRNO (zmq_msg_recv (&msg, s, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_EQ (zmq_msg_size (&msg), 0);
    CHECK_OK (zmq_msg_close (&msg));
}

static void test_bad_sockets (void)
{
    check_not_socket (NULL);
    memset (g_junk, 0, sizeof g_junk);
    check_not_socket (g_junk);
    printf ("bad sockets: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_poll (void)
{
    /*  No items, no timeout: returns 0 immediately.  */
    CHECK_EQ (zmq_poll (NULL, 0, 0), 0);

    /*  No items with a timeout: sleeps, then returns 0.  */
    long long t0 = tu_now_us ();
    CHECK_EQ (zmq_poll (NULL, 0, 20), 0);
    long long dt = tu_now_us () - t0;
    CHECK (dt >= 15000);
    CHECK (dt < 5000000);

    /*  The next two are the behaviour of a stable (non-draft) libzmq build.
     *  A libzmq 4.3.5 built with drafts (ZMQ_HAVE_POLLER) dereferences
     *  items[0] first and segfaults on both; we require the clean errors.  */
    /*  Negative count.  */
    CHECK_ERRNO (zmq_poll (NULL, -1, 0), EINVAL);

    /*  Items required when nitems > 0.  */
    CHECK_ERRNO (zmq_poll (NULL, 1, 0), EFAULT);

    /*  An item whose socket is not a socket.  */
    memset (g_junk, 0, sizeof g_junk);
    zmq_pollitem_t item;
    memset (&item, 0, sizeof item);
    item.socket = g_junk;
    item.fd = -1;
    item.events = ZMQ_POLLIN;
    CHECK_ERRNO (zmq_poll (&item, 1, 0), ENOTSOCK);
    printf ("poll: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_bad_msg (void)
{
    zmq_msg_t m;
    memset (&m, 0, sizeof m);
    CHECK_ERRNO (zmq_msg_close (&m), EFAULT);

    /*  Sizes that cannot possibly be allocated fail with ENOMEM (and do
     *  not abort).  The message is not usable afterwards; it is not
     *  touched again.  */
    zmq_msg_t big;
    CHECK_ERRNO (zmq_msg_init_size (&big, SIZE_MAX), ENOMEM);
    CHECK_ERRNO (zmq_msg_init_size (&big, SIZE_MAX - 8), ENOMEM);
    CHECK_ERRNO (zmq_msg_init_size (&big, (size_t) PTRDIFF_MAX + 1), ENOMEM);
    CHECK_ERRNO (zmq_msg_init_size (&big, SIZE_MAX / 2 + 12345), ENOMEM);

    /*  And the library still works.  */
    CHECK_OK (zmq_msg_init_size (&big, 100));
    CHECK_OK (zmq_msg_close (&big));
    printf ("bad msg: ok\n");
}

int main (void)
{
    test_init ();
    test_bad_sockets ();
    test_poll ();
    test_bad_msg ();
    test_done ("test_errno_handles");
    return 0;
}
