/*  Message and endpoint helpers shared by the C tests: strings in and out,
 *  ZMQ_RCVMORE, ZMQ_LAST_ENDPOINT, "nothing arrives", a ping-pong, and errno
 *  names (so outputs from both libraries compare as text).  */
#ifndef CAPI_TESTUTIL_MSG_H_INCLUDED
#define CAPI_TESTUTIL_MSG_H_INCLUDED

#include "testutil.h"

static inline void send_str (void *s, const char *str, int flags)
{
    CHECK_EQ (zmq_send (s, str, strlen (str), flags), (int) strlen (str));
}

/*  Receives a frame into a NUL-terminated static buffer (bounded by the
 *  socket's RCVTIMEO).  */
static inline const char *recv_str (void *s, int flags)
{
    static char buf[256];
    int n = zmq_recv (s, buf, sizeof buf - 1, flags);
    if (n < 0) {
        fprintf (stderr, "recv failed: %s\n", zmq_strerror (zmq_errno ()));
        exit (1);
    }
    CHECK (n < (int) sizeof buf);
    buf[n] = '\0';
    return buf;
}

static inline int rcvmore (void *s)
{
    int more = -1;
    size_t len = sizeof more;
    CHECK_OK (zmq_getsockopt (s, ZMQ_RCVMORE, &more, &len));
    return more;
}

/*  Reads ZMQ_LAST_ENDPOINT into buf, checking the reported length.  */
static inline void last_endpoint (void *s, char *buf, size_t size)
{
    size_t len = size;
    CHECK_OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, buf, &len));
    CHECK (len >= 1 && len <= size);
}

/*  Nothing arrives within `ms` milliseconds.  */
static inline void check_nothing (void *s, int ms)
{
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    CHECK_EQ (zmq_poll (&item, 1, ms), 0);
    char c;
    CHECK_ERRNO (zmq_recv (s, &c, 1, ZMQ_DONTWAIT), EAGAIN);
}

/*  One message a → b, and a three-part reply b → a (with an empty part).  */
static inline void bounce (void *a, void *b)
{
    send_str (a, "ping", 0);
    CHECK_STREQ (recv_str (b, 0), "ping");
    CHECK_EQ (rcvmore (b), 0);
    send_str (b, "pong", ZMQ_SNDMORE);
    CHECK_EQ (zmq_send (b, NULL, 0, ZMQ_SNDMORE), 0);
    send_str (b, "end", 0);
    CHECK_STREQ (recv_str (a, 0), "pong");
    CHECK_EQ (rcvmore (a), 1);
    CHECK_STREQ (recv_str (a, 0), "");
    CHECK_EQ (rcvmore (a), 1);
    CHECK_STREQ (recv_str (a, 0), "end");
    CHECK_EQ (rcvmore (a), 0);
}

/*  The name of an errno value the endpoint tests meet.  */
static inline const char *errno_name (int e)
{
    switch (e) {
        case EINVAL: return "EINVAL";
        case EADDRINUSE: return "EADDRINUSE";
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
        case ENOENT: return "ENOENT";
        case ENODEV: return "ENODEV";
        case ENAMETOOLONG: return "ENAMETOOLONG";
        case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
        case ENOCOMPATPROTO: return "ENOCOMPATPROTO";
        case EHOSTUNREACH: return "EHOSTUNREACH";
        case EAFNOSUPPORT: return "EAFNOSUPPORT";
        case EACCES: return "EACCES";
        case ENOTDIR: return "ENOTDIR";
        case ECONNREFUSED: return "ECONNREFUSED";
        case EAGAIN: return "EAGAIN";
        default: break;
    }
    static char buf[32];
    snprintf (buf, sizeof buf, "errno %d", e);
    return buf;
}

/*  "OK" or the errno name of the call's failure.  */
static inline const char *result (int rc)
{
    return rc == 0 ? "OK" : errno_name (zmq_errno ());
}

/*  Sends `text` from `from` until `to` receives it (a connection that is
 *  still coming up loses the first tries): at most 100 tries, 100 ms each.
 *  Leaves ZMQ_RCVTIMEO of `to` at 100 ms.  */
static inline void deliver_eventually (void *from, void *to, const char *text)
{
    set_int (to, ZMQ_RCVTIMEO, 100);
    const int size = (int) strlen (text);
    int got = 0;
    for (int i = 0; i < 100 && !got; i++) {
        send_str (from, text, 0);
        char buf[64];
        int n = zmq_recv (to, buf, sizeof buf, 0);
        if (n == -1)
            CHECK_EQ (zmq_errno (), EAGAIN);
        else {
            CHECK_EQ (n, size);
            CHECK (memcmp (buf, text, (size_t) size) == 0);
            got = 1;
        }
    }
    CHECK (got);
}

/*  Sends int-sized messages with ZMQ_DONTWAIT until EAGAIN (or `limit`);
 *  returns how many went.  */
static inline int fill_dontwait (void *push, int limit)
{
    int n = 0;
    while (n < limit) {
        int rc = zmq_send (push, &n, sizeof n, ZMQ_DONTWAIT);
        if (rc == -1) {
            CHECK_EQ (zmq_errno (), EAGAIN);
            break;
        }
        CHECK_EQ (rc, sizeof n);
        n++;
    }
    return n;
}

#endif
