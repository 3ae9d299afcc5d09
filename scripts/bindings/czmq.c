/*  Debian's libczmq4: zsock req/rep, zpoller, a zactor, and CURVE with zcert
    certificates checked by zauth (a ZAP handler). Exits non-zero on a wrong answer.  */
#include <czmq.h>

static void check (bool ok, const char *what)
{
    if (!ok) {
        fprintf (stderr, "czmq: %s\n", what);
        exit (1);
    }
}

static void echo_actor (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_signal (pipe, 0);
    while (true) {
        char *text = zstr_recv (pipe);
        if (!text || streq (text, "$TERM")) {
            zstr_free (&text);
            break;
        }
        zstr_sendf (pipe, "echo %s", text);
        zstr_free (&text);
    }
}

int main (void)
{
    zsock_t *rep = zsock_new_rep ("tcp://127.0.0.1:*");
    check (rep, "rep");
    char endpoint[256];
    snprintf (endpoint, sizeof endpoint, "%s", zsock_endpoint (rep));
    zsock_t *req = zsock_new_req (endpoint);
    zsock_set_rcvtimeo (req, 5000);
    zsock_set_rcvtimeo (rep, 5000);
    zpoller_t *poller = zpoller_new (rep, NULL);
    for (int i = 0; i < 100; i++) {
        zstr_sendf (req, "ping %d", i);
        check (zpoller_wait (poller, 5000) == rep, "poller");
        char *got = zstr_recv (rep);
        char want[32];
        snprintf (want, sizeof want, "ping %d", i);
        check (got && streq (got, want), "request");
        zstr_free (&got);
        zstr_sendx (rep, "pong", want, NULL);
        char *a = NULL, *b = NULL;
        check (zstr_recvx (req, &a, &b, NULL) == 2 && streq (a, "pong") && streq (b, want), "reply");
        zstr_free (&a);
        zstr_free (&b);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&req);
    zsock_destroy (&rep);

    zactor_t *actor = zactor_new (echo_actor, NULL);
    zstr_send (actor, "hello");
    char *echoed = zstr_recv (actor);
    check (echoed && streq (echoed, "echo hello"), "actor");
    zstr_free (&echoed);
    zactor_destroy (&actor);

    /* CURVE, with zauth accepting any client certificate (CURVE_ALLOW_ANY). */
    zactor_t *auth = zactor_new (zauth, NULL);
    zstr_sendx (auth, "CURVE", CURVE_ALLOW_ANY, NULL);
    zsock_wait (auth);
    zcert_t *server_cert = zcert_new ();
    zcert_t *client_cert = zcert_new ();
    zsock_t *server = zsock_new (ZMQ_PULL);
    zcert_apply (server_cert, server);
    zsock_set_curve_server (server, 1);
    zsock_set_rcvtimeo (server, 5000);
    int port = zsock_bind (server, "tcp://127.0.0.1:*");
    check (port > 0, "curve bind");
    zsock_t *client = zsock_new (ZMQ_PUSH);
    zcert_apply (client_cert, client);
    zsock_set_curve_serverkey (client, zcert_public_txt (server_cert));
    zsock_connect (client, "tcp://127.0.0.1:%d", port);
    zstr_send (client, "encrypted");
    zmsg_t *msg = zmsg_recv (server);
    check (msg, "curve message");
    zframe_t *frame = zmsg_first (msg);
    check (zframe_streq (frame, "encrypted"), "curve content");
    const char *type = zframe_meta (frame, "Socket-Type");
    check (type && streq (type, "PUSH"), "the peer's metadata");
    zmsg_destroy (&msg);
    zsock_destroy (&client);
    zsock_destroy (&server);
    zcert_destroy (&server_cert);
    zcert_destroy (&client_cert);
    zactor_destroy (&auth);

    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    printf ("czmq %d.%d.%d on libzmq %d.%d.%d: ok\n", CZMQ_VERSION_MAJOR, CZMQ_VERSION_MINOR,
            CZMQ_VERSION_PATCH, major, minor, patch);
    return 0;
}
