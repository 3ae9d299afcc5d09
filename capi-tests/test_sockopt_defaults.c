/*  Socket option defaults for PAIR, PUSH and PULL, buffer-size and value
 *  validation, and set/get round trips.  Build-dependent options (CURVE,
 *  GSSAPI, VMCI) and machine-dependent values (the ZMQ_FD number) are
 *  left out.  */
#include "testutil.h"

#include <stdint.h>

enum kind
{
    K_INT,
    K_I64,
    K_U64,
    K_STR, /*  NUL-terminated string  */
    K_BIN, /*  binary, printed as its length  */
    K_NOGET /*  not readable: getsockopt must fail with EINVAL  */
};

struct opt
{
    const char *name;
    int id;
    enum kind kind;
};

#define OPT(name, kind)                                                        \
    {                                                                          \
#name, ZMQ_##name, kind                                                \
    }

static const struct opt g_opts[] = {
  OPT (SNDHWM, K_INT),
  OPT (RCVHWM, K_INT),
  OPT (AFFINITY, K_U64),
  OPT (ROUTING_ID, K_BIN),
  OPT (RATE, K_INT),
  OPT (RECOVERY_IVL, K_INT),
  OPT (SNDBUF, K_INT),
  OPT (RCVBUF, K_INT),
  OPT (RCVMORE, K_INT),
  OPT (EVENTS, K_INT),
  OPT (TYPE, K_INT),
  OPT (LINGER, K_INT),
  OPT (RECONNECT_IVL, K_INT),
  OPT (BACKLOG, K_INT),
  OPT (RECONNECT_IVL_MAX, K_INT),
  OPT (MAXMSGSIZE, K_I64),
  OPT (MULTICAST_HOPS, K_INT),
  OPT (RCVTIMEO, K_INT),
  OPT (SNDTIMEO, K_INT),
  OPT (IPV4ONLY, K_INT),
  OPT (LAST_ENDPOINT, K_STR),
  OPT (TCP_KEEPALIVE, K_INT),
  OPT (TCP_KEEPALIVE_CNT, K_INT),
  OPT (TCP_KEEPALIVE_IDLE, K_INT),
  OPT (TCP_KEEPALIVE_INTVL, K_INT),
  OPT (IMMEDIATE, K_INT),
  OPT (IPV6, K_INT),
  OPT (MECHANISM, K_INT),
  OPT (PLAIN_SERVER, K_INT),
  OPT (PLAIN_USERNAME, K_STR),
  OPT (PLAIN_PASSWORD, K_STR),
  OPT (CONFLATE, K_INT),
  OPT (ZAP_DOMAIN, K_STR),
  OPT (TOS, K_INT),
  OPT (HANDSHAKE_IVL, K_INT),
  OPT (SOCKS_PROXY, K_STR),
  OPT (INVERT_MATCHING, K_INT),
  OPT (HEARTBEAT_IVL, K_INT),
  OPT (HEARTBEAT_TTL, K_INT),
  OPT (HEARTBEAT_TIMEOUT, K_INT),
  OPT (CONNECT_TIMEOUT, K_INT),
  OPT (TCP_MAXRT, K_INT),
  OPT (THREAD_SAFE, K_INT),
  OPT (MULTICAST_MAXTPDU, K_INT),
  OPT (USE_FD, K_INT),
  OPT (BINDTODEVICE, K_STR),
  /*  Write-only or specific to other socket types.  */
  OPT (SUBSCRIBE, K_NOGET),
  OPT (UNSUBSCRIBE, K_NOGET),
  OPT (ROUTER_MANDATORY, K_NOGET),
  OPT (XPUB_VERBOSE, K_NOGET),
  OPT (ROUTER_RAW, K_NOGET),
  OPT (PROBE_ROUTER, K_NOGET),
  OPT (REQ_CORRELATE, K_NOGET),
  OPT (REQ_RELAXED, K_NOGET),
  OPT (ROUTER_HANDOVER, K_NOGET),
  OPT (CONNECT_ROUTING_ID, K_NOGET),
  OPT (XPUB_NODROP, K_NOGET),
  OPT (XPUB_MANUAL, K_NOGET),
  OPT (XPUB_WELCOME_MSG, K_NOGET),
  OPT (STREAM_NOTIFY, K_NOGET),
  OPT (XPUB_VERBOSER, K_NOGET),
  OPT (TCP_ACCEPT_FILTER, K_NOGET),
  OPT (IPC_FILTER_PID, K_NOGET),
  OPT (IPC_FILTER_UID, K_NOGET),
  OPT (IPC_FILTER_GID, K_NOGET),
};

