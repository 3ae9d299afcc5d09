/*  interop_peer <bind|connect> <pair|push|pull|req|rep|dealer|router|xpub|sub|xsub>
 *               <endpoint> [ready-file]
 *
 *  One side of a wire-compatibility check. The same source is run twice, once on
 *  each library (tests/interop.rs switches LD_LIBRARY_PATH), so every pairing of
 *  our libzmq and the system's is exercised in both roles.
 *
 *  The script: the sending side sends parts of sizes 0, 1, 255, 256, 257, 65536 and
 *  1 MiB (each filled with a pattern derived from its size), then a three-part
 *  message, then "END". The receiving side checks every byte and flag. A PAIR
 *  receiver echoes everything back and the sender checks the echo. REQ sends
 *  every size as a request and checks the REP's echo; DEALER does the same
 *  against a ROUTER, which echoes through the routing id it was given.
 *
 *  Publish-subscribe: a SUB (or an XSUB, which sends the subscription message
 *  itself) subscribes to "keep"; the XPUB waits until that subscription arrives,
 *  checks its bytes, then publishes messages on "keep" and "drop", a multipart
 *  one among them, and "keep-END". The subscriber checks it got exactly the
 *  "keep" ones, in order: subscriptions travel one way and filtering works the
 *  other, whichever library is on which side.
 *
 *  With INTEROP_SECURITY=plain or curve, the binding side is the PLAIN or CURVE
 *  server, with a ZAP handler (a REP thread that accepts "admin"/"secret" or the
 *  test client key, and refuses anything else), and the connecting side the client.
 *
 *  The binding side writes its resolved endpoint to ready-file (for wildcard ports), so
 *  the test can start the connecting side. Exit status 0 means every check passed. */
#include <zmq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const size_t sizes[] = {0, 1, 255, 256, 257, 65536, 1048576};
#define SIZE_COUNT (sizeof sizes / sizeof sizes[0])

static void fail (const char *what)
{
    fprintf (stderr, "interop_peer: %s: %s\n", what, zmq_strerror (zmq_errno ()));
    exit (1);
}

static void fill (unsigned char *bytes, size_t size)
{
    for (size_t i = 0; i < size; i++)
        bytes[i] = (unsigned char) ((i * 7 + size) & 0xff);
}

static void send_part (void *socket, size_t size, int flags)
{
    zmq_msg_t msg;
    if (zmq_msg_init_size (&msg, size) != 0)
        fail ("zmq_msg_init_size");
    fill ((unsigned char *) zmq_msg_data (&msg), size);
    if (zmq_msg_send (&msg, socket, flags) != (int) size)
        fail ("zmq_msg_send");
}

static void send_text (void *socket, const char *text, int flags)
{
    if (zmq_send (socket, text, strlen (text), flags) != (int) strlen (text))
        fail ("zmq_send");
}

/* Receives one part and checks its size, content and MORE flag. */
static void expect_part (void *socket, size_t size, int more)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, socket, 0) < 0)
        fail ("zmq_msg_recv");
    if (zmq_msg_size (&msg) != size) {
        fprintf (stderr, "interop_peer: got %zu bytes, expected %zu\n", zmq_msg_size (&msg), size);
        exit (1);
    }
    unsigned char *expected = malloc (size + 1);
    fill (expected, size);
    if (size && memcmp (expected, zmq_msg_data (&msg), size) != 0) {
        fprintf (stderr, "interop_peer: corrupted body of %zu bytes\n", size);
        exit (1);
    }
    free (expected);
    if (zmq_msg_more (&msg) != more) {
        fprintf (stderr, "interop_peer: MORE flag wrong on %zu bytes\n", size);
        exit (1);
    }
    zmq_msg_close (&msg);
}

static void expect_text (void *socket, const char *text)
{
    char buffer[64];
    int size = zmq_recv (socket, buffer, sizeof buffer, 0);
    if (size != (int) strlen (text) || memcmp (buffer, text, (size_t) size) != 0) {
        fprintf (stderr, "interop_peer: expected %s\n", text);
        exit (1);
    }
}

static void send_script (void *socket)
{
    for (size_t i = 0; i < SIZE_COUNT; i++) {
        send_part (socket, sizes[i], 0);
        if (i == 0 && getenv ("INTEROP_HEARTBEAT"))
            zmq_sleep (1);
    }
    send_part (socket, 3, ZMQ_SNDMORE);
    send_part (socket, 0, ZMQ_SNDMORE);
    send_part (socket, 300, 0);
    send_text (socket, "END", 0);
}

#define PUBLISHED 20

