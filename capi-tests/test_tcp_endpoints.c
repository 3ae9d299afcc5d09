/*  tcp:// endpoints: ZMQ_LAST_ENDPOINT after binding to wildcard and
 *  explicit addresses, the errno of malformed bind and connect endpoints,
 *  EADDRINUSE, zmq_unbind / zmq_disconnect by wildcard and resolved text,
 *  binding again after an unbind, and ZMQ_IPV6 on the loopback.
 *
 *  Port numbers are never printed: only the text before the port, and that
 *  the port is a number between 1 and 65535.  */
#include "testutil_msg.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/*  Checks that `ep` is `prefix` followed by a port number in 1..65535 and
 *  nothing else; returns the port.  */
static int check_prefix_port (const char *ep, const char *prefix)
{
    size_t n = strlen (prefix);
    if (strncmp (ep, prefix, n) != 0) {
        fprintf (stderr, "endpoint \"%s\" does not start with \"%s\"\n", ep,
                 prefix);
        exit (1);
    }
    const char *p = ep + n;
    CHECK (*p >= '1' && *p <= '9');
    char *end = NULL;
    long port = strtol (p, &end, 10);
    CHECK (end != NULL && *end == '\0');
    CHECK (port >= 1 && port <= 65535);
    return (int) port;
}

/*  Binds a fresh PAIR socket to `ep`, checks that LAST_ENDPOINT is `prefix`
 *  followed by a port, and prints that if `print`.  */
static void bind_wildcard (void *ctx, const char *ep, int ipv6,
                           const char *prefix, int print)
{
    void *s = new_socket (ctx, ZMQ_PAIR);
    if (ipv6)
        set_int (s, ZMQ_IPV6, 1);
    CHECK_OK (zmq_bind (s, ep));
    char last[256];
    last_endpoint (s, last, sizeof last);
    check_prefix_port (last, prefix);
    if (print)
        printf ("bind %s: last endpoint %s<port>\n", ep, prefix);
    CHECK_OK (zmq_close (s));
}

static void test_last_endpoint (void *ctx)
{
    /*  Nothing bound or connected yet: the empty string.  */
    void *s = new_socket (ctx, ZMQ_PAIR);
    char buf[256];
    memset (buf, 'X', sizeof buf);
    size_t len = sizeof buf;
    CHECK_OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, buf, &len));
    CHECK_EQ (len, 1);
    CHECK_EQ (buf[0], '\0');
    printf ("last endpoint before bind: empty\n");

    /*  A buffer too small for the endpoint: EINVAL.  */
    CHECK_OK (zmq_bind (s, "tcp://127.0.0.1:*"));
    char small[5];
    len = sizeof small;
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, small, &len), EINVAL);
    printf ("last endpoint into 5 bytes: EINVAL\n");
    CHECK_OK (zmq_close (s));

    bind_wildcard (ctx, "tcp://127.0.0.1:*", 0, "tcp://127.0.0.1:", 1);
    bind_wildcard (ctx, "tcp://127.0.0.1:0", 0, "tcp://127.0.0.1:", 1);
    bind_wildcard (ctx, "tcp://*:*", 0, "tcp://0.0.0.0:", 1);
    bind_wildcard (ctx, "tcp://*:0", 0, "tcp://0.0.0.0:", 1);
    bind_wildcard (ctx, "tcp://0.0.0.0:*", 0, "tcp://0.0.0.0:", 1);
    bind_wildcard (ctx, "tcp://127.1:*", 0, "tcp://127.0.0.1:", 1);
    bind_wildcard (ctx, "tcp://[127.0.0.1]:*", 0, "tcp://127.0.0.1:", 1);
    /*  A network interface name (bind only): the loopback's IPv4 address.  */
    bind_wildcard (ctx, "tcp://lo:*", 0, "tcp://127.0.0.1:", 1);

    /*  An explicit port is reported back as bound: take a port the system
     *  picked, release it, and bind to it by number.  */
    s = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (s, "tcp://127.0.0.1:*"));
    char ep[256];
    last_endpoint (s, ep, sizeof ep);
    CHECK_OK (zmq_unbind (s, ep));
    int rc = -1;
    for (int i = 0; i < 200 && rc != 0; i++) {
        rc = zmq_bind (s, ep);
        if (rc != 0) {
            CHECK_EQ (zmq_errno (), EADDRINUSE);
            tu_sleep_ms (10);
        }
    }
    CHECK_OK (rc);
    last_endpoint (s, buf, sizeof buf);
    CHECK_STREQ (buf, ep);
    printf ("bind to an explicit port: last endpoint is the same text\n");
    CHECK_OK (zmq_close (s));

    /*  A connect endpoint is reported as given, before any connection.  */
    static const char *const connects[] = {
      "tcp://127.0.0.1:5555",
      "tcp://localhost:5555",
      "tcp://[::1]:5555",
    };
    for (size_t i = 0; i < sizeof connects / sizeof connects[0]; i++) {
        s = new_socket (ctx, ZMQ_PAIR);
        CHECK_OK (zmq_connect (s, connects[i]));
        last_endpoint (s, buf, sizeof buf);
        CHECK_STREQ (buf, connects[i]);
        printf ("connect %s: last endpoint is the same text\n", connects[i]);
        CHECK_OK (zmq_close (s));
    }
}

