/*  Header constants, types and prototypes.
 *
 *  Compiled with -DZMQ_BUILD_DRAFT_API against each zmq.h under test; the
 *  outputs must be identical.  This program calls no libzmq function (the
 *  prototypes are checked with _Generic, whose operand is not evaluated),
 *  so it does not depend on which library is loaded and does not call
 *  test_init().
 *
 *  Deliberately NOT printed (they differ between 4.3.4 and 4.3.5):
 *  ZMQ_VERSION_PATCH, ZMQ_VERSION, ZMQ_BUSY_POLL .. ZMQ_NORM_PUSH,
 *  ZMQ_NORM_FIXED .. ZMQ_NORM_CCE_ECNONLY,
 *  ZMQ_RECONNECT_STOP_AFTER_DISCONNECT (0x3 in 4.3.4, 0x4 in 4.3.5) and
 *  zmq_ppoll.  See ours_constants_435.c for those.  */
#include <zmq.h>
#include <zmq.h> /*  include guard works  */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#ifndef ZMQ_BUILD_DRAFT_API
#error "constants.c must be compiled with -DZMQ_BUILD_DRAFT_API"
#endif

#define P(name) printf ("%s %lld\n", #name, (long long) (name))
#define PS(name) printf ("%s \"%s\"\n", #name, name)
#define SIG(fn, type)                                                          \
    printf ("sig %s %s\n", #fn, _Generic ((fn), type : "ok", default : "MISMATCH"))

/*  The callback typedefs are function types (not pointer types): they can
 *  declare functions.  */
static zmq_free_fn my_free;
static zmq_timer_fn my_timer;
static zmq_thread_fn my_thread;

static void my_free (void *data, void *hint)
{
    (void) data;
    (void) hint;
}
static void my_timer (int timer_id, void *arg)
{
    (void) timer_id;
    (void) arg;
}
static void my_thread (void *arg)
{
    (void) arg;
}

_Static_assert (_Generic (&my_free, void (*) (void *, void *): 1, default: 0),
                "zmq_free_fn");
_Static_assert (_Generic (&my_timer, void (*) (int, void *): 1, default: 0),
                "zmq_timer_fn");
_Static_assert (_Generic (&my_thread, void (*) (void *): 1, default: 0),
                "zmq_thread_fn");

int main (void)
{
    /*  Use the functions so that they are not "unused".  */
    zmq_free_fn *ffn = my_free;
    zmq_timer_fn *tfn = my_timer;
    zmq_thread_fn *thfn = my_thread;
    ffn (NULL, NULL);
    tfn (0, NULL);
    thfn (NULL);

    /*  Stable constants.  */
    P (ZMQ_VERSION_MAJOR);
    P (ZMQ_VERSION_MINOR);
    P (ZMQ_DEFINED_STDINT);
    P (ZMQ_HAUSNUMERO);
    P (ENOTSUP);
    P (EPROTONOSUPPORT);
    P (ENOBUFS);
    P (ENETDOWN);
    P (EADDRINUSE);
    P (EADDRNOTAVAIL);
    P (ECONNREFUSED);
    P (EINPROGRESS);
    P (ENOTSOCK);
    P (EMSGSIZE);
    P (EAFNOSUPPORT);
    P (ENETUNREACH);
    P (ECONNABORTED);
    P (ECONNRESET);
    P (ENOTCONN);
    P (ETIMEDOUT);
    P (EHOSTUNREACH);
    P (ENETRESET);
    P (EFSM);
    P (ENOCOMPATPROTO);
    P (ETERM);
    P (EMTHREAD);
    P (ZMQ_IO_THREADS);
    P (ZMQ_MAX_SOCKETS);
    P (ZMQ_SOCKET_LIMIT);
    P (ZMQ_THREAD_PRIORITY);
    P (ZMQ_THREAD_SCHED_POLICY);
    P (ZMQ_MAX_MSGSZ);
    P (ZMQ_MSG_T_SIZE);
    P (ZMQ_THREAD_AFFINITY_CPU_ADD);
    P (ZMQ_THREAD_AFFINITY_CPU_REMOVE);
    P (ZMQ_THREAD_NAME_PREFIX);
    P (ZMQ_IO_THREADS_DFLT);
    P (ZMQ_MAX_SOCKETS_DFLT);
    P (ZMQ_THREAD_PRIORITY_DFLT);
    P (ZMQ_THREAD_SCHED_POLICY_DFLT);
    P (ZMQ_PAIR);
    P (ZMQ_PUB);
    P (ZMQ_SUB);
    P (ZMQ_REQ);
    P (ZMQ_REP);
    P (ZMQ_DEALER);
    P (ZMQ_ROUTER);
    P (ZMQ_PULL);
    P (ZMQ_PUSH);
    P (ZMQ_XPUB);
    P (ZMQ_XSUB);
    P (ZMQ_STREAM);
    P (ZMQ_XREQ);
    P (ZMQ_XREP);
    P (ZMQ_AFFINITY);
    P (ZMQ_ROUTING_ID);
    P (ZMQ_SUBSCRIBE);
    P (ZMQ_UNSUBSCRIBE);
    P (ZMQ_RATE);
    P (ZMQ_RECOVERY_IVL);
    P (ZMQ_SNDBUF);
    P (ZMQ_RCVBUF);
    P (ZMQ_RCVMORE);
    P (ZMQ_FD);
    P (ZMQ_EVENTS);
    P (ZMQ_TYPE);
    P (ZMQ_LINGER);
    P (ZMQ_RECONNECT_IVL);
    P (ZMQ_BACKLOG);
    P (ZMQ_RECONNECT_IVL_MAX);
    P (ZMQ_MAXMSGSIZE);
    P (ZMQ_SNDHWM);
    P (ZMQ_RCVHWM);
    P (ZMQ_MULTICAST_HOPS);
    P (ZMQ_RCVTIMEO);
    P (ZMQ_SNDTIMEO);
    P (ZMQ_LAST_ENDPOINT);
    P (ZMQ_ROUTER_MANDATORY);
    P (ZMQ_TCP_KEEPALIVE);
    P (ZMQ_TCP_KEEPALIVE_CNT);
    P (ZMQ_TCP_KEEPALIVE_IDLE);
    P (ZMQ_TCP_KEEPALIVE_INTVL);
    P (ZMQ_IMMEDIATE);
    P (ZMQ_XPUB_VERBOSE);
    P (ZMQ_ROUTER_RAW);
    P (ZMQ_IPV6);
    P (ZMQ_MECHANISM);
    P (ZMQ_PLAIN_SERVER);
    P (ZMQ_PLAIN_USERNAME);
    P (ZMQ_PLAIN_PASSWORD);
    P (ZMQ_CURVE_SERVER);
    P (ZMQ_CURVE_PUBLICKEY);
    P (ZMQ_CURVE_SECRETKEY);
    P (ZMQ_CURVE_SERVERKEY);
    P (ZMQ_PROBE_ROUTER);
    P (ZMQ_REQ_CORRELATE);
    P (ZMQ_REQ_RELAXED);
    P (ZMQ_CONFLATE);
    P (ZMQ_ZAP_DOMAIN);
    P (ZMQ_ROUTER_HANDOVER);
    P (ZMQ_TOS);
    P (ZMQ_CONNECT_ROUTING_ID);
    P (ZMQ_GSSAPI_SERVER);
    P (ZMQ_GSSAPI_PRINCIPAL);
    P (ZMQ_GSSAPI_SERVICE_PRINCIPAL);
    P (ZMQ_GSSAPI_PLAINTEXT);
    P (ZMQ_HANDSHAKE_IVL);
    P (ZMQ_SOCKS_PROXY);
    P (ZMQ_XPUB_NODROP);
    P (ZMQ_BLOCKY);
    P (ZMQ_XPUB_MANUAL);
    P (ZMQ_XPUB_WELCOME_MSG);
    P (ZMQ_STREAM_NOTIFY);
    P (ZMQ_INVERT_MATCHING);
    P (ZMQ_HEARTBEAT_IVL);
    P (ZMQ_HEARTBEAT_TTL);
    P (ZMQ_HEARTBEAT_TIMEOUT);
    P (ZMQ_XPUB_VERBOSER);
    P (ZMQ_CONNECT_TIMEOUT);
    P (ZMQ_TCP_MAXRT);
    P (ZMQ_THREAD_SAFE);
    P (ZMQ_MULTICAST_MAXTPDU);
    P (ZMQ_VMCI_BUFFER_SIZE);
    P (ZMQ_VMCI_BUFFER_MIN_SIZE);
    P (ZMQ_VMCI_BUFFER_MAX_SIZE);
    P (ZMQ_VMCI_CONNECT_TIMEOUT);
    P (ZMQ_USE_FD);
    P (ZMQ_GSSAPI_PRINCIPAL_NAMETYPE);
    P (ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE);
    P (ZMQ_BINDTODEVICE);
    P (ZMQ_MORE);
    P (ZMQ_SHARED);
    P (ZMQ_SRCFD);
    P (ZMQ_DONTWAIT);
    P (ZMQ_SNDMORE);
    P (ZMQ_NULL);
    P (ZMQ_PLAIN);
    P (ZMQ_CURVE);
    P (ZMQ_GSSAPI);
    P (ZMQ_GROUP_MAX_LENGTH);
    P (ZMQ_IDENTITY);
    P (ZMQ_CONNECT_RID);
    P (ZMQ_TCP_ACCEPT_FILTER);
    P (ZMQ_IPC_FILTER_PID);
    P (ZMQ_IPC_FILTER_UID);
    P (ZMQ_IPC_FILTER_GID);
    P (ZMQ_IPV4ONLY);
    P (ZMQ_DELAY_ATTACH_ON_CONNECT);
    P (ZMQ_NOBLOCK);
    P (ZMQ_FAIL_UNROUTABLE);
    P (ZMQ_ROUTER_BEHAVIOR);
    P (ZMQ_GSSAPI_NT_HOSTBASED);
    P (ZMQ_GSSAPI_NT_USER_NAME);
    P (ZMQ_GSSAPI_NT_KRB5_PRINCIPAL);
    P (ZMQ_EVENT_CONNECTED);
    P (ZMQ_EVENT_CONNECT_DELAYED);
    P (ZMQ_EVENT_CONNECT_RETRIED);
    P (ZMQ_EVENT_LISTENING);
    P (ZMQ_EVENT_BIND_FAILED);
    P (ZMQ_EVENT_ACCEPTED);
    P (ZMQ_EVENT_ACCEPT_FAILED);
    P (ZMQ_EVENT_CLOSED);
    P (ZMQ_EVENT_CLOSE_FAILED);
    P (ZMQ_EVENT_DISCONNECTED);
    P (ZMQ_EVENT_MONITOR_STOPPED);
    P (ZMQ_EVENT_ALL);
    P (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    P (ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    P (ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);
    P (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    P (ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
    P (ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED);
    P (ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY);
    P (ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID);
    P (ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION);
    P (ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE);
    P (ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA);
    P (ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED);
    P (ZMQ_POLLIN);
    P (ZMQ_POLLOUT);
    P (ZMQ_POLLERR);
    P (ZMQ_POLLPRI);
    P (ZMQ_POLLITEMS_DFLT);
    P (ZMQ_HAS_CAPABILITIES);
    P (ZMQ_STREAMER);
    P (ZMQ_FORWARDER);
    P (ZMQ_QUEUE);
    P (ZMQ_MAKE_VERSION (1, 2, 3));
    P (ZMQ_MAKE_VERSION (4, 3, 0));
#ifdef ZMQ_HAVE_TIMERS
    printf ("ZMQ_HAVE_TIMERS defined\n");
#else
    printf ("ZMQ_HAVE_TIMERS undefined\n");
#endif

    /*  Draft constants common to 4.3.4 and 4.3.5.  */
    P (ZMQ_SERVER);
    P (ZMQ_CLIENT);
    P (ZMQ_RADIO);
    P (ZMQ_DISH);
    P (ZMQ_GATHER);
    P (ZMQ_SCATTER);
    P (ZMQ_DGRAM);
    P (ZMQ_PEER);
    P (ZMQ_CHANNEL);
    P (ZMQ_ZAP_ENFORCE_DOMAIN);
    P (ZMQ_LOOPBACK_FASTPATH);
    P (ZMQ_METADATA);
    P (ZMQ_MULTICAST_LOOP);
    P (ZMQ_ROUTER_NOTIFY);
    P (ZMQ_XPUB_MANUAL_LAST_VALUE);
    P (ZMQ_SOCKS_USERNAME);
    P (ZMQ_SOCKS_PASSWORD);
    P (ZMQ_IN_BATCH_SIZE);
    P (ZMQ_OUT_BATCH_SIZE);
    P (ZMQ_WSS_KEY_PEM);
    P (ZMQ_WSS_CERT_PEM);
    P (ZMQ_WSS_TRUST_PEM);
    P (ZMQ_WSS_HOSTNAME);
    P (ZMQ_WSS_TRUST_SYSTEM);
    P (ZMQ_ONLY_FIRST_SUBSCRIBE);
    P (ZMQ_RECONNECT_STOP);
    P (ZMQ_HELLO_MSG);
    P (ZMQ_DISCONNECT_MSG);
    P (ZMQ_PRIORITY);
    P (ZMQ_RECONNECT_STOP_CONN_REFUSED);
    P (ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED);
    P (ZMQ_ZERO_COPY_RECV);
    P (ZMQ_NOTIFY_CONNECT);
    P (ZMQ_NOTIFY_DISCONNECT);
    P (ZMQ_EVENT_PIPES_STATS);
    P (ZMQ_CURRENT_EVENT_VERSION);
    P (ZMQ_CURRENT_EVENT_VERSION_DRAFT);
    P (ZMQ_EVENT_ALL_V1);
    P (ZMQ_EVENT_ALL_V2);
    PS (ZMQ_MSG_PROPERTY_ROUTING_ID);
    PS (ZMQ_MSG_PROPERTY_SOCKET_TYPE);
    PS (ZMQ_MSG_PROPERTY_USER_ID);
    PS (ZMQ_MSG_PROPERTY_PEER_ADDRESS);
#ifdef ZMQ_HAVE_POLLER
    printf ("ZMQ_HAVE_POLLER defined\n");
#else
    printf ("ZMQ_HAVE_POLLER undefined\n");
#endif

    /*  Layout.  */
    printf ("sizeof zmq_msg_t %zu\n", sizeof (zmq_msg_t));
    printf ("alignof zmq_msg_t %zu\n", _Alignof (zmq_msg_t));
    printf ("sizeof zmq_fd_t %zu\n", sizeof (zmq_fd_t));
    printf ("signed zmq_fd_t %d\n", (zmq_fd_t) -1 < 0);
    printf ("sizeof zmq_pollitem_t %zu\n", sizeof (zmq_pollitem_t));
    printf ("alignof zmq_pollitem_t %zu\n", _Alignof (zmq_pollitem_t));
    printf ("offsetof zmq_pollitem_t.socket %zu\n",
            offsetof (zmq_pollitem_t, socket));
    printf ("offsetof zmq_pollitem_t.fd %zu\n", offsetof (zmq_pollitem_t, fd));
    printf ("offsetof zmq_pollitem_t.events %zu\n",
            offsetof (zmq_pollitem_t, events));
    printf ("offsetof zmq_pollitem_t.revents %zu\n",
            offsetof (zmq_pollitem_t, revents));
    printf ("sizeof zmq_pollitem_t.events %zu\n",
            sizeof (((zmq_pollitem_t *) 0)->events));
    printf ("sizeof zmq_poller_event_t %zu\n", sizeof (zmq_poller_event_t));
    printf ("alignof zmq_poller_event_t %zu\n", _Alignof (zmq_poller_event_t));
    printf ("offsetof zmq_poller_event_t.socket %zu\n",
            offsetof (zmq_poller_event_t, socket));
    printf ("offsetof zmq_poller_event_t.fd %zu\n",
            offsetof (zmq_poller_event_t, fd));
    printf ("offsetof zmq_poller_event_t.user_data %zu\n",
            offsetof (zmq_poller_event_t, user_data));
    printf ("offsetof zmq_poller_event_t.events %zu\n",
            offsetof (zmq_poller_event_t, events));
    printf ("sizeof zmq_free_fn* %zu\n", sizeof (zmq_free_fn *));
    printf ("sizeof zmq_timer_fn* %zu\n", sizeof (zmq_timer_fn *));
    printf ("sizeof zmq_thread_fn* %zu\n", sizeof (zmq_thread_fn *));

    /*  Field types.  */
    zmq_pollitem_t pi;
    zmq_poller_event_t pe;
    memset (&pi, 0, sizeof pi);
    memset (&pe, 0, sizeof pe);
    printf ("type zmq_pollitem_t.socket %s\n",
            _Generic (pi.socket, void * : "void*", default : "other"));
    printf ("type zmq_pollitem_t.fd %s\n",
            _Generic (pi.fd, int : "int", default : "other"));
    printf ("type zmq_pollitem_t.events %s\n",
            _Generic (pi.events, short : "short", default : "other"));
    printf ("type zmq_pollitem_t.revents %s\n",
            _Generic (pi.revents, short : "short", default : "other"));
    printf ("type zmq_poller_event_t.user_data %s\n",
            _Generic (pe.user_data, void * : "void*", default : "other"));
    printf ("type zmq_poller_event_t.events %s\n",
            _Generic (pe.events, short : "short", default : "other"));

    /*  Prototypes (not evaluated: no symbol is referenced).  */
    SIG (zmq_errno, int (*) (void));
    SIG (zmq_strerror, const char *(*) (int));
    SIG (zmq_version, void (*) (int *, int *, int *));
    SIG (zmq_ctx_new, void *(*) (void));
    SIG (zmq_ctx_term, int (*) (void *));
    SIG (zmq_ctx_shutdown, int (*) (void *));
    SIG (zmq_ctx_set, int (*) (void *, int, int));
    SIG (zmq_ctx_get, int (*) (void *, int));
    SIG (zmq_init, void *(*) (int));
    SIG (zmq_term, int (*) (void *));
    SIG (zmq_ctx_destroy, int (*) (void *));
    SIG (zmq_msg_init, int (*) (zmq_msg_t *));
    SIG (zmq_msg_init_size, int (*) (zmq_msg_t *, size_t));
    SIG (zmq_msg_init_data, int (*) (zmq_msg_t *, void *, size_t, zmq_free_fn *, void *));
    SIG (zmq_msg_send, int (*) (zmq_msg_t *, void *, int));
    SIG (zmq_msg_recv, int (*) (zmq_msg_t *, void *, int));
    SIG (zmq_msg_close, int (*) (zmq_msg_t *));
    SIG (zmq_msg_move, int (*) (zmq_msg_t *, zmq_msg_t *));
    SIG (zmq_msg_copy, int (*) (zmq_msg_t *, zmq_msg_t *));
    SIG (zmq_msg_data, void *(*) (zmq_msg_t *));
    SIG (zmq_msg_size, size_t (*) (const zmq_msg_t *));
    SIG (zmq_msg_more, int (*) (const zmq_msg_t *));
    SIG (zmq_msg_get, int (*) (const zmq_msg_t *, int));
    SIG (zmq_msg_set, int (*) (zmq_msg_t *, int, int));
    SIG (zmq_msg_gets, const char *(*) (const zmq_msg_t *, const char *));
    SIG (zmq_socket, void *(*) (void *, int));
    SIG (zmq_close, int (*) (void *));
    SIG (zmq_setsockopt, int (*) (void *, int, const void *, size_t));
    SIG (zmq_getsockopt, int (*) (void *, int, void *, size_t *));
    SIG (zmq_bind, int (*) (void *, const char *));
    SIG (zmq_connect, int (*) (void *, const char *));
    SIG (zmq_unbind, int (*) (void *, const char *));
    SIG (zmq_disconnect, int (*) (void *, const char *));
    SIG (zmq_send, int (*) (void *, const void *, size_t, int));
    SIG (zmq_send_const, int (*) (void *, const void *, size_t, int));
    SIG (zmq_recv, int (*) (void *, void *, size_t, int));
    SIG (zmq_socket_monitor, int (*) (void *, const char *, int));
    SIG (zmq_poll, int (*) (zmq_pollitem_t *, int, long));
    SIG (zmq_proxy, int (*) (void *, void *, void *));
    SIG (zmq_proxy_steerable, int (*) (void *, void *, void *, void *));
    SIG (zmq_has, int (*) (const char *));
    SIG (zmq_device, int (*) (int, void *, void *));
    SIG (zmq_sendmsg, int (*) (void *, zmq_msg_t *, int));
    SIG (zmq_recvmsg, int (*) (void *, zmq_msg_t *, int));
    SIG (zmq_sendiov, int (*) (void *, struct iovec *, size_t, int));
    SIG (zmq_recviov, int (*) (void *, struct iovec *, size_t *, int));
    SIG (zmq_z85_encode, char *(*) (char *, const uint8_t *, size_t));
    SIG (zmq_z85_decode, uint8_t *(*) (uint8_t *, const char *));
    SIG (zmq_curve_keypair, int (*) (char *, char *));
    SIG (zmq_curve_public, int (*) (char *, const char *));
    SIG (zmq_atomic_counter_new, void *(*) (void));
    SIG (zmq_atomic_counter_set, void (*) (void *, int));
    SIG (zmq_atomic_counter_inc, int (*) (void *));
    SIG (zmq_atomic_counter_dec, int (*) (void *));
    SIG (zmq_atomic_counter_value, int (*) (void *));
    SIG (zmq_atomic_counter_destroy, void (*) (void **));
    SIG (zmq_timers_new, void *(*) (void));
    SIG (zmq_timers_destroy, int (*) (void **));
    SIG (zmq_timers_add, int (*) (void *, size_t, zmq_timer_fn *, void *));
    SIG (zmq_timers_cancel, int (*) (void *, int));
    SIG (zmq_timers_set_interval, int (*) (void *, int, size_t));
    SIG (zmq_timers_reset, int (*) (void *, int));
    SIG (zmq_timers_timeout, long (*) (void *));
    SIG (zmq_timers_execute, int (*) (void *));
    SIG (zmq_stopwatch_start, void *(*) (void));
    SIG (zmq_stopwatch_intermediate, unsigned long (*) (void *));
    SIG (zmq_stopwatch_stop, unsigned long (*) (void *));
    SIG (zmq_sleep, void (*) (int));
    SIG (zmq_threadstart, void *(*) (zmq_thread_fn *, void *));
    SIG (zmq_threadclose, void (*) (void *));
    /*  Draft prototypes common to 4.3.4 and 4.3.5.  */
    SIG (zmq_ctx_set_ext, int (*) (void *, int, const void *, size_t));
    SIG (zmq_ctx_get_ext, int (*) (void *, int, void *, size_t *));
    SIG (zmq_join, int (*) (void *, const char *));
    SIG (zmq_leave, int (*) (void *, const char *));
    SIG (zmq_connect_peer, uint32_t (*) (void *, const char *));
    SIG (zmq_msg_set_routing_id, int (*) (zmq_msg_t *, uint32_t));
    SIG (zmq_msg_routing_id, uint32_t (*) (zmq_msg_t *));
    SIG (zmq_msg_set_group, int (*) (zmq_msg_t *, const char *));
    SIG (zmq_msg_group, const char *(*) (zmq_msg_t *));
    SIG (zmq_msg_init_buffer, int (*) (zmq_msg_t *, const void *, size_t));
    SIG (zmq_poller_new, void *(*) (void));
    SIG (zmq_poller_destroy, int (*) (void **));
    SIG (zmq_poller_size, int (*) (void *));
    SIG (zmq_poller_add, int (*) (void *, void *, void *, short));
    SIG (zmq_poller_modify, int (*) (void *, void *, short));
    SIG (zmq_poller_remove, int (*) (void *, void *));
    SIG (zmq_poller_wait, int (*) (void *, zmq_poller_event_t *, long));
    SIG (zmq_poller_wait_all, int (*) (void *, zmq_poller_event_t *, int, long));
    SIG (zmq_poller_fd, int (*) (void *, zmq_fd_t *));
    SIG (zmq_poller_add_fd, int (*) (void *, zmq_fd_t, void *, short));
    SIG (zmq_poller_modify_fd, int (*) (void *, zmq_fd_t, short));
    SIG (zmq_poller_remove_fd, int (*) (void *, zmq_fd_t));
    SIG (zmq_socket_get_peer_state, int (*) (void *, const void *, size_t));
    SIG (zmq_socket_monitor_versioned, int (*) (void *, const char *, uint64_t, int, int));
    SIG (zmq_socket_monitor_pipes_stats, int (*) (void *));

    printf ("ok constants\n");
    return 0;
}
