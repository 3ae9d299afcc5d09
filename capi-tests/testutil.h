/*  Shared helpers for the C API test programs.
 *
 *  test_init() must be the first call in every main(): it verifies that the
 *  libzmq shared object mapped into this process is the one named by the
 *  environment variable ZMQ_TEST_EXPECT_LIB, and arms a watchdog so that no
 *  test can hang forever.
 *
 *  Assertion macros print file:line and the failing expression to stderr and
 *  exit(1).  Nothing here prints to stdout except test_done().
 */
#ifndef CAPI_TESTUTIL_H_INCLUDED
#define CAPI_TESTUTIL_H_INCLUDED

#include <zmq.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*  Seconds after which a test is considered hung and is killed.  */
#ifndef TEST_WATCHDOG_SECONDS
#define TEST_WATCHDOG_SECONDS 60
#endif

static inline void tu_watchdog_handler (int sig)
{
    static const char msg[] = "FAIL: watchdog expired, test hung\n";
    (void) sig;
    /*  async-signal-safe only  */
    if (write (2, msg, sizeof msg - 1) < 0) {
    }
    _exit (1);
}

static inline void tu_die (const char *file, int line, const char *what)
{
    fprintf (stderr, "%s:%d: FAIL: %s\n", file, line, what);
    fflush (stdout);
    fflush (stderr);
    exit (1);
}

/*  Returns 1 if 'base' starts with "libzmq.so".  */
static inline int tu_is_libzmq (const char *path)
{
    const char *base = strrchr (path, '/');
    base = base ? base + 1 : path;
    return strncmp (base, "libzmq.so", 9) == 0;
}

static inline void test_init (void)
{
    /*  Line-buffered stdout so that partial output survives a failure.  */
    setvbuf (stdout, NULL, _IOLBF, 0);

    signal (SIGALRM, tu_watchdog_handler);
    alarm (TEST_WATCHDOG_SECONDS);

    const char *expect = getenv ("ZMQ_TEST_EXPECT_LIB");
    if (expect == NULL || *expect == '\0') {
        fprintf (stderr,
                 "FAIL: ZMQ_TEST_EXPECT_LIB is not set; it must name the "
                 "libzmq shared object this test is expected to load\n");
        exit (1);
    }
    char expect_real[PATH_MAX];
    if (realpath (expect, expect_real) == NULL) {
        fprintf (stderr, "FAIL: ZMQ_TEST_EXPECT_LIB=%s: realpath: %s\n",
                 expect, strerror (errno));
        exit (1);
    }

    FILE *maps = fopen ("/proc/self/maps", "r");
    if (maps == NULL) {
        fprintf (stderr, "FAIL: cannot open /proc/self/maps: %s\n",
                 strerror (errno));
        exit (1);
    }
    char line[PATH_MAX + 256];
    char found[PATH_MAX] = "";
    int nfound = 0;
    while (fgets (line, sizeof line, maps) != NULL) {
        /*  addr perms offset dev inode [pathname]  */
        char *path = strchr (line, '/');
        if (path == NULL)
            continue;
        size_t len = strlen (path);
        while (len > 0 && (path[len - 1] == '\n' || path[len - 1] == ' '))
            path[--len] = '\0';
        /*  A replaced file shows up as "/path (deleted)".  */
        static const char deleted[] = " (deleted)";
        if (len > sizeof deleted - 1
            && strcmp (path + len - (sizeof deleted - 1), deleted) == 0) {
            len -= sizeof deleted - 1;
            path[len] = '\0';
        }
        if (!tu_is_libzmq (path))
            continue;
        char real[PATH_MAX];
        const char *resolved = realpath (path, real) ? real : path;
        if (nfound == 0) {
            snprintf (found, sizeof found, "%s", resolved);
            nfound = 1;
        } else if (strcmp (found, resolved) != 0) {
            fprintf (stderr,
                     "FAIL: two different libzmq objects are mapped: %s and "
                     "%s\n",
                     found, resolved);
            fclose (maps);
            exit (1);
        }
    }
    fclose (maps);

    if (nfound == 0) {
        fprintf (stderr,
                 "FAIL: no libzmq.so* is mapped into this process "
                 "(expected %s)\n",
                 expect_real);
        exit (1);
    }
    if (strcmp (found, expect_real) != 0) {
        fprintf (stderr,
                 "FAIL: wrong libzmq loaded: mapped %s, but "
                 "ZMQ_TEST_EXPECT_LIB resolves to %s\n",
                 found, expect_real);
        exit (1);
    }
}

static inline void test_done (const char *name)
{
    printf ("ok %s\n", name);
    fflush (stdout);
}

/*  Monotonic clock in microseconds.  */
static inline long long tu_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/*  Bounded sleep in milliseconds.  */
static inline void tu_sleep_ms (int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long) (ms % 1000) * 1000000L;
    while (nanosleep (&ts, &ts) != 0 && errno == EINTR) {
    }
}

/*  "Did this call report failure?" for the return types used by the API:
 *  int and long report -1, pointers report NULL.  */
