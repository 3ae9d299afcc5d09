/*  Utility API: version, errno/strerror, zmq_has, Z85, CURVE key helpers,
 *  atomic counters, stopwatch, sleep, threads and timers.  */
#include "testutil.h"

#include <stdint.h>

/* ------------------------------------------------------------------------ */
static void test_version (void)
{
    int major = -1, minor = -1, patch = -1;
    zmq_version (&major, &minor, &patch);
    CHECK_EQ (major, 4);
    CHECK_EQ (minor, 3);
    CHECK (patch >= 0);
    /*  The header we were compiled with agrees on major/minor.  */
    CHECK_EQ (ZMQ_VERSION_MAJOR, major);
    CHECK_EQ (ZMQ_VERSION_MINOR, minor);
    printf ("version %d.%d\n", major, minor);
}

/* ------------------------------------------------------------------------ */
static void test_errno_strerror (void)
{
    /*  zmq_errno reflects the errno of the last failing call.  */
    char buf[16];
    uint8_t data[3] = {1, 2, 3};
    errno = 0;
    CHECK (zmq_z85_encode (buf, data, 3) == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
    CHECK_EQ (zmq_errno (), errno);

    errno = 0;
    CHECK (zmq_ctx_term (NULL) == -1);
    CHECK_EQ (zmq_errno (), EFAULT);

    /*  libzmq specific error codes have libzmq specific strings.  */
    printf ("strerror EFSM: %s\n", zmq_strerror (EFSM));
    printf ("strerror ENOCOMPATPROTO: %s\n", zmq_strerror (ENOCOMPATPROTO));
    printf ("strerror ETERM: %s\n", zmq_strerror (ETERM));
    printf ("strerror EMTHREAD: %s\n", zmq_strerror (EMTHREAD));
    CHECK_STREQ (zmq_strerror (EFSM),
                 "Operation cannot be accomplished in current state");
    CHECK_STREQ (zmq_strerror (ENOCOMPATPROTO),
                 "The protocol is not compatible with the socket type");
    CHECK_STREQ (zmq_strerror (ETERM), "Context was terminated");
    CHECK_STREQ (zmq_strerror (EMTHREAD), "No thread available");

    /*  EHOSTUNREACH is special-cased by libzmq (it is NOT strerror's text,
     *  which on glibc is "No route to host").  */
    printf ("strerror EHOSTUNREACH: %s\n", zmq_strerror (EHOSTUNREACH));
    CHECK_STREQ (zmq_strerror (EHOSTUNREACH), "Host unreachable");

    /*  Everything else is the C library's strerror().  Not printed: the
     *  text is a property of the C library, not of libzmq.  */
    static const int sys[] = {EINVAL, EAGAIN,       ENOTSUP,    EFAULT,
                              EINTR,  ENOTSOCK,     EADDRINUSE, ENOMEM,
                              0,      ECONNREFUSED, 123456};
    for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++) {
        char expect[256];
        snprintf (expect, sizeof expect, "%s", strerror (sys[i]));
        CHECK_STREQ (zmq_strerror (sys[i]), expect);
    }
}

