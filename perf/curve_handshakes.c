/*  curve_handshakes <count>
 *
 *  Connection set-up cost under CURVE: a CURVE server (PULL) over tcp, and
 *  <count> times a fresh CURVE client (PUSH) that connects, delivers one message
 *  and closes. Prints handshakes per second (the whole round: connect, the
 *  four-command CurveZMQ handshake, one message, close).  */
#include "perf.h"

static const char server_public[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
static const char server_secret[] = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
static const char client_public[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
static const char client_secret[] = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

int main (int argc, char *argv[])
{
    if (argc != 2) {
        fprintf (stderr, "usage: curve_handshakes <count>\n");
        return 1;
    }
    int count = atoi (argv[1]);
    if (count <= 0)
        return 1;
    void *ctx = zmq_ctx_new ();
    void *server = zmq_socket (ctx, ZMQ_PULL);
    int one = 1, zero = 0;
    if (!server || zmq_setsockopt (server, ZMQ_CURVE_SERVER, &one, sizeof one) != 0
        || zmq_setsockopt (server, ZMQ_CURVE_SECRETKEY, server_secret, 40) != 0
        || zmq_bind (server, "tcp://127.0.0.1:*") != 0)
        fail ("server");
    char endpoint[256];
    bound_endpoint (server, endpoint, sizeof endpoint);

    void *watch = zmq_stopwatch_start ();
    for (int i = 0; i < count; i++) {
        void *client = zmq_socket (ctx, ZMQ_PUSH);
        if (!client || zmq_setsockopt (client, ZMQ_CURVE_SERVERKEY, server_public, 40) != 0
            || zmq_setsockopt (client, ZMQ_CURVE_PUBLICKEY, client_public, 40) != 0
            || zmq_setsockopt (client, ZMQ_CURVE_SECRETKEY, client_secret, 40) != 0
            || zmq_setsockopt (client, ZMQ_LINGER, &zero, sizeof zero) != 0
            || zmq_connect (client, endpoint) != 0)
            fail ("client");
        if (zmq_send (client, "x", 1, 0) != 1)
            fail ("send");
        char byte;
        if (zmq_recv (server, &byte, 1, 0) != 1)
            fail ("recv");
        zmq_close (client);
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;
    zmq_close (server);
    zmq_ctx_term (ctx);
    printf ("handshakes: %d\n", count);
    printf ("rate: %d [handshakes/s]\n", (int) ((double) count / (double) elapsed * 1000000));
    return 0;
}
