/*
 * Wake-up rate and latency of QEMU's EventNotifier, for whichever
 * implementation (eventfd, pipe, socketpair) the QEMU build it is compiled
 * against was configured with.  Built by bench/run.py's notifier section
 * with the compiler flags of that build's test-event-notifier and linked
 * with that test's objects but its main().
 *
 *   notifier-bench ROUNDS
 *
 * ping-pong: two threads hand a token back and forth through two
 *   notifiers, each waiting in poll() as an AioContext does; every hand-over
 *   is one wake-up.  Reports wake-ups per second and the mean one-way
 *   latency (set in one thread to test_and_clear done in the other).
 * set+clear: one thread sets and clears a notifier with nobody waiting,
 *   the cost of aio_notify() when the loop is busy.
 *
 * Prints one line:
 *   NOTIFIER kind=K wakeups_per_s=N latency_us=L set_clear_ns=C
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/event_notifier.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include <poll.h>

#if defined(CONFIG_EVENT_NOTIFIER_EVENTFD)
#define KIND "eventfd"
#elif defined(CONFIG_EVENT_NOTIFIER_SOCKETPAIR)
#define KIND "socketpair"
#elif defined(CONFIG_EVENT_NOTIFIER_PIPE)
#define KIND "pipe"
#else
#define KIND "unknown"
#endif

static EventNotifier ping, pong;
static long rounds;

static void wait_for(EventNotifier *e)
{
    struct pollfd pfd = { .fd = event_notifier_get_fd(e), .events = POLLIN };

    for (;;) {
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
            perror("notifier-bench: poll");
            exit(1);
        }
        if (event_notifier_test_and_clear(e)) {
            return;
        }
    }
}

static void *ponger(void *opaque)
{
    for (long i = 0; i < rounds; i++) {
        wait_for(&ping);
        event_notifier_set(&pong);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    QemuThread thread;
    EventNotifier solo;
    int64_t t0, t1, t2;
    long clears = 0;
    double seconds;

    rounds = argc == 2 ? atol(argv[1]) : 0;
    if (rounds <= 0) {
        fprintf(stderr, "usage: notifier-bench ROUNDS\n");
        return 2;
    }
    if (event_notifier_init(&ping, false) < 0 ||
        event_notifier_init(&pong, false) < 0 ||
        event_notifier_init(&solo, false) < 0) {
        perror("notifier-bench: event_notifier_init");
        return 1;
    }

    qemu_thread_create(&thread, "ponger", ponger, NULL, QEMU_THREAD_JOINABLE);
    t0 = get_clock();
    for (long i = 0; i < rounds; i++) {
        event_notifier_set(&ping);
        wait_for(&pong);
    }
    t1 = get_clock();
    qemu_thread_join(&thread);

    for (long i = 0; i < rounds; i++) {
        event_notifier_set(&solo);
        clears += event_notifier_test_and_clear(&solo);
    }
    t2 = get_clock();
    if (clears != rounds) {
        fprintf(stderr, "notifier-bench: %ld of %ld sets were seen\n",
                clears, rounds);
        return 1;
    }

    seconds = (t1 - t0) / 1e9;
    printf("NOTIFIER kind=%s wakeups_per_s=%.0f latency_us=%.2f "
           "set_clear_ns=%.0f\n", KIND, 2 * rounds / seconds,
           seconds * 1e6 / (2 * rounds), (double)(t2 - t1) / rounds);
    event_notifier_cleanup(&ping);
    event_notifier_cleanup(&pong);
    event_notifier_cleanup(&solo);
    return 0;
}
