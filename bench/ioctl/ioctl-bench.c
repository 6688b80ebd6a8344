/*
 * Per-call cost of a cheap ioctl, for comparing QEMU's passthrough
 * routes with the same call made by a native 32-bit process.
 *
 * usage: ioctl-bench KIND ITERATIONS
 *   KIND nstype: NS_GET_NSTYPE (_IO(0xb7, 3)) on /proc/self/ns/uts,
 *               unknown to QEMU, so it needs -ioctl-passthrough
 *   KIND fionread: FIONREAD on an empty pipe, which QEMU knows
 *               (its ioctl table and argument conversion)
 *
 * Prints "BENCH kind=... iterations=N ns_per_call=X" with the best of
 * five rounds.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define T_NS_GET_NSTYPE _IO(0xb7, 0x3)
#define ROUNDS 5

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    int fionread, fd, p[2], v;
    long n, i;
    double best = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: %s nstype|fionread ITERATIONS\n", argv[0]);
        return 2;
    }
    fionread = !strcmp(argv[1], "fionread");
    n = atol(argv[2]);
    if (fionread) {
        if (pipe(p) < 0) {
            return 2;
        }
        fd = p[0];
    } else {
        fd = open("/proc/self/ns/uts", O_RDONLY);
    }
    /* one checked call: the measured loop must not measure failures */
    if (fionread ? ioctl(fd, FIONREAD, &v) != 0
                 : ioctl(fd, T_NS_GET_NSTYPE, 0) != 0x04000000) {
        printf("BENCH kind=%s error errno=%d\n", argv[1], errno);
        return 1;
    }
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_ns(), t;

        if (fionread) {
            for (i = 0; i < n; i++) {
                ioctl(fd, FIONREAD, &v);
            }
        } else {
            for (i = 0; i < n; i++) {
                ioctl(fd, T_NS_GET_NSTYPE, 0);
            }
        }
        t = (now_ns() - t0) / n;
        if (r == 0 || t < best) {
            best = t;
        }
    }
    printf("BENCH kind=%s iterations=%ld ns_per_call=%.1f\n",
           argv[1], n, best);
    return 0;
}
