/*  PAIR (and PUSH/PULL) over ipc://: a path in a fresh temporary directory,
 *  the ipc wildcard (ipc:// + "*") and the Linux abstract namespace
 *  (ipc://@name); ZMQ_LAST_ENDPOINT, the wildcard's socket file and
 *  directory (created, removed at unbind and at close + zmq_ctx_term),
 *  binding an address twice, binding over a stale socket file, malformed
 *  and over-long addresses, connecting before the bind, and a second PAIR
 *  connecting to a PAIR that already has a peer.
 *
 *  No path, pid or timing is printed.  */
#include "testutil_msg.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static char g_dir[64];

static int exists (const char *path)
{
    return access (path, F_OK) == 0;
}

static int is_socket_file (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 && S_ISSOCK (st.st_mode);
}

/*  Waits (bounded) until `path` no longer exists; returns 1 if it went.  */
static int wait_gone (const char *path)
{
    for (int i = 0; i < 200; i++) {
        if (!exists (path))
            return 1;
        tu_sleep_ms (10);
    }
    return 0;
}

/*  Removes the socket file of an explicit ipc path once every context
 *  that used it has been terminated.  libzmq 4.3.4 leaves the file of an
 *  explicit path behind after zmq_unbind, zmq_close and zmq_ctx_term (it
 *  removes only the files of ipc:// + "*" wildcards), so its presence is not
 *  checked; it is only cleaned up so that the temporary directory can go.  */
static void cleanup_path (const char *path)
{
    if (unlink (path) != 0)
        CHECK_EQ (errno, ENOENT);
}

static void test_path (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    char path[256], ep[300], buf[300];
    snprintf (path, sizeof path, "%s/x", g_dir);
    snprintf (ep, sizeof ep, "ipc://%s", path);

    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, ep));
    last_endpoint (a, buf, sizeof buf);
    CHECK_STREQ (buf, ep);
    CHECK (is_socket_file (path));
    printf ("bind ipc://<dir>/x: last endpoint is the same text, socket "
            "file created\n");
    CHECK_OK (zmq_connect (b, ep));
    last_endpoint (b, buf, sizeof buf);
    CHECK_STREQ (buf, ep);
    bounce (a, b);

    /*  Frame sizes around the short/long frame boundary and 1 MiB.  */
    static const size_t sizes[] = {0, 1, 255, 256, 65536, 1 << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init_size (&m, sizes[i]));
        memset (zmq_msg_data (&m), (int) (i + 'A'), sizes[i]);
        CHECK_EQ (zmq_msg_send (&m, b, 0), (int) sizes[i]);
        CHECK_OK (zmq_msg_close (&m));
    }
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init (&m));
        CHECK_EQ (zmq_msg_recv (&m, a, 0), (int) sizes[i]);
        const unsigned char *p = (const unsigned char *) zmq_msg_data (&m);
        for (size_t k = 0; k < sizes[i]; k++)
            CHECK_EQ (p[k], i + 'A');
        CHECK_OK (zmq_msg_close (&m));
    }
    printf ("pair over ipc: both directions, multipart, 0..1 MiB frames\n");

    /*  Binding the same path again from another socket: libzmq removes the
     *  old file and binds; new connections reach the new binder.  */
    void *c = new_socket (ctx, ZMQ_PAIR);
    printf ("bind the same path from a second socket: %s\n",
            result (zmq_bind (c, ep)));
    CHECK (is_socket_file (path));
    void *d = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (d, ep));
    bounce (c, d);
    printf ("a new connection reaches the second binder\n");
    /*  The established connection keeps working.  */
    bounce (a, b);
    printf ("the first connection still works\n");
    CHECK_OK (zmq_close (d));
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_ctx_term (ctx));
    /*  Whether the file of an explicit path is removed at close, unbind or
     *  zmq_ctx_term is not checked (libzmq 4.3.4 leaves it; see
     *  cleanup_path).  */
    cleanup_path (path);

    ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    a = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, ep));
    printf ("unbind by the path: %s\n", result (zmq_unbind (a, ep)));
    printf ("unbind again: %s\n", result (zmq_unbind (a, ep)));
    /*  The path can be bound again, and works.  */
    CHECK_OK (zmq_bind (a, ep));
    CHECK (is_socket_file (path));
    b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (b, ep));
    bounce (a, b);
    printf ("bind after unbind: OK\n");
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_ctx_term (ctx));
    cleanup_path (path);
}

