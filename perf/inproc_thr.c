/*  inproc_thr <message-size> <message-count> [endpoint]
 *
 *  Throughput: a PUSH thread sends <message-count> messages of <message-size>
 *  bytes to a PULL socket bound at <endpoint> (default inproc; a tcp or ipc
 *  endpoint with a wildcard works too, since the sender connects to what
 *  ZMQ_LAST_ENDPOINT reports), which times their arrival.  Prints the figures in
 *  the style of libzmq's perf tools.  Built against zmq.h; run the same binary
 *  against any libzmq.so.5 (see perf/compare).
 *
 *  With PERF_CURVE=1 in the environment, the PULL is a CURVE server and the PUSH
 *  its client (fixed test keys): every message is encrypted and authenticated.  */
#include <zmq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t message_size;
/* Where the connecting thread goes: the bound endpoint as ZMQ_LAST_ENDPOINT gives it. */
static char endpoint[256];
static int message_count;

static const char server_public[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
static const char server_secret[] = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
static const char client_public[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
static const char client_secret[] = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

/*  PERF_CURVE=1: the binding side is the CURVE server, the other its client.  */
static void secure (void *socket, int server)
{
    const char *curve = getenv ("PERF_CURVE");
    if (!curve || strcmp (curve, "1") != 0)
        return;
    int one = 1;
    if (server) {
        zmq_setsockopt (socket, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, server_secret, 40);
    } else {
        zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, server_public, 40);
        zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, client_public, 40);
        zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, client_secret, 40);
    }
}

static void fail (const char *what)
{
    fprintf (stderr, "%s: %s\n", what, zmq_strerror (zmq_errno ()));
    exit (1);
}

static void sender (void *ctx)
{
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    secure (push, 0);
    if (!push || zmq_connect (push, endpoint) != 0)
        fail ("sender connect");
    for (int i = 0; i != message_count; i++) {
        zmq_msg_t msg;
        if (zmq_msg_init_size (&msg, message_size) != 0)
            fail ("zmq_msg_init_size");
        memset (zmq_msg_data (&msg), 'x', message_size);
        if (zmq_msg_send (&msg, push, 0) < 0)
            fail ("zmq_msg_send");
    }
    zmq_close (push);
}

int main (int argc, char *argv[])
{
    if (argc != 3 && argc != 4) {
        fprintf (stderr, "usage: inproc_thr <message-size> <message-count> [endpoint]\n");
        return 1;
    }
    message_size = (size_t) atol (argv[1]);
    message_count = atoi (argv[2]);
    if (message_count <= 0)
        return 1;

    const char *bind_to = argc == 4 ? argv[3] : "inproc://thr_test";
    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    secure (pull, 1);
    if (!pull || zmq_bind (pull, bind_to) != 0)
        fail ("bind");
    size_t endpoint_size = sizeof endpoint;
    if (zmq_getsockopt (pull, ZMQ_LAST_ENDPOINT, endpoint, &endpoint_size) != 0)
        fail ("ZMQ_LAST_ENDPOINT");
    void *thread = zmq_threadstart (sender, ctx);

    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, pull, 0) < 0)
        fail ("zmq_msg_recv");
    void *watch = zmq_stopwatch_start ();
    for (int i = 1; i != message_count; i++) {
        if (zmq_msg_recv (&msg, pull, 0) < 0)
            fail ("zmq_msg_recv");
        if (zmq_msg_size (&msg) != message_size)
            fail ("message of the wrong size");
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;
    zmq_msg_close (&msg);
    zmq_threadclose (thread);
    zmq_close (pull);
    zmq_ctx_term (ctx);

    double throughput = (double) (message_count - 1) / (double) elapsed * 1000000;
    double megabits = throughput * (double) message_size * 8 / 1000000;
    printf ("message size: %d [B]\n", (int) message_size);
    printf ("message count: %d\n", message_count);
    printf ("mean throughput: %d [msg/s]\n", (int) throughput);
    printf ("mean throughput: %.3f [Mb/s]\n", megabits);
    return 0;
}
