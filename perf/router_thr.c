/*  router_thr <clients> <message-size> <requests-per-client> [endpoint [role]]
 *
 *  Request-reply throughput through ROUTER and DEALER: <clients> DEALER threads
 *  each send <requests-per-client> requests of <message-size> bytes, keeping up
 *  to WINDOW of them in flight; a ROUTER (this thread) answers every request by
 *  sending it back to the DEALER it came from, naming it by its routing id.
 *  Times from the first request received to the last reply, and prints the
 *  round trips per second.  The ROUTER is ZMQ_ROUTER_MANDATORY, so a reply
 *  waits for room rather than being dropped (which would leave its client
 *  waiting for ever).  Default endpoint inproc; a tcp or ipc endpoint with
 *  a wildcard works too.
 *
 *  With a role, the two sides run in two processes, as libzmq's local_thr and
 *  remote_thr do: "server" binds the endpoint, prints "endpoint: <bound>" and
 *  answers; "clients" connects the DEALER threads to that endpoint.  */
#include "perf.h"

#define MAX_CLIENTS 64
#define WINDOW 100

static void *ctx;
static char endpoint[256];
static size_t message_size;
static int requests;

static void client (void *unused)
{
    (void) unused;
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    if (!dealer || zmq_connect (dealer, endpoint) != 0)
        fail ("client connect");
    int sent = 0;
    while (sent != requests && sent != WINDOW) {
        send_messages (dealer, 1, message_size);
        sent++;
    }
    zmq_msg_t reply;
    zmq_msg_init (&reply);
    for (int received = 0; received != requests; received++) {
        receive_sized (&reply, dealer, message_size);
        if (sent != requests) {
            send_messages (dealer, 1, message_size);
            sent++;
        }
    }
    zmq_msg_close (&reply);
    zmq_close (dealer);
}

/*  The "clients" role: only the DEALER threads, connected to `endpoint`.  */
static int run_clients (int clients)
{
    void *threads[MAX_CLIENTS];
    for (int i = 0; i != clients; i++)
        threads[i] = zmq_threadstart (client, NULL);
    for (int i = 0; i != clients; i++)
        zmq_threadclose (threads[i]);
    zmq_ctx_term (ctx);
    return 0;
}

int main (int argc, char *argv[])
{
    if (argc < 4 || argc > 6) {
        fprintf (stderr, "usage: router_thr <clients> <message-size> "
                         "<requests-per-client> [endpoint [server|clients]]\n");
        return 1;
    }
    int clients = atoi (argv[1]);
    message_size = (size_t) atol (argv[2]);
    requests = atoi (argv[3]);
    const char *role = argc == 6 ? argv[5] : "both";
    if (clients <= 0 || clients > MAX_CLIENTS || requests <= 0
        || (strcmp (role, "both") != 0 && strcmp (role, "server") != 0
            && strcmp (role, "clients") != 0))
        return 1;

    ctx = zmq_ctx_new ();
    if (strcmp (role, "clients") == 0) {
        snprintf (endpoint, sizeof endpoint, "%s", argv[4]);
        return run_clients (clients);
    }
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    int one = 1;
    if (!router || zmq_setsockopt (router, ZMQ_ROUTER_MANDATORY, &one, sizeof one) != 0
        || zmq_bind (router, argc >= 5 ? argv[4] : "inproc://router_thr") != 0)
        fail ("bind");
    bound_endpoint (router, endpoint, sizeof endpoint);
    int local_clients = strcmp (role, "both") == 0 ? clients : 0;
    if (!local_clients)
        announce_endpoint (endpoint);
    void *threads[MAX_CLIENTS];
    for (int i = 0; i != local_clients; i++)
        threads[i] = zmq_threadstart (client, NULL);

    zmq_msg_t id, body;
    zmq_msg_init (&id);
    zmq_msg_init (&body);
    void *watch = NULL;
    long total = (long) clients * requests;
    for (long i = 0; i != total; i++) {
        if (zmq_msg_recv (&id, router, 0) < 0 || !zmq_msg_more (&id))
            fail ("routing id");
        if (watch == NULL)
            watch = zmq_stopwatch_start ();
        if (zmq_msg_recv (&body, router, 0) < 0)
            fail ("request");
        if (zmq_msg_send (&id, router, ZMQ_SNDMORE) < 0
            || zmq_msg_send (&body, router, 0) < 0)
            fail ("reply");
    }
    for (int i = 0; i != local_clients; i++)
        zmq_threadclose (threads[i]);
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;
    zmq_msg_close (&id);
    zmq_msg_close (&body);
    zmq_close (router);
    zmq_ctx_term (ctx);

    double rate = (double) total / (double) elapsed * 1000000;
    printf ("clients: %d\n", clients);
    printf ("message size: %d [B]\n", (int) message_size);
    printf ("round trips: %ld\n", total);
    printf ("mean throughput: %d [round trips/s]\n", (int) rate);
    return 0;
}
