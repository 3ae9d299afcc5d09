/*  4.3.5-only header facts (draft build) and the run-time version.
 *  Run only against our library.  Missing macros are reported at run time
 *  (so the file also compiles against the 4.3.4 header, where it fails).  */
#include "testutil.h"

static int g_failures;

static void expect (const char *name, int defined, long long got,
                    long long want)
{
    if (!defined) {
        fprintf (stderr, "FAIL: %s is not defined\n", name);
        g_failures++;
    } else if (got != want) {
        fprintf (stderr, "FAIL: %s is %lld, expected %lld\n", name, got,
                 want);
        g_failures++;
    }
}

int main (void)
{
    test_init ();

#ifdef ZMQ_VERSION_MAJOR
    expect ("ZMQ_VERSION_MAJOR", 1, (long long) (ZMQ_VERSION_MAJOR), 4);
#else
    expect ("ZMQ_VERSION_MAJOR", 0, 0, 4);
#endif
#ifdef ZMQ_VERSION_MINOR
    expect ("ZMQ_VERSION_MINOR", 1, (long long) (ZMQ_VERSION_MINOR), 3);
#else
    expect ("ZMQ_VERSION_MINOR", 0, 0, 3);
#endif
#ifdef ZMQ_VERSION_PATCH
    expect ("ZMQ_VERSION_PATCH", 1, (long long) (ZMQ_VERSION_PATCH), 5);
#else
    expect ("ZMQ_VERSION_PATCH", 0, 0, 5);
#endif
#ifdef ZMQ_VERSION
    expect ("ZMQ_VERSION", 1, (long long) (ZMQ_VERSION), 40305);
#else
    expect ("ZMQ_VERSION", 0, 0, 40305);
#endif
#ifdef ZMQ_BUSY_POLL
    expect ("ZMQ_BUSY_POLL", 1, (long long) (ZMQ_BUSY_POLL), 113);
#else
    expect ("ZMQ_BUSY_POLL", 0, 0, 113);
#endif
#ifdef ZMQ_HICCUP_MSG
    expect ("ZMQ_HICCUP_MSG", 1, (long long) (ZMQ_HICCUP_MSG), 114);
#else
    expect ("ZMQ_HICCUP_MSG", 0, 0, 114);
#endif
#ifdef ZMQ_XSUB_VERBOSE_UNSUBSCRIBE
    expect ("ZMQ_XSUB_VERBOSE_UNSUBSCRIBE", 1, (long long) (ZMQ_XSUB_VERBOSE_UNSUBSCRIBE), 115);
#else
    expect ("ZMQ_XSUB_VERBOSE_UNSUBSCRIBE", 0, 0, 115);
#endif
#ifdef ZMQ_TOPICS_COUNT
    expect ("ZMQ_TOPICS_COUNT", 1, (long long) (ZMQ_TOPICS_COUNT), 116);
#else
    expect ("ZMQ_TOPICS_COUNT", 0, 0, 116);
#endif
#ifdef ZMQ_NORM_MODE
    expect ("ZMQ_NORM_MODE", 1, (long long) (ZMQ_NORM_MODE), 117);
#else
    expect ("ZMQ_NORM_MODE", 0, 0, 117);
#endif
#ifdef ZMQ_NORM_UNICAST_NACK
    expect ("ZMQ_NORM_UNICAST_NACK", 1, (long long) (ZMQ_NORM_UNICAST_NACK), 118);
#else
    expect ("ZMQ_NORM_UNICAST_NACK", 0, 0, 118);
#endif
#ifdef ZMQ_NORM_BUFFER_SIZE
    expect ("ZMQ_NORM_BUFFER_SIZE", 1, (long long) (ZMQ_NORM_BUFFER_SIZE), 119);
#else
    expect ("ZMQ_NORM_BUFFER_SIZE", 0, 0, 119);
#endif
#ifdef ZMQ_NORM_SEGMENT_SIZE
    expect ("ZMQ_NORM_SEGMENT_SIZE", 1, (long long) (ZMQ_NORM_SEGMENT_SIZE), 120);
#else
    expect ("ZMQ_NORM_SEGMENT_SIZE", 0, 0, 120);
#endif
#ifdef ZMQ_NORM_BLOCK_SIZE
    expect ("ZMQ_NORM_BLOCK_SIZE", 1, (long long) (ZMQ_NORM_BLOCK_SIZE), 121);
#else
    expect ("ZMQ_NORM_BLOCK_SIZE", 0, 0, 121);
#endif
#ifdef ZMQ_NORM_NUM_PARITY
    expect ("ZMQ_NORM_NUM_PARITY", 1, (long long) (ZMQ_NORM_NUM_PARITY), 122);
#else
    expect ("ZMQ_NORM_NUM_PARITY", 0, 0, 122);
#endif
#ifdef ZMQ_NORM_NUM_AUTOPARITY
    expect ("ZMQ_NORM_NUM_AUTOPARITY", 1, (long long) (ZMQ_NORM_NUM_AUTOPARITY), 123);
#else
    expect ("ZMQ_NORM_NUM_AUTOPARITY", 0, 0, 123);
#endif
#ifdef ZMQ_NORM_PUSH
    expect ("ZMQ_NORM_PUSH", 1, (long long) (ZMQ_NORM_PUSH), 124);
#else
    expect ("ZMQ_NORM_PUSH", 0, 0, 124);
#endif
#ifdef ZMQ_NORM_FIXED
    expect ("ZMQ_NORM_FIXED", 1, (long long) (ZMQ_NORM_FIXED), 0);
#else
    expect ("ZMQ_NORM_FIXED", 0, 0, 0);
#endif
#ifdef ZMQ_NORM_CC
    expect ("ZMQ_NORM_CC", 1, (long long) (ZMQ_NORM_CC), 1);
#else
    expect ("ZMQ_NORM_CC", 0, 0, 1);
#endif
#ifdef ZMQ_NORM_CCL
    expect ("ZMQ_NORM_CCL", 1, (long long) (ZMQ_NORM_CCL), 2);
#else
    expect ("ZMQ_NORM_CCL", 0, 0, 2);
#endif
#ifdef ZMQ_NORM_CCE
    expect ("ZMQ_NORM_CCE", 1, (long long) (ZMQ_NORM_CCE), 3);
#else
    expect ("ZMQ_NORM_CCE", 0, 0, 3);
#endif
#ifdef ZMQ_NORM_CCE_ECNONLY
    expect ("ZMQ_NORM_CCE_ECNONLY", 1, (long long) (ZMQ_NORM_CCE_ECNONLY), 4);
#else
    expect ("ZMQ_NORM_CCE_ECNONLY", 0, 0, 4);
#endif
#ifdef ZMQ_RECONNECT_STOP_CONN_REFUSED
    expect ("ZMQ_RECONNECT_STOP_CONN_REFUSED", 1, (long long) (ZMQ_RECONNECT_STOP_CONN_REFUSED), 1);
#else
    expect ("ZMQ_RECONNECT_STOP_CONN_REFUSED", 0, 0, 1);
#endif
#ifdef ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED
    expect ("ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED", 1, (long long) (ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED), 2);
#else
    expect ("ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED", 0, 0, 2);
#endif
#ifdef ZMQ_RECONNECT_STOP_AFTER_DISCONNECT
    expect ("ZMQ_RECONNECT_STOP_AFTER_DISCONNECT", 1, (long long) (ZMQ_RECONNECT_STOP_AFTER_DISCONNECT), 4);
#else
    expect ("ZMQ_RECONNECT_STOP_AFTER_DISCONNECT", 0, 0, 4);
#endif

    /*  zmq_ppoll is declared (draft, 4.3.5 only); checked without
     *  referencing the symbol.  */
#if ZMQ_VERSION_PATCH >= 5
    CHECK (_Generic ((zmq_ppoll), int (*) (zmq_pollitem_t *, int, long,
                                           const sigset_t *) : 1,
                     default : 0));
#else
    fprintf (stderr, "FAIL: zmq_ppoll is not declared\n");
    g_failures++;
#endif

    int major = 0, minor = 0, patch = 0;
    zmq_version (&major, &minor, &patch);
    CHECK_EQ (major, 4);
    CHECK_EQ (minor, 3);
    CHECK_EQ (patch, 5);
    CHECK_EQ (ZMQ_MAKE_VERSION (major, minor, patch), 40305);

    CHECK_EQ (g_failures, 0);
    test_done ("ours_constants_435");
    return 0;
}
