/*  CZMQ (Debian's libczmq4, built against the system libzmq) on loopback:
 *  zsock REQ/REP and PUB/SUB, zmsg multipart, zpoller, a zactor of our own, and
 *  CURVE with zcert certificates and the zauth actor (ZAP) admitting one client
 *  certificate from a directory.
 *
 *  Run by scripts/bindings-check with ZMQ_EXPECT_LIB (the libzmq file this process
 *  must load) and ZMQ_EXPECT_VERSION. Every receive has a timeout; any wrong
 *  answer exits 1.  */
#include <czmq.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf (stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond);  \
            exit (1);                                                          \
        }                                                                      \
    } while (0)

#define TIMEOUT_MS 5000

static void check_library (void)
{
    char expected[PATH_MAX];
    CHECK (getenv ("ZMQ_EXPECT_LIB") && realpath (getenv ("ZMQ_EXPECT_LIB"), expected));
    FILE *maps = fopen ("/proc/self/maps", "r");
    CHECK (maps);
    char line[4096];
    int found = 0;
    while (fgets (line, sizeof line, maps)) {
        char *path = strchr (line, '/');
        if (!path || !strstr (path, "libzmq.so"))
            continue;
        path[strcspn (path, "\n")] = '\0';
        char real[PATH_MAX];
        CHECK (realpath (path, real));
        if (strcmp (real, expected) != 0) {
            fprintf (stderr, "FAIL: loaded %s, expected %s\n", real, expected);
            exit (1);
        }
        found = 1;
    }
    fclose (maps);
    CHECK (found);
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    char version[32];
    snprintf (version, sizeof version, "%d.%d.%d", major, minor, patch);
    CHECK (getenv ("ZMQ_EXPECT_VERSION") && streq (version, getenv ("ZMQ_EXPECT_VERSION")));
    printf ("library: %s (zmq_version %s, czmq %d.%d.%d)\n", expected, version,
            CZMQ_VERSION_MAJOR, CZMQ_VERSION_MINOR, CZMQ_VERSION_PATCH);
}

static void timeouts (zsock_t *sock, int ms)
{
    zsock_set_linger (sock, 0);
    zsock_set_rcvtimeo (sock, ms);
    zsock_set_sndtimeo (sock, ms);
}

static void req_rep (void)
{
    zsock_t *rep = zsock_new_rep ("tcp://127.0.0.1:*");
    CHECK (rep);
    timeouts (rep, TIMEOUT_MS);
    const char *endpoint = zsock_endpoint (rep);
    CHECK (endpoint && strncmp (endpoint, "tcp://127.0.0.1:", 16) == 0);
    zsock_t *req = zsock_new_req (endpoint);
    CHECK (req);
    timeouts (req, TIMEOUT_MS);
    for (int i = 0; i < 100; i++) {
        CHECK (zstr_sendf (req, "ping %d", i) == 0);
        char *request = zstr_recv (rep);
        char expected[32];
        snprintf (expected, sizeof expected, "ping %d", i);
        CHECK (request && streq (request, expected));
        zstr_free (&request);

        zmsg_t *reply = zmsg_new ();
        zmsg_addstr (reply, "pong");
        zmsg_addstrf (reply, "%d", i);
        zmsg_addmem (reply, NULL, 0);
        CHECK (zmsg_send (&reply, rep) == 0);
        zmsg_t *got = zmsg_recv (req);
        CHECK (got && zmsg_size (got) == 3);
        char *first = zmsg_popstr (got), *second = zmsg_popstr (got);
        zframe_t *empty = zmsg_pop (got);
        snprintf (expected, sizeof expected, "%d", i);
        CHECK (streq (first, "pong") && streq (second, expected));
        CHECK (zframe_size (empty) == 0);
        zstr_free (&first);
        zstr_free (&second);
        zframe_destroy (&empty);
        zmsg_destroy (&got);
    }
    zsock_destroy (&req);
    zsock_destroy (&rep);
    printf ("zsock req/rep: 100 round trips with 3-part zmsg replies\n");
}