static void test_malformed (void *ctx)
{
    static const char *const binds[] = {
      "tcp://127.0.0.1",
      "tcp://127.0.0.1:",
      "tcp://127.0.0.1:x",
      "tcp://127.0.0.1:65536",
      "tcp://*:x",
      "tcp://127.0.0.1:*;foo",
      "tcp://",
      "tcp:/127.0.0.1:5555",
      "tcp//127.0.0.1:5555",
      "",
      "ipc://",
      "inproc://",
      "foo://127.0.0.1:5555",
      "tcp://nosuchif0:*",
      "tcp://256.1.1.1:*",
      "tcp://[::1]:*",
      "tcp://::1:*",
      "tcp://[:*",
      "tcp://192.0.2.1:*",
    };
    for (size_t i = 0; i < sizeof binds / sizeof binds[0]; i++) {
        void *s = new_socket (ctx, ZMQ_PULL);
        int rc = zmq_bind (s, binds[i]);
        printf ("bind \"%s\": %s\n", binds[i], result (rc));
        CHECK (rc == -1);
        CHECK_OK (zmq_close (s));
    }

    static const char *const connects[] = {
      "tcp://127.0.0.1",
      "tcp://127.0.0.1:",
      "tcp://127.0.0.1:x",
      "tcp://127.0.0.1:*",
      "tcp://*:5555",
      "tcp://",
      "foo://127.0.0.1:5555",
    };
    for (size_t i = 0; i < sizeof connects / sizeof connects[0]; i++) {
        void *s = new_socket (ctx, ZMQ_PUSH);
        int rc = zmq_connect (s, connects[i]);
        printf ("connect \"%s\": %s\n", connects[i], result (rc));
        CHECK (rc == -1);
        CHECK_OK (zmq_close (s));
    }
}

static void test_addrinuse (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PULL);
    void *b = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (a, "tcp://127.0.0.1:*"));
    char ep[256];
    last_endpoint (a, ep, sizeof ep);
    CHECK_ERRNO (zmq_bind (b, ep), EADDRINUSE);
    CHECK_ERRNO (zmq_bind (a, ep), EADDRINUSE);
    /*  The failed binds did not change LAST_ENDPOINT.  */
    char buf[256];
    last_endpoint (a, buf, sizeof buf);
    CHECK_STREQ (buf, ep);
    printf ("bind the same endpoint again: EADDRINUSE (other socket and "
            "same socket)\n");

    /*  0.0.0.0 with the same port clashes too.  */
    int port = check_prefix_port (ep, "tcp://127.0.0.1:");
    char any[64];
    snprintf (any, sizeof any, "tcp://*:%d", port);
    CHECK_ERRNO (zmq_bind (b, any), EADDRINUSE);
    printf ("bind *:<same port>: EADDRINUSE\n");

    /*  The first binder still works.  */
    void *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, ep));
    CHECK_EQ (zmq_send (push, "hello", 5, 0), 5);
    char msg[16];
    CHECK_EQ (zmq_recv (a, msg, sizeof msg, 0), 5);
    CHECK (memcmp (msg, "hello", 5) == 0);
    printf ("first binder still receives\n");
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
}

