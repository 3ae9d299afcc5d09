/*  udp helpers shared by the C tests: a loopback port nobody uses right now.  */
#ifndef CAPI_TESTUTIL_UDP_H_INCLUDED
#define CAPI_TESTUTIL_UDP_H_INCLUDED

#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/*  A udp port nobody uses right now on 127.0.0.1.  */
static inline int free_udp_port (void)
{
    int fd = socket (AF_INET, SOCK_DGRAM, 0);
    CHECK (fd >= 0);
    struct sockaddr_in address;
    memset (&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    CHECK_OK (bind (fd, (struct sockaddr *) &address, sizeof address));
    socklen_t len = sizeof address;
    CHECK_OK (getsockname (fd, (struct sockaddr *) &address, &len));
    close (fd);
    return ntohs (address.sin_port);
}

#endif