/*  Binds a plain AF_UNIX socket to `path` and closes it, leaving a stale
 *  socket file behind, as a crashed process would.  */
static void make_stale_socket_file (const char *path)
{
    int fd = socket (AF_UNIX, SOCK_STREAM, 0);
    CHECK (fd >= 0);
    struct sockaddr_un addr;
    memset (&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    CHECK (strlen (path) < sizeof addr.sun_path);
    strcpy (addr.sun_path, path);
    CHECK (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0);
    CHECK (close (fd) == 0);
    CHECK (is_socket_file (path));
}

static void test_stale_file (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    char path[256], ep[300];
    snprintf (path, sizeof path, "%s/stale", g_dir);
    snprintf (ep, sizeof ep, "ipc://%s", path);
    make_stale_socket_file (path);

    /*  Nobody listens on a stale file: a connecting PAIR keeps retrying
     *  and its queued message arrives once someone binds.  */
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (b, ep));
    send_str (b, "queued", ZMQ_DONTWAIT);
    tu_sleep_ms (150);

    void *a = new_socket (ctx, ZMQ_PAIR);
    printf ("bind over a stale socket file: %s\n", result (zmq_bind (a, ep)));
    CHECK (is_socket_file (path));
    CHECK_STREQ (recv_str (a, 0), "queued");
    bounce (a, b);
    printf ("the waiting connecter gets through after the bind\n");
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_ctx_term (ctx));
    cleanup_path (path);
}

static void test_wildcard (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    /*  libzmq makes the directory under $TMPDIR ($TEMPDIR, $TMP), else
     *  under the working directory: keep it in our temporary directory.  */
    CHECK (setenv ("TMPDIR", g_dir, 1) == 0);
    CHECK_OK (zmq_bind (a, "ipc://*"));
    char ep[300];
    last_endpoint (a, ep, sizeof ep);
    CHECK (strncmp (ep, "ipc://", 6) == 0);
    CHECK (strlen (ep) > 6);
    CHECK (strchr (ep, '*') == NULL);
    printf ("bind ipc://*: last endpoint starts with ipc://\n");
    /*  A socket file in a fresh directory under $TMPDIR; both are removed
     *  at unbind or close.  */
    char path[300], dir[300];
    snprintf (path, sizeof path, "%s", ep + 6);
    snprintf (dir, sizeof dir, "%s", path);
    CHECK (strrchr (dir, '/') != NULL);
    *strrchr (dir, '/') = '\0';
    CHECK (strncmp (dir, g_dir, strlen (g_dir)) == 0);
    CHECK_EQ (dir[strlen (g_dir)], '/');
    CHECK (strchr (dir + strlen (g_dir) + 1, '/') == NULL);
    CHECK (is_socket_file (path));
    struct stat st;
    CHECK (stat (dir, &st) == 0 && S_ISDIR (st.st_mode));
    printf ("ipc://*: a socket file in a new directory under $TMPDIR\n");
    CHECK_OK (zmq_connect (b, ep));
    bounce (a, b);
    printf ("ipc://*: connect to the last endpoint works\n");

    /*  A second wildcard bind gets a different address.  */
    void *c = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (c, "ipc://*"));
    char ep2[300], path2[300], dir2[300];
    last_endpoint (c, ep2, sizeof ep2);
    CHECK (strncmp (ep2, "ipc://", 6) == 0);
    CHECK (strcmp (ep, ep2) != 0);
    snprintf (path2, sizeof path2, "%s", ep2 + 6);
    snprintf (dir2, sizeof dir2, "%s", path2);
    CHECK (strrchr (dir2, '/') != NULL);
    *strrchr (dir2, '/') = '\0';
    CHECK (strcmp (dir, dir2) != 0);
    CHECK (is_socket_file (path2));
    printf ("a second ipc://* gets another address\n");
    printf ("unbind ipc://* by its wildcard text: %s\n",
            result (zmq_unbind (c, "ipc://*")));
    CHECK (is_socket_file (path2));
    printf ("unbind it by the resolved endpoint: %s\n",
            result (zmq_unbind (c, ep2)));
    CHECK (wait_gone (path2));
    CHECK (wait_gone (dir2));
    printf ("ipc://*: socket file and directory removed at unbind\n");
    CHECK_OK (zmq_close (c));

    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_ctx_term (ctx));
    CHECK (!exists (path));
    CHECK (!exists (dir));
    printf ("ipc://*: socket file and directory removed at close and "
            "zmq_ctx_term\n");
    CHECK (unsetenv ("TMPDIR") == 0);
}

