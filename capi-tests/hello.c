/*  Minimal libzmq client used to check an installed prefix:
 *      cc hello.c $(pkg-config --cflags --libs libzmq)  */
#include <zmq.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main (void)
{
    void *ctx = zmq_ctx_new ();
    if (ctx == NULL) {
        fprintf (stderr, "zmq_ctx_new: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }

    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    printf ("libzmq %d.%d.%d\n", major, minor, patch);

    const uint8_t raw[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char text[11];
    uint8_t back[8];
    if (zmq_z85_encode (text, raw, sizeof raw) == NULL
        || zmq_z85_decode (back, text) == NULL
        || memcmp (raw, back, sizeof raw) != 0) {
        fprintf (stderr, "z85 round trip failed\n");
        return 1;
    }
    printf ("z85 %s\n", text);

    if (zmq_ctx_term (ctx) != 0) {
        fprintf (stderr, "zmq_ctx_term: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    printf ("hello ok\n");
    return 0;
}
