/*  Helpers for the C tests that fork: waiting for a child, bounded.  */
#ifndef TESTUTIL_FORK_H
#define TESTUTIL_FORK_H

#include "testutil.h"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

/*  Waits (at most 30 s) for `pid` and checks it exited with 0; a child still
    running then is killed and the test fails.  */
static inline void tu_reap_child (pid_t pid)
{
    int status = 0;
    pid_t done = 0;
    long long deadline = tu_now_us () + 30000000LL;
    while ((done = waitpid (pid, &status, WNOHANG)) == 0 && tu_now_us () < deadline)
        tu_sleep_ms (10);
    if (done == 0) {
        kill (pid, SIGKILL);
        waitpid (pid, &status, 0);
        fprintf (stderr, "FAIL: the child did not finish within 30 s\n");
        exit (1);
    }
    CHECK_EQ (done, pid);
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
        fprintf (stderr, "FAIL: the child ended with status 0x%x\n", status);
        exit (1);
    }
}

#endif