/*  Binds s to ep, retrying while the port is still held by a listener that
 *  is being closed in the background; bounded.  */
static void rebind (void *s, const char *ep)
{
    int rc = -1;
    for (int i = 0; i < 200 && rc != 0; i++) {
        rc = zmq_bind (s, ep);
        if (rc != 0) {
            CHECK_EQ (zmq_errno (), EADDRINUSE);
            tu_sleep_ms (10);
        }
    }
    CHECK_OK (rc);
}

static void test_unbind (void *ctx)
{
    void *s = new_socket (ctx, ZMQ_PULL);
    printf ("unbind never bound endpoint: %s\n",
            result (zmq_unbind (s, "tcp://127.0.0.1:5555")));
    printf ("unbind malformed endpoint: %s\n",
            result (zmq_unbind (s, "tcp://127.0.0.1")));
    printf ("unbind unknown protocol: %s\n",
            result (zmq_unbind (s, "foo://127.0.0.1:5555")));
    printf ("unbind empty string: %s\n", result (zmq_unbind (s, "")));

    char ep[256], buf[256];
    CHECK_OK (zmq_bind (s, "tcp://127.0.0.1:*"));
    last_endpoint (s, ep, sizeof ep);
    printf ("unbind tcp://127.0.0.1:* by its wildcard text: %s\n",
            result (zmq_unbind (s, "tcp://127.0.0.1:*")));
    printf ("unbind it by the resolved endpoint: %s\n",
            result (zmq_unbind (s, ep)));
    printf ("unbind the resolved endpoint again: %s\n",
            result (zmq_unbind (s, ep)));
    /*  LAST_ENDPOINT is unchanged by the unbind.  */
    last_endpoint (s, buf, sizeof buf);
    CHECK_STREQ (buf, ep);

    /*  The same endpoint can be bound again, by this or another socket.  */
    rebind (s, ep);
    CHECK_OK (zmq_unbind (s, ep));
    void *t = new_socket (ctx, ZMQ_PULL);
    rebind (t, ep);
    printf ("bind again after unbind: OK\n");

    /*  and it works: a PUSH connected to it delivers.  */
    void *push = new_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, ep));
    CHECK_EQ (zmq_send (push, "after", 5, 0), 5);
    char msg[16];
    CHECK_EQ (zmq_recv (t, msg, sizeof msg, 0), 5);
    CHECK (memcmp (msg, "after", 5) == 0);
    printf ("rebound endpoint receives\n");

    /*  zmq_disconnect: unknown endpoint ENOENT, a connected one OK, twice
     *  ENOENT; zmq_unbind does not know connect endpoints.  */
    printf ("disconnect never connected endpoint: %s\n",
            result (zmq_disconnect (push, "tcp://127.0.0.1:5555")));
    printf ("unbind a connected endpoint: %s\n",
            result (zmq_unbind (push, ep)));
    printf ("disconnect the connected endpoint: %s\n",
            result (zmq_disconnect (push, ep)));
    printf ("disconnect it again: %s\n", result (zmq_disconnect (push, ep)));
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (t));

    /*  Any address and any port: same rules; the resolved text is
     *  tcp://0.0.0.0:<port>.  */
    CHECK_OK (zmq_bind (s, "tcp://*:*"));
    last_endpoint (s, ep, sizeof ep);
    check_prefix_port (ep, "tcp://0.0.0.0:");
    printf ("unbind tcp://*:* by its wildcard text: %s\n",
            result (zmq_unbind (s, "tcp://*:*")));
    printf ("unbind it by the resolved endpoint: %s\n",
            result (zmq_unbind (s, ep)));
    rebind (s, ep);
    printf ("bind tcp://0.0.0.0:<port> again after unbind: OK\n");

    /*  An explicit endpoint is unbound by the same text.  */
    CHECK_OK (zmq_unbind (s, ep));
    CHECK_OK (zmq_close (s));
}

