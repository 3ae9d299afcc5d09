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
#include "perf.h"

static size_t message_size;
/* Where the connecting thread goes: the bound endpoint as ZMQ_LAST_ENDPOINT gives it. */
static char endpoint[256];
static long message_count;

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

static void sender (void *ctx)
{
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    secure (push, 0);
    if (!push || zmq_connect (push, endpoint) != 0)
        fail ("sender connect");
    send_messages (push, message_count, message_size);
    zmq_close (push);
}

int main (int argc, char *argv[])
{
    if (argc != 3 && argc != 4) {
        fprintf (stderr, "usage: inproc_thr <message-size> <message-count> [endpoint]\n");
        return 1;
    }
    message_size = (size_t) atol (argv[1]);
    message_count = atol (argv[2]);
    if (message_count <= 0)
        return 1;

    const char *bind_to = argc == 4 ? argv[3] : "inproc://thr_test";
    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    secure (pull, 1);
    if (!pull || zmq_bind (pull, bind_to) != 0)
        fail ("bind");
    bound_endpoint (pull, endpoint, sizeof endpoint);
    void *thread = zmq_threadstart (sender, ctx);
    unsigned long elapsed = receive_messages (pull, message_count, message_size);
    zmq_threadclose (thread);
    zmq_close (pull);
    zmq_ctx_term (ctx);
    print_throughput (message_count, message_size, elapsed);
    return 0;
}