static void pub_sub_poller (void)
{
    zsock_t *pub = zsock_new_pub ("tcp://127.0.0.1:*");
    CHECK (pub);
    timeouts (pub, TIMEOUT_MS);
    zsock_t *sub = zsock_new_sub (zsock_endpoint (pub), "weather.");
    CHECK (sub);
    timeouts (sub, TIMEOUT_MS);
    zsock_t *idle = zsock_new_pull ("tcp://127.0.0.1:*");
    CHECK (idle);
    timeouts (idle, TIMEOUT_MS);

    zpoller_t *poller = zpoller_new (idle, sub, NULL);
    CHECK (poller);
    //  Until the subscription reached the publisher: 500 x 10 ms at most.
    void *which = NULL;
    for (int i = 0; i < 500 && which == NULL; i++) {
        CHECK (zstr_send (pub, "weather.sync") == 0);
        which = zpoller_wait (poller, 10);
    }
    CHECK (which == sub);
    while ((which = zpoller_wait (poller, 200)) == sub) {
        char *sync = zstr_recv (sub);
        CHECK (sync && streq (sync, "weather.sync"));
        zstr_free (&sync);
    }
    CHECK (which == NULL && zpoller_expired (poller) && !zpoller_terminated (poller));

    for (int i = 0; i < 50; i++) {
        CHECK (zstr_sendf (pub, "traffic.%d", i) == 0);
        CHECK (zstr_sendx (pub, "weather.", "sunny", NULL) == 0);
    }
    for (int i = 0; i < 50; i++) {
        CHECK (zpoller_wait (poller, TIMEOUT_MS) == sub);
        char *topic = NULL, *body = NULL;
        CHECK (zstr_recvx (sub, &topic, &body, NULL) == 2);
        CHECK (streq (topic, "weather.") && streq (body, "sunny"));
        zstr_free (&topic);
        zstr_free (&body);
    }
    CHECK (zpoller_wait (poller, 200) == NULL && zpoller_expired (poller));
    zpoller_destroy (&poller);
    zsock_destroy (&idle);
    zsock_destroy (&sub);
    zsock_destroy (&pub);
    printf ("zsock pub/sub + zpoller: 50 of 100 messages, the subscribed prefix only; the idle socket never ready\n");
}

//  An actor that answers "ECHO x" with "x" and "ADD a b" with a+b, until $TERM.
static void calculator (zsock_t *pipe, void *args)
{
    CHECK (streq ((const char *) args, "calculator"));
    zsock_signal (pipe, 0);
    while (true) {
        zmsg_t *msg = zmsg_recv (pipe);
        if (!msg)
            break;
        char *command = zmsg_popstr (msg);
        if (streq (command, "$TERM")) {
            zstr_free (&command);
            zmsg_destroy (&msg);
            break;
        }
        if (streq (command, "ECHO")) {
            char *text = zmsg_popstr (msg);
            zstr_send (pipe, text);
            zstr_free (&text);
        }
        else if (streq (command, "ADD")) {
            char *a = zmsg_popstr (msg), *b = zmsg_popstr (msg);
            zstr_sendf (pipe, "%ld", atol (a) + atol (b));
            zstr_free (&a);
            zstr_free (&b);
        }
        else
            zstr_send (pipe, "?");
        zstr_free (&command);
        zmsg_destroy (&msg);
    }
}

static void actor (void)
{
    zactor_t *calc = zactor_new (calculator, (void *) "calculator");
    CHECK (calc);
    zsock_set_rcvtimeo (zactor_sock (calc), TIMEOUT_MS);
    for (int i = 0; i < 20; i++) {
        char a[16], b[16], sum[16];
        snprintf (a, sizeof a, "%d", i * 7);
        snprintf (b, sizeof b, "%d", 1000 - i);
        snprintf (sum, sizeof sum, "%d", i * 7 + 1000 - i);
        CHECK (zstr_sendx (calc, "ADD", a, b, NULL) == 0);
        char *answer = zstr_recv (calc);
        CHECK (answer && streq (answer, sum));
        zstr_free (&answer);
    }
    CHECK (zstr_sendx (calc, "ECHO", "hello actor", NULL) == 0);
    char *echo = zstr_recv (calc);
    CHECK (echo && streq (echo, "hello actor"));
    zstr_free (&echo);
    zactor_destroy (&calc);
    printf ("zactor: 20 sums and an echo through the actor's pipe, then $TERM\n");
}

//  A CURVE REQ with certificate `cert` that takes `server_key`'s public key for the
//  server's: its request gets no answer and never reaches `server`.
static zsock_t *gets_nothing (zcert_t *cert, zcert_t *server_key, const char *endpoint, zsock_t *server)
{
    zsock_t *peer = zsock_new (ZMQ_REQ);
    CHECK (peer);
    timeouts (peer, 1000);
    zcert_apply (cert, peer);
    zsock_set_curve_serverkey (peer, zcert_public_txt (server_key));
    CHECK (zsock_connect (peer, "%s", endpoint) == 0);
    CHECK (zstr_send (peer, "hello?") == 0);
    char *nothing = zstr_recv (peer);
    CHECK (nothing == NULL);
    nothing = zstr_recv (server);
    CHECK (nothing == NULL);
    return peer;
}