static void publish (void *socket)
{
    zmq_msg_t subscription;
    zmq_msg_init (&subscription);
    if (zmq_msg_recv (&subscription, socket, 0) != 5
        || memcmp (zmq_msg_data (&subscription), "\1keep", 5) != 0)
        fail ("the subscription to keep");
    zmq_msg_close (&subscription);
    char text[32];
    for (int i = 0; i < PUBLISHED; i++) {
        snprintf (text, sizeof text, "drop-%d", i);
        send_text (socket, text, 0);
        snprintf (text, sizeof text, "keep-%d", i);
        send_text (socket, text, 0);
    }
    send_text (socket, "keep-multi", ZMQ_SNDMORE);
    send_part (socket, 65536, 0);
    send_text (socket, "keep-END", 0);
}

static void expect_published (void *socket)
{
    char text[32];
    for (int i = 0; i < PUBLISHED; i++) {
        snprintf (text, sizeof text, "keep-%d", i);
        expect_text (socket, text);
    }
    expect_text (socket, "keep-multi");
    expect_part (socket, 65536, 0);
    expect_text (socket, "keep-END");
}

/*  Fixed CURVE test keys (Z85), the same in both processes.  */
static const char server_public[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
static const char server_secret[] = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
static const char client_public[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
static const char client_secret[] = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

static void zap_handler (void *handler)
{
    for (;;) {
        char frames[8][64];
        size_t sizes[8];
        int count = 0, more = 1;
        while (more && count < 8) {
            int n = zmq_recv (handler, frames[count], sizeof frames[count], 0);
            if (n < 0) {
                zmq_close (handler); /* the context is going */
                return;
            }
            sizes[count++] = (size_t) n;
            size_t size = sizeof more;
            zmq_getsockopt (handler, ZMQ_RCVMORE, &more, &size);
        }
        int ok = 0;
        if (count >= 6 && sizes[5] == 5 && memcmp (frames[5], "PLAIN", 5) == 0 && count == 8)
            ok = sizes[6] == 5 && memcmp (frames[6], "admin", 5) == 0 && sizes[7] == 6
                 && memcmp (frames[7], "secret", 6) == 0;
        else if (count == 7 && sizes[5] == 5 && memcmp (frames[5], "CURVE", 5) == 0) {
            unsigned char expected[32];
            zmq_z85_decode (expected, client_public);
            ok = sizes[6] == 32 && memcmp (frames[6], expected, 32) == 0;
        }
        zmq_send (handler, "1.0", 3, ZMQ_SNDMORE);
        zmq_send (handler, frames[1], sizes[1], ZMQ_SNDMORE);
        zmq_send (handler, ok ? "200" : "400", 3, ZMQ_SNDMORE);
        zmq_send (handler, "", 0, ZMQ_SNDMORE);
        zmq_send (handler, ok ? "admin" : "", ok ? 5 : 0, ZMQ_SNDMORE);
        zmq_send (handler, "", 0, 0);
    }
}

/*  The ZAP handler's thread, joined (zmq_threadclose) after zmq_ctx_term.  */
static void *zap_thread = NULL;

/*  Makes `socket` the server (binding) or the client of INTEROP_SECURITY.  */
static void secure (void *ctx, void *socket, int binding, const char *mechanism)
{
    int one = 1;
    if (binding) {
        void *handler = zmq_socket (ctx, ZMQ_REP);
        if (!handler || zmq_bind (handler, "inproc://zeromq.zap.01") != 0)
            fail ("ZAP handler");
        zap_thread = zmq_threadstart (zap_handler, handler);
        if (!zap_thread)
            fail ("zmq_threadstart");
    }
    if (strcmp (mechanism, "plain") == 0) {
        if (binding)
            zmq_setsockopt (socket, ZMQ_PLAIN_SERVER, &one, sizeof one);
        else {
            zmq_setsockopt (socket, ZMQ_PLAIN_USERNAME, "admin", 5);
            zmq_setsockopt (socket, ZMQ_PLAIN_PASSWORD, "secret", 6);
        }
    } else if (binding) {
        zmq_setsockopt (socket, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, server_secret, 40);
    } else {
        zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, server_public, 40);
        zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, client_public, 40);
        zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, client_secret, 40);
    }
}

static void expect_script (void *socket)
{
    for (size_t i = 0; i < SIZE_COUNT; i++)
        expect_part (socket, sizes[i], 0);
    expect_part (socket, 3, 1);
    expect_part (socket, 0, 1);
    expect_part (socket, 300, 0);
    expect_text (socket, "END");
}