/*  1 if this machine can bind a TCP socket to [::1].  */
static int have_ipv6_loopback (void)
{
    int fd = socket (AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in6 a;
    memset (&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    a.sin6_port = 0;
    int ok = bind (fd, (struct sockaddr *) &a, sizeof a) == 0;
    close (fd);
    return ok;
}

static void test_ipv6 (void *ctx)
{
    void *s = new_socket (ctx, ZMQ_PULL);
    int v = -1;
    size_t len = sizeof v;
    CHECK_OK (zmq_getsockopt (s, ZMQ_IPV6, &v, &len));
    CHECK_EQ (v, 0);
    CHECK_OK (zmq_close (s));

    if (!have_ipv6_loopback ()) {
        /*  Same output as the full run so that both libraries compare
         *  equal on a machine without ::1.  */
        fprintf (stderr, "no IPv6 loopback: skipping the IPv6 checks\n");
    } else {
        bind_wildcard (ctx, "tcp://[::1]:*", 1, "tcp://[::1]:", 0);
        bind_wildcard (ctx, "tcp://::1:*", 1, "tcp://[::1]:", 0);
        bind_wildcard (ctx, "tcp://*:*", 1, "tcp://[::]:", 0);
        bind_wildcard (ctx, "tcp://[::]:*", 1, "tcp://[::]:", 0);
        bind_wildcard (ctx, "tcp://[::ffff:127.0.0.1]:*", 1,
                       "tcp://[::ffff:127.0.0.1]:", 0);

        /*  PUSH -> PULL over [::1], both sides with ZMQ_IPV6.  */
        void *pull = new_socket (ctx, ZMQ_PULL);
        void *push = new_socket (ctx, ZMQ_PUSH);
        set_int (pull, ZMQ_IPV6, 1);
        set_int (push, ZMQ_IPV6, 1);
        CHECK_OK (zmq_bind (pull, "tcp://[::1]:*"));
        char ep[256];
        last_endpoint (pull, ep, sizeof ep);
        CHECK_OK (zmq_connect (push, ep));
        CHECK_EQ (zmq_send (push, "six", 3, 0), 3);
        char msg[8];
        CHECK_EQ (zmq_recv (pull, msg, sizeof msg, 0), 3);
        CHECK (memcmp (msg, "six", 3) == 0);
        CHECK_OK (zmq_close (push));

        /*  An IPv6 wildcard listener also accepts IPv4 connections.  */
        CHECK_OK (zmq_close (pull));
        pull = new_socket (ctx, ZMQ_PULL);
        set_int (pull, ZMQ_IPV6, 1);
        CHECK_OK (zmq_bind (pull, "tcp://*:*"));
        last_endpoint (pull, ep, sizeof ep);
        int port = check_prefix_port (ep, "tcp://[::]:");
        char v4[64];
        snprintf (v4, sizeof v4, "tcp://127.0.0.1:%d", port);
        push = new_socket (ctx, ZMQ_PUSH);
        CHECK_OK (zmq_connect (push, v4));
        CHECK_EQ (zmq_send (push, "four", 4, 0), 4);
        CHECK_EQ (zmq_recv (pull, msg, sizeof msg, 0), 4);
        CHECK (memcmp (msg, "four", 4) == 0);
        CHECK_OK (zmq_close (push));
        CHECK_OK (zmq_close (pull));
    }
    /*  Printed whether or not ::1 is available, so that the output is the
     *  same on every machine.  */
    printf ("ipv6: wildcard and ::1 endpoints, v6 and v4-mapped traffic\n");
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    test_last_endpoint (ctx);
    test_malformed (ctx);
    test_addrinuse (ctx);
    test_unbind (ctx);
    test_ipv6 (ctx);

    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_tcp_endpoints");
    return 0;
}
