/*  sub_match <subscriptions> <message-count>
 *
 *  Subscription matching at scale: a SUB thread subscribes to <subscriptions>
 *  distinct 13-byte topics; the publisher (an XPUB, so that it can count the
 *  subscriptions in, timing that too) then sends <message-count> messages over
 *  inproc, every other one on a subscribed topic and the rest on topics no one
 *  wants, so every message is matched against the whole set.  Prints how fast
 *  subscriptions were taken in and messages published (until the subscriber has
 *  all those it wanted).  Nothing is dropped: subscriptions go up with no
 *  high-water mark (a SUB drops those that find its pipe full), and messages
 *  come down with ZMQ_XPUB_NODROP, the publisher waiting for room.  */
#include "perf.h"

#define TOPIC_SIZE 13
#define MESSAGE_SIZE 32

static void *ctx;
static int subscriptions;
static int message_count;

/* "topic-0000042" for a subscribed topic, "other-0000042" for one nobody wants. */
static void topic (char *out, int n, int wanted)
{
    char text[32];
    snprintf (text, sizeof text, "%s-%07d", wanted ? "topic" : "other", n % 10000000);
    memcpy (out, text, TOPIC_SIZE);
}

static void subscriber (void *unused)
{
    (void) unused;
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    int zero = 0;
    if (!sub || zmq_setsockopt (sub, ZMQ_SNDHWM, &zero, sizeof zero) != 0
        || zmq_connect (sub, "inproc://sub_match") != 0)
        fail ("subscriber");
    char name[TOPIC_SIZE];
    for (int i = 0; i != subscriptions; i++) {
        topic (name, i, 1);
        if (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, name, TOPIC_SIZE) != 0)
            fail ("ZMQ_SUBSCRIBE");
    }
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    for (int i = 0; i != (message_count + 1) / 2; i++) {
        if (zmq_msg_recv (&msg, sub, 0) < 0)
            fail ("zmq_msg_recv");
        if (memcmp (zmq_msg_data (&msg), "topic-", 6) != 0)
            fail ("a message no one subscribed to");
    }
    zmq_msg_close (&msg);
    zmq_close (sub);
}

int main (int argc, char *argv[])
{
    if (argc != 3) {
        fprintf (stderr, "usage: sub_match <subscriptions> <message-count>\n");
        return 1;
    }
    subscriptions = atoi (argv[1]);
    message_count = atoi (argv[2]);
    if (subscriptions <= 0 || subscriptions > 9999999 || message_count <= 0)
        return 1;

    ctx = zmq_ctx_new ();
    void *pub = zmq_socket (ctx, ZMQ_XPUB);
    int zero = 0, one = 1;
    if (!pub || zmq_setsockopt (pub, ZMQ_XPUB_NODROP, &one, sizeof one) != 0
        || zmq_setsockopt (pub, ZMQ_RCVHWM, &zero, sizeof zero) != 0
        || zmq_bind (pub, "inproc://sub_match") != 0)
        fail ("publisher");
    void *thread = zmq_threadstart (subscriber, NULL);

    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, pub, 0) < 0)
        fail ("subscription");
    void *watch = zmq_stopwatch_start ();
    for (int i = 1; i != subscriptions; i++)
        if (zmq_msg_recv (&msg, pub, 0) < 0)
            fail ("subscription");
    unsigned long subscribing = zmq_stopwatch_stop (watch);

    watch = zmq_stopwatch_start ();
    unsigned int spread = 0;
    for (int i = 0; i != message_count; i++) {
        if (zmq_msg_init_size (&msg, MESSAGE_SIZE) != 0)
            fail ("zmq_msg_init_size");
        char *data = (char *) zmq_msg_data (&msg);
        memset (data, '.', MESSAGE_SIZE);
        spread = (spread + 7919) % (unsigned int) subscriptions;
        topic (data, (int) spread, i % 2 == 0);
        if (zmq_msg_send (&msg, pub, 0) < 0)
            fail ("zmq_msg_send");
    }
    zmq_threadclose (thread);
    unsigned long publishing = zmq_stopwatch_stop (watch);
    zmq_msg_close (&msg);
    zmq_close (pub);
    zmq_ctx_term (ctx);

    if (subscribing == 0)
        subscribing = 1;
    if (publishing == 0)
        publishing = 1;
    printf ("subscriptions: %d\n", subscriptions);
    printf ("message count: %d\n", message_count);
    printf ("subscribed: %d [subscriptions/s]\n",
            (int) ((double) (subscriptions - 1) / (double) subscribing * 1000000));
    printf ("published: %d [msg/s]\n",
            (int) ((double) message_count / (double) publishing * 1000000));
    return 0;
}