static const char *errname (int e)
{
    switch (e) {
        case EINVAL:
            return "EINVAL";
        case ENOTSUP:
            return "ENOTSUP";
        case ETERM:
            return "ETERM";
        case ENOTSOCK:
            return "ENOTSOCK";
        default:
            return "other";
    }
}

static void print_option (void *s, const char *type, const struct opt *o)
{
    int rc;
    size_t len;
    printf ("%s %s ", type, o->name);
    switch (o->kind) {
        case K_INT: {
            int v = -12345;
            len = sizeof v;
            rc = zmq_getsockopt (s, o->id, &v, &len);
            if (rc == 0) {
                CHECK_EQ (len, sizeof v);
                printf ("%d\n", v);
            }
            break;
        }
        case K_I64: {
            int64_t v = -12345;
            len = sizeof v;
            rc = zmq_getsockopt (s, o->id, &v, &len);
            if (rc == 0) {
                CHECK_EQ (len, sizeof v);
                printf ("%lld\n", (long long) v);
            }
            break;
        }
        case K_U64: {
            uint64_t v = 12345;
            len = sizeof v;
            rc = zmq_getsockopt (s, o->id, &v, &len);
            if (rc == 0) {
                CHECK_EQ (len, sizeof v);
                printf ("%llu\n", (unsigned long long) v);
            }
            break;
        }
        case K_STR: {
            char buf[300];
            memset (buf, 'X', sizeof buf);
            len = sizeof buf;
            rc = zmq_getsockopt (s, o->id, buf, &len);
            if (rc == 0) {
                CHECK (len >= 1 && len <= sizeof buf);
                CHECK_EQ (buf[len - 1], '\0');
                CHECK_EQ (strlen (buf), len - 1);
                printf ("\"%s\" (len %zu)\n", buf, len);
            }
            break;
        }
        case K_BIN: {
            unsigned char buf[300];
            len = sizeof buf;
            rc = zmq_getsockopt (s, o->id, buf, &len);
            if (rc == 0)
                printf ("len %zu\n", len);
            break;
        }
        case K_NOGET:
        default: {
            char buf[300];
            len = sizeof (int);
            rc = zmq_getsockopt (s, o->id, buf, &len);
            CHECK_EQ (rc, -1);
            len = sizeof buf;
            rc = zmq_getsockopt (s, o->id, buf, &len);
            break;
        }
    }
    if (rc != 0)
        printf ("error %s\n", errname (zmq_errno ()));
}

static void test_defaults (void *ctx)
{
    static const struct
    {
        const char *name;
        int type;
    } types[] = {{"PAIR", ZMQ_PAIR}, {"PUSH", ZMQ_PUSH}, {"PULL", ZMQ_PULL}};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        void *s = zmq_socket (ctx, types[t].type);
        CHECK (s != NULL);
        for (size_t i = 0; i < sizeof g_opts / sizeof g_opts[0]; i++)
            print_option (s, types[t].name, &g_opts[i]);
        /*  ZMQ_FD: a valid descriptor, not printed.  */
        int fd = -1;
        size_t len = sizeof fd;
        CHECK_OK (zmq_getsockopt (s, ZMQ_FD, &fd, &len));
        CHECK (fd >= 0);
        CHECK_OK (zmq_close (s));
    }
}

static int get_int (void *s, int opt)
{
    int v = -12345;
    size_t len = sizeof v;
    CHECK_OK (zmq_getsockopt (s, opt, &v, &len));
    CHECK_EQ (len, sizeof v);
    return v;
}