/* ------------------------------------------------------------------------ */
static void test_has (void)
{
    /*  Results legitimately depend on the build: only check that they are
     *  booleans; never print them.  */
    static const char *caps[] = {"ipc",  "pgm",   "tipc", "norm",
                                 "curve", "gssapi", "draft", "ws",
                                 "wss",  "WS",    "WSS",  "vmci",
                                 "nonsense"};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        int r = zmq_has (caps[i]);
        CHECK (r == 0 || r == 1);
    }
    CHECK_EQ (zmq_has ("nonsense"), 0);
    CHECK_EQ (zmq_has (""), 0);
    printf ("has: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_z85 (void)
{
    /*  ZMQ RFC 32 test vector.  */
    const uint8_t hello[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char enc[64];
    memset (enc, 'x', sizeof enc);
    CHECK (zmq_z85_encode (enc, hello, 8) == enc);
    CHECK_STREQ (enc, "HelloWorld");
    printf ("z85 encode: %s\n", enc);

    uint8_t dec[64];
    memset (dec, 0, sizeof dec);
    CHECK (zmq_z85_decode (dec, "HelloWorld") == dec);
    CHECK (memcmp (dec, hello, 8) == 0);

    /*  Size 0 is a multiple of 4: empty string.  */
    memset (enc, 'x', sizeof enc);
    CHECK (zmq_z85_encode (enc, hello, 0) == enc);
    CHECK_EQ (enc[0], '\0');

    /*  Encode: size must be a multiple of 4.  */
    CHECK_ERRNO (zmq_z85_encode (enc, hello, 1), EINVAL);
    CHECK_ERRNO (zmq_z85_encode (enc, hello, 7), EINVAL);
    CHECK_ERRNO (zmq_z85_encode (enc, hello, 6), EINVAL);
    /*  The size is checked before the pointers.  */
    CHECK_ERRNO (zmq_z85_encode (NULL, NULL, 3), EINVAL);

    /*  Decode: length must be a (non-zero) multiple of 5.  */
    CHECK_ERRNO (zmq_z85_decode (dec, ""), EINVAL);
    CHECK_ERRNO (zmq_z85_decode (dec, "Hell"), EINVAL);
    CHECK_ERRNO (zmq_z85_decode (dec, "HelloWorl"), EINVAL);
    CHECK_ERRNO (zmq_z85_decode (dec, "HelloWorld!"), EINVAL);

    /*  Decode: invalid characters.  */
    CHECK_ERRNO (zmq_z85_decode (dec, "Hell\""), EINVAL);   /* '"'   */
    CHECK_ERRNO (zmq_z85_decode (dec, "Hel o"), EINVAL);    /* space */
    CHECK_ERRNO (zmq_z85_decode (dec, "Hell~"), EINVAL);    /* '~'   */
    CHECK_ERRNO (zmq_z85_decode (dec, "Hell,"), EINVAL);    /* ','   */
    CHECK_ERRNO (zmq_z85_decode (dec, "Hell\\"), EINVAL);   /* '\\'  */
    CHECK_ERRNO (zmq_z85_decode (dec, "Hell\t"), EINVAL);   /* tab   */
    CHECK_ERRNO (zmq_z85_decode (dec, "Hell\x7f"), EINVAL); /* DEL   */
    CHECK_ERRNO (zmq_z85_decode (dec, "Hell\xc3"), EINVAL); /* >127  */
    CHECK_ERRNO (zmq_z85_decode (dec, "HelloWor`d"), EINVAL);

    /*  Largest representable group: 0xFFFFFFFF is "%nSc0".  */
    memset (dec, 0, sizeof dec);
    CHECK (zmq_z85_decode (dec, "%nSc0") == dec);
    CHECK (dec[0] == 0xFF && dec[1] == 0xFF && dec[2] == 0xFF
           && dec[3] == 0xFF);
    const uint8_t ones[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    CHECK (zmq_z85_encode (enc, ones, 4) == enc);
    CHECK_STREQ (enc, "%nSc0");
    /*  Zero is "00000".  */
    const uint8_t zeros[4] = {0, 0, 0, 0};
    CHECK (zmq_z85_encode (enc, zeros, 4) == enc);
    CHECK_STREQ (enc, "00000");

    /*  Groups whose value exceeds 2^32-1 are rejected.  */
    CHECK_ERRNO (zmq_z85_decode (dec, "%nSc1"), EINVAL);
    CHECK_ERRNO (zmq_z85_decode (dec, "%%%%%"), EINVAL);
    CHECK_ERRNO (zmq_z85_decode (dec, "#####"), EINVAL);
    CHECK_ERRNO (zmq_z85_decode (dec, "HelloWorld%%%%%"), EINVAL);

    /*  Round trip of a 32-byte key, all byte values.  */
    uint8_t key[32], back[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t) (i * 37 + 11);
    char key_z85[41];
    memset (key_z85, 'x', sizeof key_z85);
    CHECK (zmq_z85_encode (key_z85, key, 32) == key_z85);
    CHECK_EQ (strlen (key_z85), 40);
    printf ("z85 key: %s\n", key_z85);
    CHECK (zmq_z85_decode (back, key_z85) == back);
    CHECK (memcmp (key, back, 32) == 0);

    /*  Round trip of every byte value (256 bytes -> 320 chars).  */
    uint8_t all[256], all_back[256];
    char all_z85[321];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t) i;
    CHECK (zmq_z85_encode (all_z85, all, 256) == all_z85);
    CHECK_EQ (strlen (all_z85), 320);
    CHECK (zmq_z85_decode (all_back, all_z85) == all_back);
    CHECK (memcmp (all, all_back, 256) == 0);
    /*  All 85 alphabet characters appear in the encoding of 0..255? Not
     *  necessarily; instead check each alphabet char decodes.  */
    static const char alphabet[] = "0123456789"
                                   "abcdefghij"
                                   "klmnopqrst"
                                   "uvwxyzABCD"
                                   "EFGHIJKLMN"
                                   "OPQRSTUVWX"
                                   "YZ.-:+=^!/"
                                   "*?&<>()[]{"
                                   "}@%$#";
    CHECK_EQ (strlen (alphabet), 85);
    for (int i = 0; i < 85; i++) {
        /*  "0000c" decodes to the value of c.  */
        char s[6] = {'0', '0', '0', '0', alphabet[i], 0};
        CHECK (zmq_z85_decode (dec, s) == dec);
        CHECK_EQ (dec[0], 0);
        CHECK_EQ (dec[1], 0);
        CHECK_EQ (dec[2], 0);
        CHECK_EQ (dec[3], i);
    }
    printf ("z85: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_curve (void)
{
    /*  Fixed secret keys and the public keys derived from them.  The first
     *  pair is the server key pair from the libzmq CURVE documentation; the
     *  other two were computed with the system libzmq 4.3.4 (cross-check
     *  vectors).  */
    static const char *const vectors[][2] = {
      {"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
       "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"},
      {"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
       "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"},
      {"0000000000000000000000000000000000000000",
       "fxERSn6LHg6!4!qu+m-(f-Q<1UF!=7)u0-ysJ-^F"},
    };
    const char *secret = vectors[1][0];

    char pub[41], sec[41], pub2[41], sec2[41], derived[41];

    if (!zmq_has ("curve")) {
        /*  Built without CURVE: the key helpers report ENOTSUP.  */
        CHECK_ERRNO (zmq_curve_keypair (pub, sec), ENOTSUP);
        CHECK_ERRNO (zmq_curve_public (pub, secret), ENOTSUP);
        printf ("curve: ok\n");
        return;
    }

    memset (pub, 'x', sizeof pub);
    memset (sec, 'x', sizeof sec);
    CHECK_EQ (zmq_curve_keypair (pub, sec), 0);
    CHECK_EQ (strlen (pub), 40);
    CHECK_EQ (strlen (sec), 40);
    CHECK_EQ (zmq_curve_keypair (pub2, sec2), 0);
    CHECK (strcmp (pub, pub2) != 0);
    CHECK (strcmp (sec, sec2) != 0);

    /*  Keys are valid Z85.  */
    uint8_t raw[32];
    CHECK (zmq_z85_decode (raw, pub) == raw);
    CHECK (zmq_z85_decode (raw, sec) == raw);

    /*  public(secret) == public.  */
    memset (derived, 'x', sizeof derived);
    CHECK_EQ (zmq_curve_public (derived, sec), 0);
    CHECK_STREQ (derived, pub);
    CHECK_EQ (zmq_curve_public (derived, sec2), 0);
    CHECK_STREQ (derived, pub2);

    /*  Known vectors (not printed: stdout must not depend on whether the
     *  library was built with CURVE).  */
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        memset (derived, 'x', sizeof derived);
        CHECK_EQ (zmq_curve_public (derived, vectors[i][0]), 0);
        CHECK_STREQ (derived, vectors[i][1]);
    }

    /*  Invalid Z85 secret keys.  */
    CHECK_ERRNO (zmq_curve_public (derived, ""), EINVAL);
    CHECK_ERRNO (zmq_curve_public (derived, "not a key"), EINVAL);
    CHECK_ERRNO (
      zmq_curve_public (derived, "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%c~"),
      EINVAL);
    CHECK_ERRNO (
      zmq_curve_public (derived, "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%c"),
      EINVAL);
    printf ("curve: ok\n");
}

/* ------------------------------------------------------------------------ */
static void *g_counter;

static void counter_thread (void *arg)
{
    (void) arg;
    for (int i = 0; i < 10000; i++)
        zmq_atomic_counter_inc (g_counter);
}

static void test_atomic_counter (void)
{
    void *c = zmq_atomic_counter_new ();
    CHECK (c != NULL);
    CHECK_EQ (zmq_atomic_counter_value (c), 0);

    /*  inc returns the value before the increment.  */
    CHECK_EQ (zmq_atomic_counter_inc (c), 0);
    CHECK_EQ (zmq_atomic_counter_inc (c), 1);
    CHECK_EQ (zmq_atomic_counter_value (c), 2);

    /*  dec returns 1 if the counter is non-zero afterwards, else 0.  */
    CHECK_EQ (zmq_atomic_counter_dec (c), 1);
    CHECK_EQ (zmq_atomic_counter_value (c), 1);
    CHECK_EQ (zmq_atomic_counter_dec (c), 0);
    CHECK_EQ (zmq_atomic_counter_value (c), 0);
    CHECK_EQ (zmq_atomic_counter_dec (c), 1);
    CHECK_EQ (zmq_atomic_counter_value (c), -1);
    CHECK_EQ (zmq_atomic_counter_inc (c), -1);
    CHECK_EQ (zmq_atomic_counter_value (c), 0);

    zmq_atomic_counter_set (c, 5);
    CHECK_EQ (zmq_atomic_counter_value (c), 5);
    CHECK_EQ (zmq_atomic_counter_inc (c), 5);
    CHECK_EQ (zmq_atomic_counter_value (c), 6);
    CHECK_EQ (zmq_atomic_counter_dec (c), 1);
    CHECK_EQ (zmq_atomic_counter_value (c), 5);
    zmq_atomic_counter_set (c, -7);
    CHECK_EQ (zmq_atomic_counter_value (c), -7);
    zmq_atomic_counter_set (c, INT_MAX);
    CHECK_EQ (zmq_atomic_counter_value (c), INT_MAX);
    zmq_atomic_counter_set (c, 0);

    zmq_atomic_counter_destroy (&c);
    CHECK (c == NULL);

    /*  Concurrent increments from 4 threads.  */
    g_counter = zmq_atomic_counter_new ();
    CHECK (g_counter != NULL);
    void *threads[4];
    for (int i = 0; i < 4; i++) {
        threads[i] = zmq_threadstart (counter_thread, NULL);
        CHECK (threads[i] != NULL);
    }
    for (int i = 0; i < 4; i++)
        zmq_threadclose (threads[i]);
    CHECK_EQ (zmq_atomic_counter_value (g_counter), 40000);
    printf ("atomic counter after 4x10000: %d\n",
            zmq_atomic_counter_value (g_counter));
    zmq_atomic_counter_destroy (&g_counter);
    CHECK (g_counter == NULL);
    printf ("atomic counter: ok\n");
}

/* ------------------------------------------------------------------------ */
static void test_stopwatch_sleep (void)
{
    void *w = zmq_stopwatch_start ();
    CHECK (w != NULL);
    usleep (20000);
    unsigned long a = zmq_stopwatch_intermediate (w);
    CHECK (a >= 15000);
    CHECK (a < 5000000UL);
    usleep (1000);
    unsigned long b = zmq_stopwatch_intermediate (w);
    CHECK (b >= a);
    unsigned long c = zmq_stopwatch_stop (w);
    CHECK (c >= b);
    CHECK (c < 5000000UL);

    long long t0 = tu_now_us ();
    zmq_sleep (1);
    long long dt = tu_now_us () - t0;
    CHECK (dt >= 900000);
    CHECK (dt < 5000000);
    printf ("stopwatch/sleep: ok\n");
}

/* ------------------------------------------------------------------------ */
static volatile int g_thread_flag;
static void *g_thread_arg;

static void flag_thread (void *arg)
{
    g_thread_arg = arg;
    tu_sleep_ms (50);
    __atomic_store_n (&g_thread_flag, 1, __ATOMIC_SEQ_CST);
}

static void test_threads (void)
{
    int token = 42;
    g_thread_flag = 0;
    void *t = zmq_threadstart (flag_thread, &token);
    CHECK (t != NULL);
    /*  close joins: the flag is set once it returns.  */
    zmq_threadclose (t);
    CHECK_EQ (__atomic_load_n (&g_thread_flag, __ATOMIC_SEQ_CST), 1);
    CHECK (g_thread_arg == &token);
    printf ("threads: ok\n");
}

/* ------------------------------------------------------------------------ */
static int g_fired[3];
static int g_last_id[3];

static void timer_handler (int timer_id, void *arg)
{
    int which = *(int *) arg;
    g_fired[which]++;
    g_last_id[which] = timer_id;
}

/*  Sleep until the timers say something is due (bounded).  */
static void wait_timers (void *timers)
{
    for (int i = 0; i < 100; i++) {
        long to = zmq_timers_timeout (timers);
        if (to <= 0)
            return;
        tu_sleep_ms ((int) to);
    }
    tu_die (__FILE__, __LINE__, "timers never became due");
}

static void test_timers (void)
{
    static int which0 = 0, which1 = 1, which2 = 2;
    memset (g_fired, 0, sizeof g_fired);

    void *timers = zmq_timers_new ();
    CHECK (timers != NULL);

    /*  Nothing scheduled.  */
    CHECK_EQ (zmq_timers_timeout (timers), -1);
    CHECK_EQ (zmq_timers_execute (timers), 0);

    int id0 = zmq_timers_add (timers, 100, timer_handler, &which0);
    CHECK (id0 > 0);
    int id1 = zmq_timers_add (timers, 2000, timer_handler, &which1);
    CHECK (id1 > 0);
    CHECK (id1 != id0);

    long to = zmq_timers_timeout (timers);
    CHECK (to > 0 && to <= 100);

    /*  Not yet due.  */
    CHECK_EQ (zmq_timers_execute (timers), 0);
    CHECK_EQ (g_fired[0], 0);

    long long t0 = tu_now_us ();
    wait_timers (timers);
    CHECK (tu_now_us () - t0 >= 40000);
    CHECK_EQ (zmq_timers_execute (timers), 0);
    CHECK_EQ (g_fired[0], 1);
    CHECK_EQ (g_last_id[0], id0);
    CHECK_EQ (g_fired[1], 0);

    /*  Periodic: rescheduled after firing.  */
    to = zmq_timers_timeout (timers);
    CHECK (to > 0 && to <= 100);
    CHECK_EQ (zmq_timers_execute (timers), 0);
    CHECK_EQ (g_fired[0], 1);
    wait_timers (timers);
    CHECK_EQ (zmq_timers_execute (timers), 0);
    CHECK_EQ (g_fired[0], 2);

    /*  Cancel.  */
    CHECK_OK (zmq_timers_cancel (timers, id0));
    CHECK_ERRNO (zmq_timers_cancel (timers, id0), EINVAL);
    CHECK_ERRNO (zmq_timers_cancel (timers, 9999), EINVAL);
    CHECK_ERRNO (zmq_timers_cancel (timers, -1), EINVAL);
    tu_sleep_ms (120);
    CHECK_EQ (zmq_timers_execute (timers), 0);
    CHECK_EQ (g_fired[0], 2);
    /*  Still unknown after being purged.  */
    CHECK_ERRNO (zmq_timers_cancel (timers, id0), EINVAL);
    CHECK_ERRNO (zmq_timers_reset (timers, id0), EINVAL);
    CHECK_ERRNO (zmq_timers_set_interval (timers, id0, 10), EINVAL);

    /*  Only id1 (2000 ms) remains.  */
    to = zmq_timers_timeout (timers);
    CHECK (to > 1000 && to <= 2000);

    /*  set_interval reschedules from now.  */
    CHECK_OK (zmq_timers_set_interval (timers, id1, 50));
    to = zmq_timers_timeout (timers);
    CHECK (to >= 0 && to <= 50);
    CHECK_ERRNO (zmq_timers_set_interval (timers, 9999, 50), EINVAL);
    wait_timers (timers);
    CHECK_EQ (zmq_timers_execute (timers), 0);
    CHECK_EQ (g_fired[1], 1);
    CHECK_EQ (g_last_id[1], id1);

    /*  reset restarts the interval.  */
    tu_sleep_ms (30);
    CHECK_OK (zmq_timers_reset (timers, id1));
    to = zmq_timers_timeout (timers);
    CHECK (to >= 35 && to <= 50);
    CHECK_ERRNO (zmq_timers_reset (timers, 9999), EINVAL);

    /*  Two timers due at once both fire in one execute.  */
    int id2 = zmq_timers_add (timers, 10, timer_handler, &which2);
    CHECK (id2 > 0 && id2 != id1 && id2 != id0);
    tu_sleep_ms (80);
    CHECK_EQ (zmq_timers_execute (timers), 0);
    CHECK_EQ (g_fired[1], 2);
    CHECK_EQ (g_fired[2], 1);
    CHECK_EQ (g_last_id[2], id2);
    CHECK_OK (zmq_timers_cancel (timers, id2));
    CHECK_OK (zmq_timers_cancel (timers, id1));
    /*  All cancelled: no timeout.  */
    CHECK_EQ (zmq_timers_timeout (timers), -1);

    /*  NULL handler: libzmq reports EFAULT.  */
    CHECK_ERRNO (zmq_timers_add (timers, 10, NULL, NULL), EFAULT);

    /*  Destroy sets the handle to NULL.  */
    CHECK_OK (zmq_timers_destroy (&timers));
    CHECK (timers == NULL);
    /*  Destroying through a NULL handle: EFAULT.  */
    CHECK_ERRNO (zmq_timers_destroy (&timers), EFAULT);

    /*  NULL timers object everywhere: EFAULT.  */
    CHECK_ERRNO (zmq_timers_add (NULL, 10, timer_handler, &which0), EFAULT);
    CHECK_ERRNO (zmq_timers_cancel (NULL, 1), EFAULT);
    CHECK_ERRNO (zmq_timers_set_interval (NULL, 1, 10), EFAULT);
    CHECK_ERRNO (zmq_timers_reset (NULL, 1), EFAULT);
    CHECK_ERRNO (zmq_timers_timeout (NULL), EFAULT);
    CHECK_ERRNO (zmq_timers_execute (NULL), EFAULT);

    /*  Ids of a fresh timers object are independent handles; several timers
     *  objects coexist.  */
    void *ta = zmq_timers_new ();
    void *tb = zmq_timers_new ();
    CHECK (ta != NULL && tb != NULL && ta != tb);
    int a1 = zmq_timers_add (ta, 1000, timer_handler, &which0);
    int b1 = zmq_timers_add (tb, 1000, timer_handler, &which0);
    CHECK (a1 > 0 && b1 > 0);
    CHECK_OK (zmq_timers_cancel (ta, a1));
    CHECK_OK (zmq_timers_cancel (tb, b1));
    CHECK_OK (zmq_timers_destroy (&ta));
    CHECK_OK (zmq_timers_destroy (&tb));
    CHECK (ta == NULL && tb == NULL);
    printf ("timers: ok\n");
}

int main (void)
{
    test_init ();
    test_version ();
    test_errno_strerror ();
    test_has ();
    test_z85 ();
    test_curve ();
    test_atomic_counter ();
    test_stopwatch_sleep ();
    test_threads ();
    test_timers ();
    test_done ("test_util");
    return 0;
}
