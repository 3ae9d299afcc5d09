/*  Calls that crash (or are undefined in) real libzmq but must fail cleanly
 *  in our library.  Run only against our library.  */
#include "testutil.h"

#include <stdint.h>

static void dummy_timer (int id, void *arg)
{
    (void) id;
    (void) arg;
}

int main (void)
{
    test_init ();

    /*  NULL messages: must not crash; values are not specified.  */
    (void) zmq_msg_size (NULL);
    (void) zmq_msg_data (NULL);

    /*  Z85 with NULL pointers.  */
    const uint8_t data[4] = {1, 2, 3, 4};
    uint8_t out[8];
    CHECK (zmq_z85_encode (NULL, data, 4) == NULL);
    CHECK (zmq_z85_decode (out, NULL) == NULL);

    /*  CURVE helpers with NULL output.  */
    CHECK_EQ (zmq_curve_public (NULL, "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"),
              -1);

    /*  Timers: NULL object.  */
    CHECK_ERRNO (zmq_timers_add (NULL, 10, dummy_timer, NULL), EFAULT);

    /*  Atomic counter: NULL must not crash.  */
    (void) zmq_atomic_counter_inc (NULL);

    /*  Context terminated twice through the same (now dangling) pointer.  */
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    int v = 1;
    CHECK_ERRNO (zmq_ctx_set_ext (ctx, 123456, &v, sizeof v), EINVAL);
    CHECK_ERRNO (zmq_ctx_set_ext (ctx, -1, &v, sizeof v), EINVAL);
    CHECK_OK (zmq_ctx_term (ctx));
    CHECK_ERRNO (zmq_ctx_term (ctx), EFAULT);

    /*  Message closed twice.  */
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, 1000));
    CHECK_OK (zmq_msg_close (&m));
    CHECK_ERRNO (zmq_msg_close (&m), EFAULT);
    CHECK_OK (zmq_msg_init_size (&m, 5));
    CHECK_OK (zmq_msg_close (&m));
    CHECK_ERRNO (zmq_msg_close (&m), EFAULT);

    test_done ("ours_robustness");
    return 0;
}