static void test_buffer_sizes (void *ctx)
{
    void *s = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (s != NULL);
    char buf[16];
    size_t len;

    /*  Option-level integers need exactly sizeof (int).  */
    len = 2;
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_LINGER, buf, &len), EINVAL);
    len = 0;
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_SNDHWM, buf, &len), EINVAL);
    len = 8;
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_LINGER, buf, &len), EINVAL);
    len = 4;
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_MAXMSGSIZE, buf, &len), EINVAL);
    len = 4;
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_AFFINITY, buf, &len), EINVAL);
    len = 16;
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_AFFINITY, buf, &len), EINVAL);
    printf ("getsockopt wrong size: EINVAL\n");

    /*  The socket-level ones (RCVMORE, EVENTS, THREAD_SAFE, FD) accept a
     *  larger buffer: they write the value, zero the rest and report
     *  sizeof (int) (sizeof (fd) for ZMQ_FD).  */
    static const struct
    {
        const char *name;
        int id;
    } socklevel[] = {{"RCVMORE", ZMQ_RCVMORE},
                     {"EVENTS", ZMQ_EVENTS},
                     {"THREAD_SAFE", ZMQ_THREAD_SAFE}};
    for (size_t i = 0; i < 3; i++) {
        memset (buf, 0x7f, sizeof buf);
        len = 8;
        int rc = zmq_getsockopt (s, socklevel[i].id, buf, &len);
        if (rc == 0) {
            int v;
            memcpy (&v, buf, sizeof v);
            printf ("%s with 8-byte buffer: ok, len %zu, value %d, bytes "
                    "4..7 %02x %02x %02x %02x, byte 8 %02x\n",
                    socklevel[i].name, len, v, (unsigned char) buf[4],
                    (unsigned char) buf[5], (unsigned char) buf[6],
                    (unsigned char) buf[7], (unsigned char) buf[8]);
        } else
            printf ("%s with 8-byte buffer: error %s\n", socklevel[i].name,
                    errname (zmq_errno ()));
        len = 2;
        CHECK_ERRNO (zmq_getsockopt (s, socklevel[i].id, buf, &len), EINVAL);
    }
    len = 2;
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_FD, buf, &len), EINVAL);

    /*  Strings need room for the terminating NUL.  */
    CHECK_OK (zmq_bind (s, "inproc://sockopt-buffers"));
    char ep[64];
    len = strlen ("inproc://sockopt-buffers");
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, ep, &len), EINVAL);
    len = strlen ("inproc://sockopt-buffers") + 1;
    CHECK_OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, ep, &len));
    CHECK_EQ (len, strlen ("inproc://sockopt-buffers") + 1);
    CHECK_STREQ (ep, "inproc://sockopt-buffers");
    len = 0;
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_ZAP_DOMAIN, ep, &len), EINVAL);
    len = 1;
    CHECK_OK (zmq_getsockopt (s, ZMQ_ZAP_DOMAIN, ep, &len));
    CHECK_EQ (len, 1);
    CHECK_EQ (ep[0], '\0');
    /*  Binary routing id of length 0: a zero-size buffer is enough.  */
    len = 0;
    CHECK_OK (zmq_getsockopt (s, ZMQ_ROUTING_ID, ep, &len));
    CHECK_EQ (len, 0);
    printf ("getsockopt string sizes: ok\n");

    /*  setsockopt with a wrong length.  */
    int64_t big = 5;
    int v = 5;
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_LINGER, &big, sizeof big), EINVAL);
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_SNDHWM, &v, 2), EINVAL);
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_RCVHWM, &v, 0), EINVAL);
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_MAXMSGSIZE, &v, sizeof v), EINVAL);
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_AFFINITY, &v, sizeof v), EINVAL);
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_CONFLATE, &big, sizeof big), EINVAL);
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_IPV6, &v, 1), EINVAL);
    /*  Nothing changed.  */
    CHECK_EQ (get_int (s, ZMQ_LINGER), -1);
    CHECK_EQ (get_int (s, ZMQ_SNDHWM), 1000);
    printf ("setsockopt wrong size: EINVAL\n");

    CHECK_OK (zmq_close (s));
}

struct range_case
{
    const char *name;
    int id;
    int value;
};

