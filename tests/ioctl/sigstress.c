/*
 * Signals racing with passed-through ioctls.  An interval timer fires
 * every 50us (or every argv[2] us) while the program issues
 * NS_GET_NSTYPE argv[1] times (default 200000); every call must still
 * return the namespace type, and the handler must run.  Under -strace
 * each signal costs more than 50us of tracing: a longer interval keeps
 * the loop making progress.
 * Exercises QEMU's restart logic around the system call instruction
 * (for the compat route, the int $0x80 variant of safe_syscall).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <signal.h>
#include <sys/time.h>
#include "common.h"

#define T_CLONE_NEWUTS 0x04000000

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
    ticks++;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    struct itimerval it = { { 0, 50 }, { 0, 50 } };
    long iterations = argc > 1 ? atol(argv[1]) : 200000;
    long interval_us = argc > 2 ? atol(argv[2]) : 50;
    long i, bad = 0, eintr = 0;
    int fd;

    it.it_value.tv_usec = it.it_interval.tv_usec = interval_us;
    fd = open_or_die("/proc/self/ns/uts", O_RDONLY);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);

    for (i = 0; i < iterations; i++) {
        int r = ioctl(fd, T_NS_GET_NSTYPE, 0);

        if (r < 0 && errno == EINTR) {
            eintr++;
        } else if (r != T_CLONE_NEWUTS) {
            bad++;
        }
    }
    it.it_value.tv_usec = it.it_interval.tv_usec = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    printf("RESULT sigstress calls=%ld bad=%ld eintr=%ld signals=%s\n",
           iterations, bad, eintr, ticks > 0 ? "yes" : "no");
    return 0;
}
