/*  Invalid socket handles passed to the less common (mostly deprecated)
 *  socket entry points.  Kept apart from test_errno_handles.c so that the
 *  core checks do not depend on these symbols.  */
#include "testutil.h"

#include <sys/uio.h>

static unsigned char g_junk[65536];

static void check_not_socket (void *s)
{
    zmq_msg_t msg;
    char buf[8];
    struct iovec iov[1];
    size_t count = 1;
    iov[0].iov_base = buf;
    iov[0].iov_len = sizeof buf;

    CHECK_ERRNO (zmq_send_const (s, "abc", 3, 0), ENOTSOCK);
    CHECK_OK (zmq_msg_init_size (&msg, 2));
    CHECK_ERRNO (zmq_sendmsg (s, &msg, 0), ENOTSOCK);
    CHECK_EQ (zmq_msg_size (&msg), 2);
    CHECK_OK (zmq_msg_close (&msg));
    CHECK_OK (zmq_msg_init (&msg));
    CHECK_ERRNO (zmq_recvmsg (s, &msg, 0), ENOTSOCK);
    CHECK_OK (zmq_msg_close (&msg));
    CHECK_ERRNO (zmq_sendiov (s, iov, 1, 0), ENOTSOCK);
    CHECK_ERRNO (zmq_recviov (s, iov, &count, 0), ENOTSOCK);
    CHECK_ERRNO (zmq_socket_monitor (s, "inproc://monitor", ZMQ_EVENT_ALL),
                 ENOTSOCK);
}

int main (void)
{
    test_init ();
    check_not_socket (NULL);
    check_not_socket (g_junk);
    /*  The proxies check for NULL frontend/backend first.  */
    CHECK_ERRNO (zmq_proxy (NULL, NULL, NULL), EFAULT);
    CHECK_ERRNO (zmq_proxy_steerable (NULL, NULL, NULL, NULL), EFAULT);
    test_done ("test_errno_handles_more");
    return 0;
}