static void test_ranges (void *ctx)
{
    void *s = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (s != NULL);
    static const struct range_case cases[] = {
      {"LINGER", ZMQ_LINGER, -2},
      {"LINGER", ZMQ_LINGER, -1},
      {"SNDHWM", ZMQ_SNDHWM, -1},
      {"SNDHWM", ZMQ_SNDHWM, 0},
      {"RCVHWM", ZMQ_RCVHWM, -1},
      {"RCVTIMEO", ZMQ_RCVTIMEO, -2},
      {"RCVTIMEO", ZMQ_RCVTIMEO, -1},
      {"SNDTIMEO", ZMQ_SNDTIMEO, -2},
      {"RATE", ZMQ_RATE, 0},
      {"RATE", ZMQ_RATE, 1},
      {"RECOVERY_IVL", ZMQ_RECOVERY_IVL, -1},
      {"SNDBUF", ZMQ_SNDBUF, -2},
      {"SNDBUF", ZMQ_SNDBUF, -1},
      {"RCVBUF", ZMQ_RCVBUF, -2},
      {"TOS", ZMQ_TOS, -1},
      {"RECONNECT_IVL", ZMQ_RECONNECT_IVL, -2},
      {"RECONNECT_IVL", ZMQ_RECONNECT_IVL, -1},
      {"RECONNECT_IVL_MAX", ZMQ_RECONNECT_IVL_MAX, -1},
      {"BACKLOG", ZMQ_BACKLOG, -1},
      {"MULTICAST_HOPS", ZMQ_MULTICAST_HOPS, 0},
      {"MULTICAST_MAXTPDU", ZMQ_MULTICAST_MAXTPDU, 0},
      {"IPV6", ZMQ_IPV6, 2},
      {"IPV6", ZMQ_IPV6, -1},
      {"IPV4ONLY", ZMQ_IPV4ONLY, 2},
      {"IMMEDIATE", ZMQ_IMMEDIATE, 2},
      {"CONFLATE", ZMQ_CONFLATE, 2},
      {"TCP_KEEPALIVE", ZMQ_TCP_KEEPALIVE, 2},
      {"TCP_KEEPALIVE", ZMQ_TCP_KEEPALIVE, -2},
      {"TCP_KEEPALIVE_CNT", ZMQ_TCP_KEEPALIVE_CNT, -2},
      {"TCP_KEEPALIVE_IDLE", ZMQ_TCP_KEEPALIVE_IDLE, -2},
      {"TCP_KEEPALIVE_INTVL", ZMQ_TCP_KEEPALIVE_INTVL, -2},
      {"PLAIN_SERVER", ZMQ_PLAIN_SERVER, 2},
      {"HANDSHAKE_IVL", ZMQ_HANDSHAKE_IVL, -1},
      {"HEARTBEAT_IVL", ZMQ_HEARTBEAT_IVL, -1},
      {"HEARTBEAT_TIMEOUT", ZMQ_HEARTBEAT_TIMEOUT, -1},
      {"HEARTBEAT_TTL", ZMQ_HEARTBEAT_TTL, -100},
      {"HEARTBEAT_TTL", ZMQ_HEARTBEAT_TTL, -50},
      {"HEARTBEAT_TTL", ZMQ_HEARTBEAT_TTL, 6553500},
      {"HEARTBEAT_TTL", ZMQ_HEARTBEAT_TTL, 6553600},
      {"CONNECT_TIMEOUT", ZMQ_CONNECT_TIMEOUT, -1},
      {"TCP_MAXRT", ZMQ_TCP_MAXRT, -1},
      {"USE_FD", ZMQ_USE_FD, -2},
      {"INVERT_MATCHING", ZMQ_INVERT_MATCHING, 7},
      {"TYPE", ZMQ_TYPE, ZMQ_PULL},
      {"RCVMORE", ZMQ_RCVMORE, 1},
      {"EVENTS", ZMQ_EVENTS, 1},
      {"FD", ZMQ_FD, 1},
      {"THREAD_SAFE", ZMQ_THREAD_SAFE, 1},
      {"LAST_ENDPOINT", ZMQ_LAST_ENDPOINT, 1},
      {"unknown 9999", 9999, 1},
      {"unknown 0", 0, 1},
      {"unknown -1", -1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct range_case *c = &cases[i];
        int rc = zmq_setsockopt (s, c->id, &c->value, sizeof c->value);
        if (rc == 0) {
            int back = -12345;
            size_t len = sizeof back;
            if (zmq_getsockopt (s, c->id, &back, &len) == 0)
                printf ("set %s %d: ok, reads %d\n", c->name, c->value, back);
            else
                printf ("set %s %d: ok, read error %s\n", c->name, c->value,
                        errname (zmq_errno ()));
        } else
            printf ("set %s %d: error %s\n", c->name, c->value,
                    errname (zmq_errno ()));
    }
    int v = 0;
    size_t len = sizeof v;
    CHECK_ERRNO (zmq_getsockopt (s, 9999, &v, &len), EINVAL);
    CHECK_ERRNO (zmq_getsockopt (s, -1, &v, &len), EINVAL);
    CHECK_OK (zmq_close (s));
}

static void print_str (void *s, const char *name, int id)
{
    char buf[300];
    size_t len = sizeof buf;
    CHECK_OK (zmq_getsockopt (s, id, buf, &len));
    printf ("%s \"%s\" (len %zu)\n", name, buf, len);
}

static void test_round_trips (void *ctx)
{
    void *s = zmq_socket (ctx, ZMQ_PULL);
    CHECK (s != NULL);
    static const struct
    {
        int id;
        int value;
    } ints[] = {
      {ZMQ_SNDHWM, 7},          {ZMQ_RCVHWM, 0},
      {ZMQ_LINGER, 1234},       {ZMQ_RCVTIMEO, 250},
      {ZMQ_SNDTIMEO, 0},        {ZMQ_RATE, 42},
      {ZMQ_RECOVERY_IVL, 0},    {ZMQ_SNDBUF, 65536},
      {ZMQ_RCVBUF, 0},          {ZMQ_RECONNECT_IVL, -1},
      {ZMQ_RECONNECT_IVL_MAX, 5000}, {ZMQ_BACKLOG, 0},
      {ZMQ_MULTICAST_HOPS, 3},  {ZMQ_TOS, 0x28},
      {ZMQ_IMMEDIATE, 1},       {ZMQ_CONFLATE, 1},
      {ZMQ_TCP_KEEPALIVE, 1},   {ZMQ_TCP_KEEPALIVE_CNT, 0},
      {ZMQ_TCP_KEEPALIVE_IDLE, 60}, {ZMQ_TCP_KEEPALIVE_INTVL, 5},
      {ZMQ_HANDSHAKE_IVL, 0},   {ZMQ_HEARTBEAT_IVL, 500},
      {ZMQ_HEARTBEAT_TIMEOUT, 1500}, {ZMQ_CONNECT_TIMEOUT, 100},
      {ZMQ_TCP_MAXRT, 200},     {ZMQ_MULTICAST_MAXTPDU, 9000},
      {ZMQ_USE_FD, -1},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        CHECK_OK (zmq_setsockopt (s, ints[i].id, &ints[i].value,
                                  sizeof ints[i].value));
        CHECK_EQ (get_int (s, ints[i].id), ints[i].value);
    }
    printf ("int round trips: %zu ok\n", sizeof ints / sizeof ints[0]);

    /*  HEARTBEAT_TTL is stored in deciseconds.  */
    int v = 1234;
    CHECK_OK (zmq_setsockopt (s, ZMQ_HEARTBEAT_TTL, &v, sizeof v));
    printf ("HEARTBEAT_TTL set 1234 reads %d\n",
            get_int (s, ZMQ_HEARTBEAT_TTL));

    /*  IPV6 and IPV4ONLY are two views of one flag.  */
    v = 1;
    CHECK_OK (zmq_setsockopt (s, ZMQ_IPV6, &v, sizeof v));
    printf ("IPV6 1: IPV6 %d IPV4ONLY %d\n", get_int (s, ZMQ_IPV6),
            get_int (s, ZMQ_IPV4ONLY));
    CHECK_OK (zmq_setsockopt (s, ZMQ_IPV4ONLY, &v, sizeof v));
    printf ("IPV4ONLY 1: IPV6 %d IPV4ONLY %d\n", get_int (s, ZMQ_IPV6),
            get_int (s, ZMQ_IPV4ONLY));

    /*  64-bit options.  */
    uint64_t aff = 0xF0F0F0F0F0ULL, aff_back = 0;
    size_t len = sizeof aff;
    CHECK_OK (zmq_setsockopt (s, ZMQ_AFFINITY, &aff, sizeof aff));
    CHECK_OK (zmq_getsockopt (s, ZMQ_AFFINITY, &aff_back, &len));
    CHECK (aff_back == aff);
    int64_t mms = (int64_t) 1 << 40, mms_back = 0;
    len = sizeof mms;
    CHECK_OK (zmq_setsockopt (s, ZMQ_MAXMSGSIZE, &mms, sizeof mms));
    CHECK_OK (zmq_getsockopt (s, ZMQ_MAXMSGSIZE, &mms_back, &len));
    CHECK (mms_back == mms);
    mms = -5;
    CHECK_OK (zmq_setsockopt (s, ZMQ_MAXMSGSIZE, &mms, sizeof mms));
    len = sizeof mms;
    CHECK_OK (zmq_getsockopt (s, ZMQ_MAXMSGSIZE, &mms_back, &len));
    printf ("MAXMSGSIZE set -5 reads %lld\n", (long long) mms_back);

    /*  Routing id: binary, 1..255 bytes.  */
    unsigned char rid[255];
    for (int i = 0; i < 255; i++)
        rid[i] = (unsigned char) i;
    CHECK_OK (zmq_setsockopt (s, ZMQ_ROUTING_ID, "a\0b", 3));
    unsigned char back[300];
    len = sizeof back;
    CHECK_OK (zmq_getsockopt (s, ZMQ_ROUTING_ID, back, &len));
    CHECK_EQ (len, 3);
    CHECK (memcmp (back, "a\0b", 3) == 0);
    len = 2;
    CHECK_ERRNO (zmq_getsockopt (s, ZMQ_ROUTING_ID, back, &len), EINVAL);
    CHECK_OK (zmq_setsockopt (s, ZMQ_ROUTING_ID, rid, 255));
    len = sizeof back;
    CHECK_OK (zmq_getsockopt (s, ZMQ_ROUTING_ID, back, &len));
    CHECK_EQ (len, 255);
    CHECK (memcmp (back, rid, 255) == 0);
    unsigned char rid256[256];
    memset (rid256, 1, sizeof rid256);
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_ROUTING_ID, rid256, 256), EINVAL);
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_ROUTING_ID, rid, 0), EINVAL);
    printf ("ROUTING_ID: 3 and 255 bytes ok, 0 and 256 EINVAL\n");

    /*  Strings.  */
    CHECK_OK (zmq_setsockopt (s, ZMQ_ZAP_DOMAIN, "global", 6));
    print_str (s, "ZAP_DOMAIN", ZMQ_ZAP_DOMAIN);
    int rc = zmq_setsockopt (s, ZMQ_ZAP_DOMAIN, "", 0);
    printf ("ZAP_DOMAIN set \"\" (len 0): %s\n",
            rc == 0 ? "ok" : errname (zmq_errno ()));
    print_str (s, "ZAP_DOMAIN", ZMQ_ZAP_DOMAIN);

    CHECK_OK (zmq_setsockopt (s, ZMQ_SOCKS_PROXY, "proxy:1080", 10));
    print_str (s, "SOCKS_PROXY", ZMQ_SOCKS_PROXY);
    CHECK_OK (zmq_setsockopt (s, ZMQ_SOCKS_PROXY, NULL, 0));
    print_str (s, "SOCKS_PROXY", ZMQ_SOCKS_PROXY);

    /*  PLAIN credentials switch the mechanism.  */
    printf ("MECHANISM %d\n", get_int (s, ZMQ_MECHANISM));
    CHECK_OK (zmq_setsockopt (s, ZMQ_PLAIN_USERNAME, "admin", 5));
    CHECK_OK (zmq_setsockopt (s, ZMQ_PLAIN_PASSWORD, "secret", 6));
    print_str (s, "PLAIN_USERNAME", ZMQ_PLAIN_USERNAME);
    print_str (s, "PLAIN_PASSWORD", ZMQ_PLAIN_PASSWORD);
    printf ("after PLAIN_USERNAME: MECHANISM %d PLAIN_SERVER %d\n",
            get_int (s, ZMQ_MECHANISM), get_int (s, ZMQ_PLAIN_SERVER));
    v = 1;
    CHECK_OK (zmq_setsockopt (s, ZMQ_PLAIN_SERVER, &v, sizeof v));
    printf ("after PLAIN_SERVER 1: MECHANISM %d PLAIN_SERVER %d\n",
            get_int (s, ZMQ_MECHANISM), get_int (s, ZMQ_PLAIN_SERVER));
    CHECK_OK (zmq_setsockopt (s, ZMQ_PLAIN_USERNAME, NULL, 0));
    printf ("after PLAIN_USERNAME NULL: MECHANISM %d PLAIN_SERVER %d\n",
            get_int (s, ZMQ_MECHANISM), get_int (s, ZMQ_PLAIN_SERVER));
    print_str (s, "PLAIN_USERNAME", ZMQ_PLAIN_USERNAME);
    v = 0;
    CHECK_OK (zmq_setsockopt (s, ZMQ_PLAIN_SERVER, &v, sizeof v));
    printf ("after PLAIN_SERVER 0: MECHANISM %d PLAIN_SERVER %d\n",
            get_int (s, ZMQ_MECHANISM), get_int (s, ZMQ_PLAIN_SERVER));
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_PLAIN_USERNAME, "x", 0), EINVAL);
    CHECK_ERRNO (zmq_setsockopt (s, ZMQ_PLAIN_USERNAME, rid256, 256),
                 EINVAL);

    CHECK_OK (zmq_close (s));
}

int main (void)
{
    test_init ();
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);

    test_defaults (ctx);
    test_buffer_sizes (ctx);
    test_ranges (ctx);
    test_round_trips (ctx);

    CHECK_OK (zmq_ctx_term (ctx));
    test_done ("test_sockopt_defaults");
    return 0;
}