static void curve_zauth (void)
{
    CHECK (zsys_has_curve ());
    char dir[] = "/tmp/czmq-certs-XXXXXX";
    CHECK (mkdtemp (dir));

    zcert_t *server_cert = zcert_new ();
    zcert_t *client_cert = zcert_new ();
    zcert_t *stranger_cert = zcert_new ();
    CHECK (server_cert && client_cert && stranger_cert);
    zcert_set_meta (client_cert, "name", "client");
    //  Only the client's public certificate is in the directory zauth reads.
    char path[PATH_MAX];
    snprintf (path, sizeof path, "%s/client.cert", dir);
    CHECK (zcert_save_public (client_cert, path) == 0);
    //  A certificate round trip through the file (public part only).
    zcert_t *loaded = zcert_load (path);
    CHECK (loaded && streq (zcert_public_txt (loaded), zcert_public_txt (client_cert)));
    CHECK (streq (zcert_meta (loaded, "name"), "client"));
    zcert_destroy (&loaded);

    zactor_t *auth = zactor_new (zauth, NULL);
    CHECK (auth);
    CHECK (zstr_sendx (auth, "CURVE", dir, NULL) == 0);
    CHECK (zsock_wait (auth) == 0);

    zsock_t *server = zsock_new (ZMQ_REP);
    CHECK (server);
    timeouts (server, TIMEOUT_MS);
    zcert_apply (server_cert, server);
    zsock_set_curve_server (server, 1);
    zsock_set_zap_domain (server, "global");
    CHECK (zsock_bind (server, "tcp://127.0.0.1:*") > 0);
    CHECK (zsock_mechanism (server) == ZMQ_CURVE);
    const char *endpoint = zsock_endpoint (server);

    zsock_t *client = zsock_new (ZMQ_REQ);
    CHECK (client);
    timeouts (client, TIMEOUT_MS);
    zcert_apply (client_cert, client);
    zsock_set_curve_serverkey (client, zcert_public_txt (server_cert));
    CHECK (zsock_connect (client, "%s", endpoint) == 0);
    for (int i = 0; i < 20; i++) {
        CHECK (zstr_sendf (client, "secret %d", i) == 0);
        zframe_t *frame = zframe_recv (server);
        CHECK (frame);
        char expected[32];
        snprintf (expected, sizeof expected, "secret %d", i);
        CHECK (zframe_streq (frame, expected));
        //  zauth's User-Id for CURVE is the client's public key, in z85.
        const char *user = zframe_meta (frame, "User-Id");
        CHECK (user && streq (user, zcert_public_txt (client_cert)));
        const char *type = zframe_meta (frame, "Socket-Type");
        CHECK (type && streq (type, "REQ"));
        zframe_destroy (&frame);
        CHECK (zstr_sendf (server, "reply %d", i) == 0);
        char *reply = zstr_recv (client);
        snprintf (expected, sizeof expected, "reply %d", i);
        CHECK (reply && streq (reply, expected));
        zstr_free (&reply);
    }

    //  A certificate zauth does not know: refused, nothing gets through.
    zsock_set_rcvtimeo (server, 500);
    zsock_t *stranger = gets_nothing (stranger_cert, server_cert, endpoint, server);
    //  The client's certificate with the wrong server key: the handshake fails.
    zsock_t *lost = gets_nothing (client_cert, stranger_cert, endpoint, server);

    zsock_destroy (&lost);
    zsock_destroy (&stranger);
    zsock_destroy (&client);
    zsock_destroy (&server);
    zactor_destroy (&auth);
    zcert_destroy (&stranger_cert);
    zcert_destroy (&client_cert);
    zcert_destroy (&server_cert);
    CHECK (unlink (path) == 0 && rmdir (dir) == 0);
    printf ("zcert + zauth CURVE: 20 round trips with User-Id; an unknown certificate and a wrong server key get nothing\n");
}

int main (void)
{
    alarm (60);
    check_library ();
    req_rep ();
    pub_sub_poller ();
    actor ();
    curve_zauth ();
    printf ("ok czmq\n");
    return 0;
}
