/*  What the benchmark programs share: failing loudly, the endpoint a socket
 *  bound, and the measured loops of libzmq's perf tools.  A one-process benchmark
 *  (inproc_thr, inproc_lat) and its two-process twin (local_thr and remote_thr,
 *  local_lat and remote_lat) run the very same loops, so their figures compare.
 *  Each program is one .c file that includes this header; its functions are
 *  static inline, so a program pays nothing for those it does not use.  */
#ifndef PERF_H_INCLUDED
#define PERF_H_INCLUDED

#include <zmq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*  Says what failed, with zmq_strerror, and ends the program.  */
static inline void fail (const char *what)
{
    fprintf (stderr, "%s: %s\n", what, zmq_strerror (zmq_errno ()));
    exit (1);
}

/*  The endpoint `socket` bound (ZMQ_LAST_ENDPOINT: a wildcard's actual port).  */
static inline void bound_endpoint (void *socket, char *endpoint, size_t size)
{
    if (zmq_getsockopt (socket, ZMQ_LAST_ENDPOINT, endpoint, &size) != 0)
        fail ("ZMQ_LAST_ENDPOINT");
}

/*  Prints "endpoint: <bound>" at once, for a program in another process to
 *  connect to (perf/compare's two_procs reads it).  */
static inline void announce_endpoint (const char *endpoint)
{
    printf ("endpoint: %s\n", endpoint);
    fflush (stdout);
}

/*  Sends `count` messages of `size` bytes, each a fresh zmq_msg_t.  */
static inline void send_messages (void *socket, long count, size_t size)
{
    for (long i = 0; i != count; i++) {
        zmq_msg_t msg;
        if (zmq_msg_init_size (&msg, size) != 0)
            fail ("zmq_msg_init_size");
        memset (zmq_msg_data (&msg), 'x', size);
        if (zmq_msg_send (&msg, socket, 0) < 0)
            fail ("zmq_msg_send");
    }
}

/*  Receives a message into `msg` and checks that it has `size` bytes.  */
static inline void receive_sized (zmq_msg_t *msg, void *socket, size_t size)
{
    if (zmq_msg_recv (msg, socket, 0) < 0)
        fail ("zmq_msg_recv");
    if (zmq_msg_size (msg) != size)
        fail ("message of the wrong size");
}

/*  Receives `count` messages of `size` bytes (at least one); returns the
 *  microseconds from the first to the last, at least 1.  */
static inline unsigned long receive_messages (void *socket, long count, size_t size)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, socket, 0) < 0)
        fail ("zmq_msg_recv");
    void *watch = zmq_stopwatch_start ();
    for (long i = 1; i < count; i++)
        receive_sized (&msg, socket, size);
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    zmq_msg_close (&msg);
    return elapsed ? elapsed : 1;
}

/*  Prints a throughput run's figures as libzmq's local_thr does.  */
static inline void print_throughput (long count, size_t size, unsigned long elapsed)
{
    double throughput = (double) (count - 1) / (double) elapsed * 1000000;
    double megabits = throughput * (double) size * 8 / 1000000;
    printf ("message size: %d [B]\n", (int) size);
    printf ("message count: %ld\n", count);
    printf ("mean throughput: %d [msg/s]\n", (int) throughput);
    printf ("mean throughput: %.3f [Mb/s]\n", megabits);
}

/*  Sends each of `count` messages of `size` bytes back where it came from.  */
static inline void echo_messages (void *socket, long count, size_t size)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    for (long i = 0; i != count; i++) {
        receive_sized (&msg, socket, size);
        if (zmq_msg_send (&msg, socket, 0) < 0)
            fail ("echo send");
    }
    zmq_msg_close (&msg);
}

/*  Makes `count` round trips of a `size`-byte message through an echoing peer;
 *  returns the microseconds they took.  */
static inline unsigned long time_round_trips (void *socket, long count, size_t size)
{
    zmq_msg_t msg;
    if (zmq_msg_init_size (&msg, size) != 0)
        fail ("zmq_msg_init_size");
    memset (zmq_msg_data (&msg), 'x', size);
    void *watch = zmq_stopwatch_start ();
    for (long i = 0; i != count; i++) {
        if (zmq_msg_send (&msg, socket, 0) < 0)
            fail ("send");
        receive_sized (&msg, socket, size);
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    zmq_msg_close (&msg);
    return elapsed;
}

/*  Prints a latency run's figures as libzmq's remote_lat does: the mean one-way
 *  latency, half the mean round trip.  */
static inline void print_latency (long count, size_t size, unsigned long elapsed)
{
    printf ("message size: %d [B]\n", (int) size);
    printf ("roundtrip count: %ld\n", count);
    printf ("average latency: %.3f [us]\n", (double) elapsed / (double) (count * 2));
}

#endif
