/*  RADIO/DISH through the draft API (zmq_join, zmq_leave, zmq_msg_set_group,
 *  zmq_msg_group; Debian's libzmq exports none of them): join and leave rules,
 *  filtering by group over inproc, tcp and udp, a group joined and left while
 *  connected, zmq_poll on a DISH (libzmq's test_radio_dish_tcp_poll).  */
#include "testutil_msg.h"

#include "testutil_udp.h"

static void send_group (void *radio, const char *group, const char *body)
{
    zmq_msg_t msg;
    CHECK_OK (zmq_msg_init_size (&msg, strlen (body)));
    memcpy (zmq_msg_data (&msg), body, strlen (body));
    CHECK_OK (zmq_msg_set_group (&msg, group));
    CHECK_EQ (zmq_msg_send (&msg, radio, 0), (int) strlen (body));
    CHECK_OK (zmq_msg_close (&msg));
}

/*  Receives one message and checks its group and body.  */
static void recv_group (void *dish, const char *group, const char *body)
{
    zmq_msg_t msg;
    CHECK_OK (zmq_msg_init (&msg));
    CHECK_EQ (zmq_msg_recv (&msg, dish, 0), (int) strlen (body));
    CHECK_STREQ (zmq_msg_group (&msg), group);
    CHECK (memcmp (zmq_msg_data (&msg), body, strlen (body)) == 0);
    CHECK_OK (zmq_msg_close (&msg));
}

/*  Sends to `group` until the DISH has it (a join travels asynchronously over
 *  tcp): at most 100 tries, 50 ms apart. Drains the extra copies.  */
static void send_until_joined (void *radio, void *dish, const char *group)
{
    int got = 0;
    for (int i = 0; i < 100 && !got; i++) {
        send_group (radio, group, "probe");
        tu_sleep_ms (50);
        zmq_msg_t msg;
        CHECK_OK (zmq_msg_init (&msg));
        if (zmq_msg_recv (&msg, dish, ZMQ_DONTWAIT) >= 0) {
            CHECK_STREQ (zmq_msg_group (&msg), group);
            got = 1;
        }
        CHECK_OK (zmq_msg_close (&msg));
    }
    CHECK (got);
    char c;
    while (zmq_recv (dish, &c, 1, ZMQ_DONTWAIT) >= 0) {
    }
}

static void test_join_rules (void *ctx)
{
    void *dish = new_socket (ctx, ZMQ_DISH);
    CHECK_ERRNO (zmq_leave (dish, "Movies"), EINVAL);
    CHECK_OK (zmq_join (dish, "Movies"));
    CHECK_ERRNO (zmq_join (dish, "Movies"), EINVAL);
    CHECK_OK (zmq_leave (dish, "Movies"));
    CHECK_ERRNO (zmq_leave (dish, "Movies"), EINVAL);
    char group[ZMQ_GROUP_MAX_LENGTH + 2];
    memset (group, 'A', sizeof group);
    group[ZMQ_GROUP_MAX_LENGTH + 1] = '\0';
    CHECK_ERRNO (zmq_join (dish, group), EINVAL);
    group[ZMQ_GROUP_MAX_LENGTH] = '\0';
    CHECK_OK (zmq_join (dish, group));
    CHECK_OK (zmq_join (dish, ""));
    /*  libzmq crashes on a NULL group.  */
    CHECK_ERRNO (zmq_join (dish, NULL), EINVAL);
    CHECK_ERRNO (zmq_leave (dish, NULL), EINVAL);

    void *sub = new_socket (ctx, ZMQ_SUB);
    CHECK_ERRNO (zmq_join (sub, "Movies"), ENOTSUP);
    CHECK_ERRNO (zmq_leave (sub, "Movies"), ENOTSUP);
    void *radio = new_socket (ctx, ZMQ_RADIO);
    CHECK_ERRNO (zmq_join (radio, "Movies"), ENOTSUP);
    CHECK_OK (zmq_close (radio));
    CHECK_OK (zmq_close (sub));
    CHECK_OK (zmq_close (dish));
    CHECK_ERRNO (zmq_join (dish, "Movies"), ENOTSOCK);
    printf ("join/leave rules\n");
}

/*  libzmq's test_radio_dish_tcp_poll, over any transport the RADIO binds.  */
static void join_filter_leave (void *ctx, const char *bind_to)
{
    void *radio = new_socket (ctx, ZMQ_RADIO);
    CHECK_OK (zmq_bind (radio, bind_to));
    char endpoint[256];
    last_endpoint (radio, endpoint, sizeof endpoint);
    void *dish = new_socket (ctx, ZMQ_DISH);
    CHECK_OK (zmq_join (dish, "Movies"));
    CHECK_OK (zmq_connect (dish, endpoint));
    send_until_joined (radio, dish, "Movies");

    send_group (radio, "TV", "Friends");
    send_group (radio, "Movies", "Godfather");
    recv_group (dish, "Movies", "Godfather");

    CHECK_OK (zmq_join (dish, "TV"));
    send_until_joined (radio, dish, "TV");
    send_group (radio, "TV", "Friends");
    recv_group (dish, "TV", "Friends");

    CHECK_OK (zmq_leave (dish, "TV"));
    tu_sleep_ms (200);
    send_group (radio, "TV", "Friends");
    send_group (radio, "Movies", "Godfather");
    zmq_pollitem_t items[] = {{radio, 0, ZMQ_POLLIN, 0},
                              {dish, 0, ZMQ_POLLIN, 0}};
    CHECK_EQ (zmq_poll (items, 2, 2000), 1);
    CHECK_EQ (items[1].revents, ZMQ_POLLIN);
    recv_group (dish, "Movies", "Godfather");
    check_nothing (dish, 100);

    CHECK_OK (zmq_close (dish));
    CHECK_OK (zmq_close (radio));
    printf ("join, filter, leave, poll over %.3s\n", bind_to);
}

static void test_udp (void *ctx)
{
    char uri[64];
    snprintf (uri, sizeof uri, "udp://127.0.0.1:%d", free_udp_port ());
    void *dish = new_socket (ctx, ZMQ_DISH);
    void *radio = new_socket (ctx, ZMQ_RADIO);
    CHECK_OK (zmq_bind (dish, uri));
    CHECK_OK (zmq_connect (radio, uri));
    CHECK_OK (zmq_join (dish, "TV"));
    /*  Every datagram reaches the DISH, which drops the groups it did not join.  */
    send_group (radio, "Movies", "Godfather");
    send_group (radio, "TV", "Friends");
    recv_group (dish, "TV", "Friends");
    /*  A group longer than 14 bytes (libzmq's short group limit).  */
    CHECK_OK (zmq_join (dish, "0123456789ABCDEFGH"));
    send_group (radio, "0123456789ABCDEFGH", "long");
    recv_group (dish, "0123456789ABCDEFGH", "long");
    /*  Unlike libzmq 4.3, a udp bind can be undone.  */
    CHECK_OK (zmq_unbind (dish, uri));
    CHECK_OK (zmq_close (radio));
    CHECK_OK (zmq_close (dish));
    printf ("udp unicast\n");
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    test_join_rules (ctx);
    join_filter_leave (ctx, "inproc://radio-dish");
    join_filter_leave (ctx, "tcp://127.0.0.1:*");
    test_udp (ctx);
    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("ours_radio_dish");
    return 0;
}