static void test_abstract (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    char ep[128], buf[128];
    snprintf (ep, sizeof ep, "ipc://@zmq-capi-test-ipc-pair-%ld",
              (long) getpid ());
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, ep));
    last_endpoint (a, buf, sizeof buf);
    CHECK_STREQ (buf, ep);
    printf ("bind ipc://@<name>: last endpoint is the same text\n");
    CHECK_OK (zmq_connect (b, ep));
    bounce (a, b);
    printf ("abstract namespace: pair works\n");

    /*  There is no file to remove: a second bind fails.  */
    void *c = new_socket (ctx, ZMQ_PAIR);
    printf ("bind the same abstract name from a second socket: %s\n",
            result (zmq_bind (c, ep)));
    printf ("bind it again from the same socket: %s\n",
            result (zmq_bind (a, ep)));
    bounce (a, b);
    CHECK_OK (zmq_close (c));

    /*  After unbind the name is free again (bounded retry: libzmq closes
     *  the listener in the background).  */
    CHECK_OK (zmq_unbind (a, ep));
    c = new_socket (ctx, ZMQ_PAIR);
    int rc = -1;
    for (int i = 0; i < 200 && rc != 0; i++) {
        rc = zmq_bind (c, ep);
        if (rc != 0) {
            CHECK_EQ (zmq_errno (), EADDRINUSE);
            tu_sleep_ms (10);
        }
    }
    CHECK_OK (rc);
    printf ("abstract name bound again after unbind\n");
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_ctx_term (ctx));
}

static void test_errors (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *s = new_socket (ctx, ZMQ_PAIR);

    char ep[512];
    /*  sun_path holds 108 bytes with the terminating NUL.  */
    char longname[200];
    memset (longname, 'n', sizeof longname);
    longname[sizeof longname - 1] = '\0';
    snprintf (ep, sizeof ep, "ipc://%s/%s", g_dir, longname);
    printf ("bind a 200-byte path: %s\n", result (zmq_bind (s, ep)));
    printf ("connect a 200-byte path: %s\n", result (zmq_connect (s, ep)));
    snprintf (ep, sizeof ep, "ipc://@%s", longname);
    printf ("bind a 200-byte abstract name: %s\n", result (zmq_bind (s, ep)));
    printf ("connect a 200-byte abstract name: %s\n",
            result (zmq_connect (s, ep)));
    /*  107 bytes fit (108 with the NUL), 108 do not.  */
    char exact[120];
    char *paths[2];
    size_t dirlen = strlen (g_dir);
    for (size_t len = 107; len <= 108; len++) {
        CHECK (len > dirlen + 2);
        memcpy (exact, g_dir, dirlen);
        exact[dirlen] = '/';
        memset (exact + dirlen + 1, 'e', len - dirlen - 1);
        exact[len] = '\0';
        snprintf (ep, sizeof ep, "ipc://%s", exact);
        void *t = new_socket (ctx, ZMQ_PAIR);
        int rc = zmq_bind (t, ep);
        printf ("bind a %zu-byte path: %s\n", len, result (rc));
        CHECK_OK (zmq_close (t));
        paths[len - 107] = strdup (exact);
        CHECK (paths[len - 107] != NULL);
    }

    snprintf (ep, sizeof ep, "ipc://%s/no-such-dir/x", g_dir);
    printf ("bind in a missing directory: %s\n", result (zmq_bind (s, ep)));
    printf ("connect to a missing path: %s\n", result (zmq_connect (s, ep)));
    printf ("bind ipc://: %s\n", result (zmq_bind (s, "ipc://")));
    printf ("connect ipc://: %s\n", result (zmq_connect (s, "ipc://")));
    /*  zmq_unbind also ends a connection made by zmq_connect.  */
    printf ("unbind the path it connected to: %s\n",
            result (zmq_unbind (s, ep)));
    printf ("unbind it again: %s\n", result (zmq_unbind (s, ep)));
    snprintf (ep, sizeof ep, "ipc://%s/never", g_dir);
    printf ("unbind a path never bound: %s\n", result (zmq_unbind (s, ep)));
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_ctx_term (ctx));
    for (int i = 0; i < 2; i++) {
        cleanup_path (paths[i]);
        free (paths[i]);
    }
}

