/*  CLIENT/SERVER and PEER routing ids through the draft API (which Debian's
 *  libzmq does not export): zmq_msg_routing_id on what a SERVER receives,
 *  replies by zmq_msg_set_routing_id, EHOSTUNREACH for an unknown id;
 *  zmq_connect_peer and zmq_disconnect_peer; inproc and tcp.  */
#include "testutil_msg.h"

static uint32_t recv_with_id (void *server, const char *expected)
{
    zmq_msg_t msg;
    CHECK_OK (zmq_msg_init (&msg));
    CHECK_EQ (zmq_msg_recv (&msg, server, 0), (int) strlen (expected));
    CHECK (memcmp (zmq_msg_data (&msg), expected, strlen (expected)) == 0);
    uint32_t id = zmq_msg_routing_id (&msg);
    CHECK (id != 0);
    CHECK_OK (zmq_msg_close (&msg));
    return id;
}

static int send_to (void *server, uint32_t id, const char *text)
{
    zmq_msg_t msg;
    CHECK_OK (zmq_msg_init_size (&msg, strlen (text)));
    memcpy (zmq_msg_data (&msg), text, strlen (text));
    CHECK_OK (zmq_msg_set_routing_id (&msg, id));
    int rc = zmq_msg_send (&msg, server, 0);
    if (rc == -1) {
        int e = zmq_errno ();
        CHECK_OK (zmq_msg_close (&msg));
        errno = e;
    }
    return rc;
}

static void round_trip (void *ctx, const char *bind_to)
{
    void *server = new_socket (ctx, ZMQ_SERVER);
    CHECK_OK (zmq_bind (server, bind_to));
    char endpoint[256];
    last_endpoint (server, endpoint, sizeof endpoint);
    void *a = new_socket (ctx, ZMQ_CLIENT);
    void *b = new_socket (ctx, ZMQ_CLIENT);
    CHECK_OK (zmq_connect (a, endpoint));
    CHECK_OK (zmq_connect (b, endpoint));
    send_str (a, "from a", 0);
    uint32_t id_a = recv_with_id (server, "from a");
    send_str (b, "from b", 0);
    uint32_t id_b = recv_with_id (server, "from b");
    CHECK (id_a != id_b);
    send_str (a, "again", 0);
    CHECK_EQ (recv_with_id (server, "again"), id_a);
    CHECK_EQ (send_to (server, id_b, "to b"), 4);
    CHECK_EQ (send_to (server, id_a, "to a"), 4);
    zmq_msg_t reply;
    CHECK_OK (zmq_msg_init (&reply));
    CHECK_EQ (zmq_msg_recv (&reply, b, 0), 4);
    CHECK_EQ (zmq_msg_routing_id (&reply), 0);
    CHECK_OK (zmq_msg_close (&reply));
    CHECK_STREQ (recv_str (a, 0), "to a");
    uint32_t unknown = id_a + id_b + 1;
    if (unknown == 0 || unknown == id_a || unknown == id_b)
        unknown = 7;
    CHECK_ERRNO (send_to (server, unknown, "x"), EHOSTUNREACH);
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (server));
}

static void peers (void *ctx, const char *bind_to)
{
    void *first = new_socket (ctx, ZMQ_PEER);
    CHECK_OK (zmq_bind (first, bind_to));
    char endpoint[256];
    last_endpoint (first, endpoint, sizeof endpoint);
    void *second = new_socket (ctx, ZMQ_PEER);
    uint32_t first_id = zmq_connect_peer (second, endpoint);
    CHECK (first_id != 0);
    CHECK_EQ (send_to (second, first_id, "hello"), 5);
    uint32_t second_id = recv_with_id (first, "hello");
    CHECK_EQ (send_to (first, second_id, "back"), 4);
    CHECK_EQ (recv_with_id (second, "back"), first_id);
    CHECK_OK (zmq_disconnect_peer (first, second_id));
    CHECK_ERRNO (send_to (first, second_id, "gone"), EHOSTUNREACH);
    CHECK_ERRNO (zmq_disconnect_peer (first, second_id), EHOSTUNREACH);
    /* Only PEER connects by peer: 0 and ENOTSUP; ENOTSOCK for a non-socket. */
    void *dealer = new_socket (ctx, ZMQ_DEALER);
    errno = 0;
    CHECK_EQ (zmq_connect_peer (dealer, endpoint), 0);
    CHECK_EQ (errno, ENOTSUP);
    CHECK_ERRNO (zmq_disconnect_peer (dealer, 1), ENOTSUP);
    errno = 0;
    CHECK_EQ (zmq_connect_peer (NULL, endpoint), 0);
    CHECK_EQ (errno, ENOTSOCK);
    CHECK_OK (zmq_close (dealer));
    CHECK_OK (zmq_close (first));
    CHECK_OK (zmq_close (second));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    round_trip (ctx, "inproc://server");
    round_trip (ctx, "tcp://127.0.0.1:*");
    peers (ctx, "inproc://peer");
    peers (ctx, "tcp://127.0.0.1:*");
    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("ours_draft_types");
    return 0;
}
