//  zmq.h and zmq_utils.h must be usable from C++ (extern "C" linkage, no
//  C-only constructs).  Compiled with c++ -Wall -Wextra -Werror.
#include <zmq.h>
//  Upstream's zmq_utils.h contains '#pragma GCC diagnostic ignored "-Werror"',
//  which GCC rejects under -Werror (-Wpragmas) unless the header lives in a
//  system include directory.  Tolerate that (it is upstream behaviour); the
//  header's deprecation '#pragma message' is only a note on stderr.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#include <zmq_utils.h>
#pragma GCC diagnostic pop
#include <zmq.h> //  include guard / double inclusion

#include "testutil.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <type_traits>

static_assert (sizeof (zmq_msg_t) == 64, "zmq_msg_t is 64 bytes");
static_assert (alignof (zmq_msg_t) >= alignof (void *),
               "zmq_msg_t is pointer aligned");
static_assert (std::is_same<zmq_fd_t, int>::value, "zmq_fd_t is int");
static_assert (offsetof (zmq_pollitem_t, fd) == sizeof (void *),
               "zmq_pollitem_t.fd");
static_assert (std::is_same<decltype (&zmq_msg_size),
                            size_t (*) (const zmq_msg_t *)>::value,
               "zmq_msg_size prototype");
static_assert (std::is_same<decltype (&zmq_z85_encode),
                            char *(*) (char *, const uint8_t *, size_t)>::value,
               "zmq_z85_encode prototype");
static_assert (std::is_same<decltype (&zmq_timers_add),
                            int (*) (void *, size_t, zmq_timer_fn *,
                                     void *)>::value,
               "zmq_timers_add prototype");
static_assert (std::is_same<zmq_free_fn, void (void *, void *)>::value,
               "zmq_free_fn is a function type");
static_assert (std::is_same<zmq_thread_fn, void (void *)>::value,
               "zmq_thread_fn is a function type");
static_assert (ZMQ_MAKE_VERSION (4, 3, 0) == 40300, "ZMQ_MAKE_VERSION");

namespace
{
int g_freed = 0;
}

//  Callbacks defined in C++ with C++ linkage are accepted (the typedefs
//  are plain function types).
static void cxx_free (void *data, void *hint)
{
    (void) data;
    *static_cast<int *> (hint) += 1;
}

int main ()
{
    test_init ();

    int major = 0, minor = 0, patch = 0;
    zmq_version (&major, &minor, &patch);
    CHECK (major == ZMQ_VERSION_MAJOR && minor == ZMQ_VERSION_MINOR);
    std::printf ("version %d.%d\n", major, minor);
    std::printf ("ZMQ_PAIR %d ZMQ_ROUTER %d ZMQ_SNDMORE %d ZMQ_POLLIN %d\n",
                 ZMQ_PAIR, ZMQ_ROUTER, ZMQ_SNDMORE, ZMQ_POLLIN);
    std::printf ("ETERM %s\n", zmq_strerror (ETERM));

    void *ctx = zmq_ctx_new ();
    CHECK (ctx != nullptr);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 1);
    CHECK_ERRNO (zmq_ctx_get (ctx, 12345), EINVAL);
    CHECK_OK (zmq_ctx_term (ctx));
    CHECK_ERRNO (zmq_ctx_term (nullptr), EFAULT);

    zmq_msg_t msg;
    CHECK_OK (zmq_msg_init_size (&msg, 5));
    std::memcpy (zmq_msg_data (&msg), "hello", 5);
    CHECK_EQ (zmq_msg_size (&msg), 5);
    CHECK_OK (zmq_msg_close (&msg));

    static char payload[] = "payload";
    CHECK_OK (zmq_msg_init_data (&msg, payload, 7, cxx_free, &g_freed));
    CHECK_OK (zmq_msg_close (&msg));
    CHECK_EQ (g_freed, 1);

    const uint8_t raw[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char text[11];
    CHECK (zmq_z85_encode (text, raw, sizeof raw) == text);
    uint8_t back[8];
    CHECK (zmq_z85_decode (back, text) == back);
    CHECK (std::memcmp (raw, back, 8) == 0);
    std::printf ("z85 %s\n", text);

    void *watch = zmq_stopwatch_start ();
    CHECK (watch != nullptr);
    (void) zmq_stopwatch_stop (watch);

    (void) zmq_has ("curve");
    test_done ("cxx_header");
    return 0;
}