#ifdef __cplusplus
static inline int tu_failed (int v)
{
    return v == -1;
}
static inline int tu_failed (long v)
{
    return v == -1L;
}
static inline int tu_failed (const void *p)
{
    return p == NULL;
}
#define TU_FAILED(x) tu_failed (x)
#else
static inline int tu_failed_int (int v)
{
    return v == -1;
}
static inline int tu_failed_long (long v)
{
    return v == -1L;
}
static inline int tu_failed_ptr (const void *p)
{
    return p == NULL;
}
#define TU_FAILED(x)                                                           \
    _Generic ((x), int                                                         \
              : tu_failed_int, long                                            \
              : tu_failed_long, default                                        \
              : tu_failed_ptr) (x)
#endif

/*  CHECK(cond): cond must be true.  */
#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            tu_die (__FILE__, __LINE__, "CHECK(" #cond ")");                   \
    } while (0)

/*  CHECK_OK(call): call must not return -1.  */
#define CHECK_OK(call)                                                         \
    do {                                                                       \
        errno = 0;                                                             \
        long tu_rc_ = (long) (call);                                           \
        if (tu_rc_ == -1) {                                                    \
            int tu_e_ = zmq_errno ();                                          \
            fprintf (stderr, "%s:%d: FAIL: CHECK_OK(%s) returned -1, "         \
                             "errno %d (%s)\n",                               \
                     __FILE__, __LINE__, #call, tu_e_, zmq_strerror (tu_e_));  \
            exit (1);                                                          \
        }                                                                      \
    } while (0)

/*  CHECK_ERRNO(call, expected): call must fail (-1 for int/long results,
 *  NULL for pointer results) and zmq_errno() must equal 'expected'.  */
#define CHECK_ERRNO(call, expected)                                            \
    do {                                                                       \
        errno = 0;                                                             \
        int tu_failed_ = TU_FAILED (call);                                     \
        int tu_e_ = zmq_errno ();                                              \
        int tu_x_ = (expected);                                                \
        if (!tu_failed_) {                                                     \
            fprintf (stderr,                                                   \
                     "%s:%d: FAIL: CHECK_ERRNO(%s, %s): call succeeded\n",     \
                     __FILE__, __LINE__, #call, #expected);                    \
            exit (1);                                                          \
        }                                                                      \
        if (tu_e_ != tu_x_) {                                                  \
            fprintf (stderr,                                                   \
                     "%s:%d: FAIL: CHECK_ERRNO(%s, %s): errno %d (%s), "       \
                     "expected %d (%s)\n",                                     \
                     __FILE__, __LINE__, #call, #expected, tu_e_,              \
                     zmq_strerror (tu_e_), tu_x_, zmq_strerror (tu_x_));       \
            exit (1);                                                          \
        }                                                                      \
    } while (0)

/*  CHECK_EQ(a, b): integer equality, both values printed on failure.  */
#define CHECK_EQ(a, b)                                                         \
    do {                                                                       \
        long long tu_a_ = (long long) (a);                                     \
        long long tu_b_ = (long long) (b);                                     \
        if (tu_a_ != tu_b_) {                                                  \
            fprintf (stderr, "%s:%d: FAIL: CHECK_EQ(%s, %s): %lld != %lld\n",  \
                     __FILE__, __LINE__, #a, #b, tu_a_, tu_b_);                \
            exit (1);                                                          \
        }                                                                      \
    } while (0)

/*  CHECK_STREQ(a, b): both non-NULL and equal C strings.  */
#define CHECK_STREQ(a, b)                                                      \
    do {                                                                       \
        const char *tu_a_ = (a);                                               \
        const char *tu_b_ = (b);                                               \
        if (tu_a_ == NULL || tu_b_ == NULL || strcmp (tu_a_, tu_b_) != 0) {    \
            fprintf (stderr,                                                   \
                     "%s:%d: FAIL: CHECK_STREQ(%s, %s): \"%s\" != \"%s\"\n",   \
                     __FILE__, __LINE__, #a, #b, tu_a_ ? tu_a_ : "(null)",     \
                     tu_b_ ? tu_b_ : "(null)");                                \
            exit (1);                                                          \
        }                                                                      \
    } while (0)


/*  Sets an int socket option, failing the test on error.  */
static inline void set_int (void *s, int opt, int v)
{
    CHECK_OK (zmq_setsockopt (s, opt, &v, sizeof v));
}

/*  A socket with LINGER 0 and send/receive timeouts of `timeout_ms`, so that no
 *  test can block forever.  */
static inline void *new_socket_with_timeout (void *ctx, int type, int timeout_ms)
{
    void *s = zmq_socket (ctx, type);
    CHECK (s != NULL);
    set_int (s, ZMQ_LINGER, 0);
    set_int (s, ZMQ_RCVTIMEO, timeout_ms);
    set_int (s, ZMQ_SNDTIMEO, timeout_ms);
    return s;
}

static inline void *new_socket (void *ctx, int type)
{
    return new_socket_with_timeout (ctx, type, 5000);
}

#endif