static void test_connect_first (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    char path[256], ep[300];
    snprintf (path, sizeof path, "%s/early", g_dir);
    snprintf (ep, sizeof ep, "ipc://%s", path);

    /*  The connecting side queues messages until the bind.  */
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (b, ep));
    send_str (b, "early1", ZMQ_DONTWAIT);
    send_str (b, "early2", ZMQ_DONTWAIT);
    tu_sleep_ms (150);
    void *a = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, ep));
    CHECK_STREQ (recv_str (a, 0), "early1");
    CHECK_STREQ (recv_str (a, 0), "early2");
    bounce (a, b);
    printf ("connect before bind: queued messages delivered after bind\n");
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));

    /*  PUSH/PULL over ipc, PUSH binding.  */
    void *push = new_socket (ctx, ZMQ_PUSH);
    void *pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (push, ep));
    CHECK_OK (zmq_connect (pull, ep));
    for (int i = 0; i < 100; i++) {
        char msg[16];
        snprintf (msg, sizeof msg, "n%d", i);
        send_str (push, msg, 0);
    }
    for (int i = 0; i < 100; i++) {
        char msg[16];
        snprintf (msg, sizeof msg, "n%d", i);
        CHECK_STREQ (recv_str (pull, 0), msg);
    }
    check_nothing (pull, 50);
    printf ("push/pull over ipc: 100 messages in order\n");
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    cleanup_path (path);

    /*  A PUSH connecting to a path nobody listens on queues exactly SNDHWM
     *  messages, delivered once a PULL binds.  */
    push = new_socket (ctx, ZMQ_PUSH);
    set_int (push, ZMQ_SNDHWM, 4);
    CHECK_OK (zmq_connect (push, ep));
    int n = 0;
    while (n < 1000 && zmq_send (push, &n, sizeof n, ZMQ_DONTWAIT) == 4)
        n++;
    CHECK_EQ (zmq_errno (), EAGAIN);
    printf ("no listener, sndhwm 4: %d messages queued\n", n);
    pull = new_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, ep));
    for (int i = 0; i < n; i++) {
        int v = -1;
        CHECK_EQ (zmq_recv (pull, &v, sizeof v, 0), 4);
        CHECK_EQ (v, i);
    }
    check_nothing (pull, 50);
    printf ("  all delivered in order after the bind\n");
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_ctx_term (ctx));
    cleanup_path (path);
}

static void test_busy_pair (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    char path[256], ep[300];
    snprintf (path, sizeof path, "%s/busy", g_dir);
    snprintf (ep, sizeof ep, "ipc://%s", path);
    void *a = new_socket (ctx, ZMQ_PAIR);
    void *b = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, ep));
    CHECK_OK (zmq_connect (b, ep));
    bounce (a, b);

    /*  A third PAIR connects; A already has its peer.  */
    void *c = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (c, ep));
    /*  C has a pipe of its own (no ZMQ_IMMEDIATE), so its send succeeds,
     *  but the message never reaches A.  */
    send_str (c, "from-c", ZMQ_DONTWAIT);
    tu_sleep_ms (100);
    for (int i = 0; i < 5; i++) {
        send_str (a, "to-b", 0);
        CHECK_STREQ (recv_str (b, 0), "to-b");
        send_str (b, "from-b", 0);
        CHECK_STREQ (recv_str (a, 0), "from-b");
    }
    check_nothing (a, 100);
    check_nothing (c, 100);
    printf ("second PAIR connecting to a busy PAIR: gets nothing, its "
            "message is not delivered\n");
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_ctx_term (ctx));
    cleanup_path (path);
}

int main (void)
{
    test_init ();
    snprintf (g_dir, sizeof g_dir, "/tmp/zmq-capi-ipc-XXXXXX");
    CHECK (mkdtemp (g_dir) != NULL);

    test_path ();
    test_stale_file ();
    test_wildcard ();
    test_abstract ();
    test_errors ();
    test_connect_first ();
    test_busy_pair ();

    CHECK (rmdir (g_dir) == 0);
    test_done ("test_ipc_pair");
    return 0;
}
