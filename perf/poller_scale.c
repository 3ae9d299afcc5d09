/*  poller_scale <pairs> <waits>
 *
 *  What a wait costs as the set grows: <pairs> PAIR pairs over inproc, one end of
 *  each in the set, and only one pair active. Each round sends one message to the
 *  active socket, waits, and receives it; a round of send + receive alone is timed
 *  too and taken off, so what is printed is the microseconds per wait of
 *
 *    zmq_poll               over the <pairs> sockets (every libzmq has it);
 *    zmq_poller_wait_all    with an events array of <pairs>, and
 *    zmq_poller_wait        (one event), when the library exports the draft
 *                           poller API (looked up at run time, so the same
 *                           binary runs against a libzmq without it).
 *
 *  Each pair is two sockets, each with a descriptor: keep 2 * <pairs> below the
 *  process's descriptor limit (ulimit -n).  */
#include "perf.h"

#include <dlfcn.h>
#include <time.h>

typedef struct
{
    void *socket;
    int fd;
    void *user_data;
    short events;
} poller_event_t;

/*  The draft poller functions, when the library has them.  */
static void *(*poller_new) (void);
static int (*poller_destroy) (void **);
static int (*poller_add) (void *, void *, void *, short);
static int (*poller_wait) (void *, poller_event_t *, long);
static int (*poller_wait_all) (void *, poller_event_t *, int, long);

static double now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int pairs, waits;
static void **bound, **connected;
static void *active_in, *active_out;

static void send_one (void)
{
    if (zmq_send (active_out, "x", 1, 0) != 1)
        fail ("send");
}

static void recv_one (void)
{
    char byte;
    if (zmq_recv (active_in, &byte, 1, 0) != 1)
        fail ("recv");
}

/*  The microseconds per round of send, `wait` (NULL: none) and receive.  */
static double time_rounds (int (*wait) (void *), void *arg)
{
    for (int i = 0; i < waits / 10 + 1; i++) {
        send_one ();
        if (wait && wait (arg) != 1)
            fail ("warm-up wait");
        recv_one ();
    }
    double start = now_us ();
    for (int i = 0; i < waits; i++) {
        send_one ();
        if (wait && wait (arg) != 1)
            fail ("wait");
        recv_one ();
    }
    return (now_us () - start) / waits;
}

static int wait_poll (void *items)
{
    return zmq_poll ((zmq_pollitem_t *) items, pairs, -1);
}

static poller_event_t *events;

static int wait_poller_all (void *poller)
{
    return poller_wait_all (poller, events, pairs, -1);
}

static int wait_poller_one (void *poller)
{
    return poller_wait (poller, events, -1) == 0 ? 1 : -1;
}

int main (int argc, char *argv[])
{
    if (argc != 3) {
        fprintf (stderr, "usage: poller_scale <pairs> <waits>\n");
        return 1;
    }
    pairs = atoi (argv[1]);
    waits = atoi (argv[2]);
    if (pairs <= 0 || waits <= 0) {
        fprintf (stderr, "pairs and waits must be positive\n");
        return 1;
    }
    void *ctx = zmq_ctx_new ();
    if (!ctx || zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 2 * pairs + 16) != 0)
        fail ("context");
    bound = calloc (pairs, sizeof *bound);
    connected = calloc (pairs, sizeof *connected);
    zmq_pollitem_t *items = calloc (pairs, sizeof *items);
    events = calloc (pairs, sizeof *events);
    if (!bound || !connected || !items || !events)
        fail ("calloc");
    for (int i = 0; i < pairs; i++) {
        char endpoint[64];
        snprintf (endpoint, sizeof endpoint, "inproc://poller-scale-%d", i);
        bound[i] = zmq_socket (ctx, ZMQ_PAIR);
        connected[i] = zmq_socket (ctx, ZMQ_PAIR);
        if (!bound[i] || !connected[i])
            fail ("socket");
        if (zmq_bind (bound[i], endpoint) != 0
            || zmq_connect (connected[i], endpoint) != 0)
            fail ("bind/connect");
        items[i].socket = bound[i];
        items[i].events = ZMQ_POLLIN;
    }
    active_in = bound[pairs / 2];
    active_out = connected[pairs / 2];

    double bare = time_rounds (NULL, NULL);
    printf ("pairs: %d, waits: %d, send + receive alone: %.3f us\n", pairs,
            waits, bare);
    printf ("zmq_poll: %.3f us per wait\n", time_rounds (wait_poll, items) - bare);

    *(void **) &poller_new = dlsym (RTLD_DEFAULT, "zmq_poller_new");
    *(void **) &poller_destroy = dlsym (RTLD_DEFAULT, "zmq_poller_destroy");
    *(void **) &poller_add = dlsym (RTLD_DEFAULT, "zmq_poller_add");
    *(void **) &poller_wait = dlsym (RTLD_DEFAULT, "zmq_poller_wait");
    *(void **) &poller_wait_all = dlsym (RTLD_DEFAULT, "zmq_poller_wait_all");
    if (!poller_new || !poller_destroy || !poller_add || !poller_wait
        || !poller_wait_all) {
        printf ("zmq_poller: not exported by this libzmq\n");
    } else {
        void *poller = poller_new ();
        if (!poller)
            fail ("zmq_poller_new");
        for (int i = 0; i < pairs; i++)
            if (poller_add (poller, bound[i], NULL, ZMQ_POLLIN) != 0)
                fail ("zmq_poller_add");
        printf ("zmq_poller_wait_all: %.3f us per wait\n",
                time_rounds (wait_poller_all, poller) - bare);
        printf ("zmq_poller_wait: %.3f us per wait\n",
                time_rounds (wait_poller_one, poller) - bare);
        poller_destroy (&poller);
    }

    for (int i = 0; i < pairs; i++) {
        zmq_close (bound[i]);
        zmq_close (connected[i]);
    }
    zmq_ctx_term (ctx);
    free (bound);
    free (connected);
    free (items);
    free (events);
    return 0;
}
