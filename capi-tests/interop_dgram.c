/*  interop_dgram <echo|ask> <udp-port> [<peer-port>|<ready-file>]
 *
 *  DGRAM over udp between the two libraries (tests/interop.rs runs one side on
 *  each). Both sides bind 127.0.0.1:<udp-port>. The echo side writes its endpoint
 *  to ready-file once bound, then sends every datagram back to the address it
 *  came from (the address part as received, NUL included) until "END". The ask
 *  side sends bodies of 0, 1, 255, 256 and 8192 bytes (libzmq's largest) to
 *  127.0.0.1:<peer-port>, checks each echo byte by byte and that its address part
 *  is "127.0.0.1:<peer-port>" with a terminating NUL. Exit status 0: all passed. */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include <zmq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const size_t sizes[] = {0, 1, 255, 256, 8192};
#define SIZE_COUNT (sizeof sizes / sizeof sizes[0])

static void fail (const char *what)
{
    fprintf (stderr, "interop_dgram: %s: %s\n", what, zmq_strerror (zmq_errno ()));
    exit (1);
}

static void fill (unsigned char *bytes, size_t size)
{
    for (size_t i = 0; i < size; i++)
        bytes[i] = (unsigned char) ((i * 7 + size) & 0xff);
}

static void send_to (void *socket, const char *address, size_t address_size, const void *body, size_t size)
{
    if (zmq_send (socket, address, address_size, ZMQ_SNDMORE) != (int) address_size)
        fail ("send the address");
    if (zmq_send (socket, body, size, 0) != (int) size)
        fail ("send the body");
}

/*  Receives the two parts of a datagram: returns the body's size.  */
static int recv_from (void *socket, char *address, size_t address_capacity, unsigned char *body,
                      size_t capacity, int *address_size)
{
    *address_size = zmq_recv (socket, address, address_capacity, 0);
    if (*address_size < 0)
        fail ("receive the address");
    int more = 0;
    size_t more_size = sizeof more;
    zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &more_size);
    if (!more)
        fail ("the address part has no MORE");
    int size = zmq_recv (socket, body, capacity, 0);
    if (size < 0)
        fail ("receive the body");
    return size;
}

int main (int argc, char *argv[])
{
    if (argc < 4) {
        fprintf (stderr, "usage: interop_dgram <echo|ask> <udp-port> <peer-port|ready-file>\n");
        return 2;
    }
    void *ctx = zmq_ctx_new ();
    void *socket = zmq_socket (ctx, ZMQ_DGRAM);
    if (!socket)
        fail ("zmq_socket");
    int timeout = 20000;
    zmq_setsockopt (socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt (socket, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "udp://127.0.0.1:%s", argv[2]);
    if (zmq_bind (socket, endpoint) != 0)
        fail ("zmq_bind");

    static unsigned char body[8192], expected[8192];
    char address[64];
    int address_size;
    if (strcmp (argv[1], "echo") == 0) {
        char temporary[512];
        snprintf (temporary, sizeof temporary, "%s.tmp", argv[3]);
        FILE *file = fopen (temporary, "w");
        if (!file || fputs (endpoint, file) < 0 || fclose (file) != 0 || rename (temporary, argv[3]) != 0)
            fail ("ready file");
        for (;;) {
            int size = recv_from (socket, address, sizeof address, body, sizeof body, &address_size);
            send_to (socket, address, (size_t) address_size, body, (size_t) size);
            if (size == 3 && memcmp (body, "END", 3) == 0)
                break;
        }
    } else {
        char peer[64];
        snprintf (peer, sizeof peer, "127.0.0.1:%s", argv[3]);
        for (size_t i = 0; i <= SIZE_COUNT; i++) {
            const size_t size = i < SIZE_COUNT ? sizes[i] : 3;
            if (i < SIZE_COUNT)
                fill (expected, size);
            else
                memcpy (expected, "END", 3);
            send_to (socket, peer, strlen (peer), expected, size);
            int got = recv_from (socket, address, sizeof address, body, sizeof body, &address_size);
            if (got != (int) size || memcmp (body, expected, size) != 0) {
                fprintf (stderr, "interop_dgram: the echo of %zu bytes differs (%d bytes)\n", size, got);
                return 1;
            }
            if (address_size != (int) strlen (peer) + 1 || memcmp (address, peer, strlen (peer) + 1) != 0) {
                fprintf (stderr, "interop_dgram: the echo came from %.*s\n", address_size, address);
                return 1;
            }
        }
    }
    zmq_close (socket);
    zmq_ctx_term (ctx);
    return 0;
}
