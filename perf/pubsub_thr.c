/*  pubsub_thr <subscribers> <message-size> <message-count> <filter> [endpoint [role]]
 *
 *  Fan-out throughput: one publisher sends <message-count> messages of
 *  <message-size> bytes (at least 4) to <subscribers> SUB sockets, each in its
 *  own thread.  With <filter> 0 every subscriber takes everything; with 1 each
 *  subscribes to a topic of its own and the messages go round the topics, so the
 *  publisher filters and each subscriber gets its share.  The publisher is an
 *  XPUB so that it can wait for every subscription before it starts, and with
 *  ZMQ_XPUB_NODROP, so that a subscriber at its high-water mark (the default
 *  1000) holds the publisher back rather than losing messages: every subscriber
 *  counts its messages exactly, and memory stays bounded.  Otherwise it
 *  distributes exactly as PUB does.  Times from the first send to the last
 *  subscriber's last message.  Default endpoint inproc; a
 *  tcp or ipc endpoint with a wildcard works too.
 *
 *  With a role, the two sides run in two processes: "publisher" binds the
 *  endpoint, prints "endpoint: <bound>" and publishes once every subscription
 *  is in; "subscribers" connects the SUB threads to that endpoint and times
 *  from the first message any of them receives to the last.  */
#include "perf.h"

#define MAX_SUBSCRIBERS 64

static void *ctx;
static char endpoint[256];
static int subscriber_count;
static size_t message_size;
static int message_count;
static int filter;
/* The "subscribers" role: started by whichever subscriber receives first.  */
static void *first_message_watch;

struct subscriber
{
    int index;
    int expected;
};

static void topic_of (int index, char topic[4])
{
    topic[0] = 'T';
    topic[1] = (char) ('0' + index / 100 % 10);
    topic[2] = (char) ('0' + index / 10 % 10);
    topic[3] = (char) ('0' + index % 10);
}

static void subscribe_and_count (void *arg)
{
    struct subscriber *self = (struct subscriber *) arg;
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    if (!sub)
        fail ("subscriber socket");
    char topic[4];
    topic_of (self->index, topic);
    if (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, topic, filter ? 4 : 0) != 0)
        fail ("ZMQ_SUBSCRIBE");
    if (zmq_connect (sub, endpoint) != 0)
        fail ("subscriber connect");
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    for (int i = 0; i != self->expected; i++) {
        receive_sized (&msg, sub, message_size);
        if (i == 0 && __atomic_load_n (&first_message_watch, __ATOMIC_ACQUIRE) == NULL) {
            void *none = NULL;
            void *watch = zmq_stopwatch_start ();
            if (!__atomic_compare_exchange_n (&first_message_watch, &none, watch, 0,
                                              __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                zmq_stopwatch_stop (watch);
        }
        if (filter && memcmp (zmq_msg_data (&msg), topic, 4) != 0)
            fail ("message for another topic");
    }
    zmq_msg_close (&msg);
    zmq_close (sub);
}

static void report (double published)
{
    double delivered = filter ? published : published * subscriber_count;
    printf ("subscribers: %d%s\n", subscriber_count, filter ? " (filtered)" : "");
    printf ("message size: %d [B]\n", (int) message_size);
    printf ("message count: %d\n", message_count);
    printf ("published: %d [msg/s]\n", (int) published);
    printf ("delivered: %d [msg/s]\n", (int) delivered);
}

static struct subscriber subscribers[MAX_SUBSCRIBERS];
static void *threads[MAX_SUBSCRIBERS];

static void start_subscribers (void)
{
    for (int i = 0; i != subscriber_count; i++) {
        subscribers[i].index = i;
        subscribers[i].expected =
          filter ? message_count / subscriber_count : message_count;
        threads[i] = zmq_threadstart (subscribe_and_count, &subscribers[i]);
    }
}

/*  The "subscribers" role: only the SUB threads, connected to `endpoint`.  */
static int run_subscribers (void)
{
    start_subscribers ();
    for (int i = 0; i != subscriber_count; i++)
        zmq_threadclose (threads[i]);
    unsigned long elapsed = zmq_stopwatch_stop (first_message_watch);
    if (elapsed == 0)
        elapsed = 1;
    zmq_ctx_term (ctx);
    report ((double) message_count / (double) elapsed * 1000000);
    return 0;
}

int main (int argc, char *argv[])
{
    if (argc < 5 || argc > 7) {
        fprintf (stderr, "usage: pubsub_thr <subscribers> <message-size> "
                         "<message-count> <filter 0|1> [endpoint [publisher|subscribers]]\n");
        return 1;
    }
    const char *role = argc == 7 ? argv[6] : "both";
    if (strcmp (role, "both") != 0 && strcmp (role, "publisher") != 0
        && strcmp (role, "subscribers") != 0)
        return 1;
    subscriber_count = atoi (argv[1]);
    message_size = (size_t) atol (argv[2]);
    message_count = atoi (argv[3]);
    filter = atoi (argv[4]);
    if (subscriber_count <= 0 || subscriber_count > MAX_SUBSCRIBERS
        || message_size < 4 || message_count <= 0
        || (filter && message_count % subscriber_count != 0)) {
        fprintf (stderr, "pubsub_thr: 1 to %d subscribers, messages of 4 bytes or "
                         "more, and with a filter a count they divide\n",
                 MAX_SUBSCRIBERS);
        return 1;
    }

    ctx = zmq_ctx_new ();
    if (strcmp (role, "subscribers") == 0) {
        snprintf (endpoint, sizeof endpoint, "%s", argv[5]);
        return run_subscribers ();
    }
    void *pub = zmq_socket (ctx, ZMQ_XPUB);
    int one = 1;
    if (!pub || zmq_setsockopt (pub, ZMQ_XPUB_NODROP, &one, sizeof one) != 0
        || zmq_setsockopt (pub, ZMQ_XPUB_VERBOSE, &one, sizeof one) != 0)
        fail ("publisher socket");
    if (zmq_bind (pub, argc >= 6 ? argv[5] : "inproc://pubsub_thr") != 0)
        fail ("bind");
    bound_endpoint (pub, endpoint, sizeof endpoint);
    int local_subscribers = strcmp (role, "both") == 0;
    if (local_subscribers)
        start_subscribers ();
    else
        announce_endpoint (endpoint);
    /* Every subscription in: one subscription message per subscriber.  */
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    for (int i = 0; i != subscriber_count; i++)
        if (zmq_msg_recv (&msg, pub, 0) < 0)
            fail ("subscription");

    void *watch = zmq_stopwatch_start ();
    for (int i = 0; i != message_count; i++) {
        if (zmq_msg_init_size (&msg, message_size) != 0)
            fail ("zmq_msg_init_size");
        char *data = (char *) zmq_msg_data (&msg);
        memset (data, 'x', message_size);
        topic_of (i % subscriber_count, data);
        if (zmq_msg_send (&msg, pub, 0) < 0)
            fail ("zmq_msg_send");
    }
    if (!local_subscribers) {
        /* The subscribers' process times the run; the context's termination
           waits (ZMQ_LINGER is infinite) until every message is out.  */
        zmq_stopwatch_stop (watch);
        zmq_msg_close (&msg);
        zmq_close (pub);
        zmq_ctx_term (ctx);
        return 0;
    }
    for (int i = 0; i != subscriber_count; i++)
        zmq_threadclose (threads[i]);
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;
    zmq_msg_close (&msg);
    zmq_close (pub);
    zmq_ctx_term (ctx);
    report ((double) message_count / (double) elapsed * 1000000);
    return 0;
}
