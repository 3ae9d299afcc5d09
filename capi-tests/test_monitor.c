/*  zmq_socket_monitor (version 1 events) over tcp: the argument checks, the
 *  server's LISTENING, ACCEPTED, HANDSHAKE_SUCCEEDED, CLOSED and
 *  MONITOR_STOPPED, the client's CONNECTED and HANDSHAKE_SUCCEEDED, each
 *  frame's layout (6 bytes, then the endpoint), and CLOSED on unbind.
 *  The monitor's reader connects before any event: libzmq blocks the thread
 *  that emits an event until someone does.
 *
 *  Nothing timing- or port-dependent is printed.  */
#include "testutil_msg.h"

#include <stdint.h>

static const char *event_name (int event)
{
    switch (event) {
        case ZMQ_EVENT_CONNECTED: return "CONNECTED";
        case ZMQ_EVENT_CONNECT_DELAYED: return "CONNECT_DELAYED";
        case ZMQ_EVENT_CONNECT_RETRIED: return "CONNECT_RETRIED";
        case ZMQ_EVENT_LISTENING: return "LISTENING";
        case ZMQ_EVENT_BIND_FAILED: return "BIND_FAILED";
        case ZMQ_EVENT_ACCEPTED: return "ACCEPTED";
        case ZMQ_EVENT_CLOSED: return "CLOSED";
        case ZMQ_EVENT_DISCONNECTED: return "DISCONNECTED";
        case ZMQ_EVENT_MONITOR_STOPPED: return "MONITOR_STOPPED";
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return "HANDSHAKE_SUCCEEDED";
        default: return "other";
    }
}

/*  Reads one event, checking its layout; the endpoint goes into `endpoint`.  */
static int next_event (void *monitor, uint32_t *value, char *endpoint, size_t size)
{
    zmq_msg_t msg;
    CHECK_OK (zmq_msg_init (&msg));
    CHECK_EQ (zmq_msg_recv (&msg, monitor, 0), 6);
    CHECK (zmq_msg_more (&msg));
    uint16_t event;
    memcpy (&event, zmq_msg_data (&msg), 2);
    memcpy (value, (char *) zmq_msg_data (&msg) + 2, 4);
    int n = zmq_msg_recv (&msg, monitor, 0);
    CHECK (n >= 0 && (size_t) n < size);
    CHECK (!zmq_msg_more (&msg));
    memcpy (endpoint, zmq_msg_data (&msg), (size_t) n);
    endpoint[n] = '\0';
    CHECK_OK (zmq_msg_close (&msg));
    return event;
}

/*  Prints the next event's name and whether its endpoint is `expected`.  */
static int expect_event (void *monitor, const char *who, const char *expected)
{
    uint32_t value;
    char endpoint[256];
    int event = next_event (monitor, &value, endpoint, sizeof endpoint);
    printf ("%s: %s%s\n", who, event_name (event),
            strcmp (endpoint, expected) == 0 ? "" : " (other endpoint)");
    return event;
}

static void *watch (void *ctx, void *socket, const char *name)
{
    CHECK_OK (zmq_socket_monitor (socket, name, ZMQ_EVENT_ALL));
    void *monitor = new_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (monitor, name));
    return monitor;
}

static void test_arguments (void *ctx)
{
    void *s = new_socket (ctx, ZMQ_DEALER);
    printf ("tcp monitor endpoint: %s\n",
            result (zmq_socket_monitor (s, "tcp://127.0.0.1:*", ZMQ_EVENT_ALL)));
    printf ("malformed endpoint: %s\n",
            result (zmq_socket_monitor (s, "nonsense", ZMQ_EVENT_ALL)));
    printf ("events beyond 16 bits: %s\n",
            result (zmq_socket_monitor (s, "inproc://m", 1 << 16)));
    printf ("stop without a monitor: %s\n", result (zmq_socket_monitor (s, NULL, 0)));
    printf ("not a socket: %s\n",
            zmq_socket_monitor (NULL, "inproc://m", 0) == -1 && zmq_errno () == ENOTSOCK
              ? "ENOTSOCK"
              : "?");
    CHECK_OK (zmq_close (s));
}

static void test_connection_life (void *ctx)
{
    void *server = new_socket (ctx, ZMQ_DEALER);
    void *client = new_socket (ctx, ZMQ_DEALER);
    void *server_events = watch (ctx, server, "inproc://monitor-server");
    void *client_events = watch (ctx, client, "inproc://monitor-client");
    CHECK_OK (zmq_bind (server, "tcp://127.0.0.1:*"));
    char endpoint[256];
    last_endpoint (server, endpoint, sizeof endpoint);
    CHECK_OK (zmq_connect (client, endpoint));
    bounce (client, server);

    expect_event (server_events, "server", endpoint);
    expect_event (server_events, "server", endpoint);
    expect_event (server_events, "server", endpoint);
    uint32_t value;
    char name[256];
    int event = next_event (client_events, &value, name, sizeof name);
    if (event == ZMQ_EVENT_CONNECT_DELAYED)
        event = next_event (client_events, &value, name, sizeof name);
    printf ("client: %s%s\n", event_name (event),
            strcmp (name, endpoint) == 0 ? "" : " (other endpoint)");
    expect_event (client_events, "client", endpoint);

    /*  Unbinding closes the listener; closing the socket stops the monitor.  */
    CHECK_OK (zmq_unbind (server, endpoint));
    expect_event (server_events, "server after unbind", endpoint);
    CHECK_OK (zmq_close (server));
    for (;;) {
        /*  The connection the unbind dropped may be reported first.  */
        event = next_event (server_events, &value, name, sizeof name);
        if (event == ZMQ_EVENT_MONITOR_STOPPED)
            break;
        CHECK_EQ (event, ZMQ_EVENT_DISCONNECTED);
    }
    printf ("server after close: MONITOR_STOPPED, endpoint \"%s\", value %u\n", name,
            (unsigned) value);
    CHECK_OK (zmq_close (client));
    for (;;) {
        event = next_event (client_events, &value, name, sizeof name);
        if (event == ZMQ_EVENT_MONITOR_STOPPED)
            break;
    }
    printf ("client after close: MONITOR_STOPPED\n");
    CHECK_OK (zmq_close (server_events));
    CHECK_OK (zmq_close (client_events));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    test_arguments (ctx);
    test_connection_life (ctx);
    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_monitor");
    return 0;
}