int main (int argc, char *argv[])
{
    if (argc < 4) {
        fprintf (stderr, "usage: interop_peer <bind|connect> <pair|push|pull> <endpoint> [ready-file]\n");
        return 2;
    }
    const int binding = strcmp (argv[1], "bind") == 0;
    const char *kind = argv[2];
    static const struct
    {
        const char *name;
        int type;
    } kinds[] = {{"pair", ZMQ_PAIR}, {"push", ZMQ_PUSH}, {"pull", ZMQ_PULL},    {"req", ZMQ_REQ},
                 {"rep", ZMQ_REP},   {"dealer", ZMQ_DEALER}, {"router", ZMQ_ROUTER},
                 {"xpub", ZMQ_XPUB}, {"sub", ZMQ_SUB},       {"xsub", ZMQ_XSUB}};
    int type = -1;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp (kind, kinds[i].name) == 0)
            type = kinds[i].type;
    if (type < 0)
        return 2;

    void *ctx = zmq_ctx_new ();
    void *socket = zmq_socket (ctx, type);
    if (!socket)
        fail ("zmq_socket");
    int timeout = 20000;
    zmq_setsockopt (socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt (socket, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    if (strchr (argv[3], '[')) {
        int ipv6 = 1;
        zmq_setsockopt (socket, ZMQ_IPV6, &ipv6, sizeof ipv6);
    }
    /* With INTEROP_HEARTBEAT set, both sides ping every 50 ms and give up on a peer
       silent for 300 ms, and the sender pauses 1 s mid-script so heartbeats must flow. */
    if (getenv ("INTEROP_HEARTBEAT")) {
        /* No reconnection: a connection dropped for a missed heartbeat fails the run. */
        int ivl = 50, timeout_ms = 300, ttl = 1000, no_reconnect = -1;
        zmq_setsockopt (socket, ZMQ_RECONNECT_IVL, &no_reconnect, sizeof no_reconnect);
        zmq_setsockopt (socket, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
        zmq_setsockopt (socket, ZMQ_HEARTBEAT_TIMEOUT, &timeout_ms, sizeof timeout_ms);
        zmq_setsockopt (socket, ZMQ_HEARTBEAT_TTL, &ttl, sizeof ttl);
    }
    int linger = 5000;
    zmq_setsockopt (socket, ZMQ_LINGER, &linger, sizeof linger);
    const char *security = getenv ("INTEROP_SECURITY");
    if (security)
        secure (ctx, socket, binding, security);
    if (type == ZMQ_SUB)
        zmq_setsockopt (socket, ZMQ_SUBSCRIBE, "keep", 4);

    if (binding) {
        if (zmq_bind (socket, argv[3]) != 0)
            fail ("zmq_bind");
        char endpoint[256];
        size_t length = sizeof endpoint;
        if (zmq_getsockopt (socket, ZMQ_LAST_ENDPOINT, endpoint, &length) != 0)
            fail ("ZMQ_LAST_ENDPOINT");
        if (argc > 4) {
            char temporary[512];
            snprintf (temporary, sizeof temporary, "%s.tmp", argv[4]);
            FILE *file = fopen (temporary, "w");
            if (!file || fputs (endpoint, file) < 0 || fclose (file) != 0 || rename (temporary, argv[4]) != 0)
                fail ("ready file");
        }
    } else if (zmq_connect (socket, argv[3]) != 0)
        fail ("zmq_connect");

    if (type == ZMQ_XPUB)
        publish (socket);
    else if (type == ZMQ_SUB)
        expect_published (socket);
    else if (type == ZMQ_XSUB) {
        send_text (socket, "\1keep", 0);
        expect_published (socket);
    } else if (type == ZMQ_REQ || type == ZMQ_DEALER) {
        /* One request per size; the answer is the same bytes. */
        for (size_t i = 0; i < SIZE_COUNT; i++) {
            send_part (socket, sizes[i], 0);
            expect_part (socket, sizes[i], 0);
        }
        send_text (socket, "END", 0);
        expect_text (socket, "END");
    } else if (type == ZMQ_REP || type == ZMQ_ROUTER) {
        /* Echo every request, all its parts (a ROUTER's start with the routing
           id it received, which routes the echo back). */
        for (size_t i = 0; i <= SIZE_COUNT; i++) {
            int more = 1;
            while (more) {
                zmq_msg_t part;
                zmq_msg_init (&part);
                if (zmq_msg_recv (&part, socket, 0) < 0)
                    fail ("request");
                more = zmq_msg_more (&part);
                if (zmq_msg_send (&part, socket, more ? ZMQ_SNDMORE : 0) < 0)
                    fail ("reply");
                zmq_msg_close (&part);
            }
        }
    } else if (type == ZMQ_PUSH)
        send_script (socket);
    else if (type == ZMQ_PULL)
        expect_script (socket);
    else if (binding) {
        /* PAIR: the binder echoes the script back, then waits for BYE so that it
           never closes before the connecter has read everything (a libzmq
           connecter without reconnection drops unread messages when its peer goes). */
        expect_script (socket);
        send_script (socket);
        expect_text (socket, "BYE");
    } else {
        send_script (socket);
        expect_script (socket);
        send_text (socket, "BYE", 0);
    }

    zmq_close (socket);
    zmq_ctx_term (ctx);
    /* The handler saw ETERM and closed its socket (zmq_ctx_term waited for that). */
    if (zap_thread)
        zmq_threadclose (zap_thread);
    return 0;
}
