/*
 * mremap-fail: an mremap(MREMAP_MAYMOVE) that fails must change nothing.
 *
 * The old range is one page read-write followed by one page read-only,
 * two mappings, so that Linux refuses to move it with EFAULT.  Checks that
 *   - mremap fails with EFAULT (the errno Linux gives);
 *   - the old mapping is still there with its contents (a SIGSEGV when
 *     reading it is caught and reported);
 *   - no address space is lost: the number of MiB that can be reserved
 *     with PROT_NONE mappings is the same before and after 8 such failed
 *     calls that each asked for 128 MiB (up to 64 MiB of difference is
 *     accepted, for the emulator's own allocations).
 * Prints RESULT lines and "RESULT mremap-fail PASS|FAIL" last; exits 0
 * only if all checks held.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CALLS 8
#define ASK_MIB 128
#define SLACK_MIB 64
#define MAX_CHUNKS 8192

static sigjmp_buf on_segv;
static void *chunks[MAX_CHUNKS];

static void segv_handler(int sig)
{
    siglongjmp(on_segv, 1);
}

/* MiB of address space that can be reserved now; all released again. */
static unsigned reservable_mib(void)
{
    unsigned n = 0, i;

    while (n < MAX_CHUNKS) {
        void *p = mmap(NULL, 1 << 20, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            break;
        }
        chunks[n++] = p;
    }
    for (i = 0; i < n; i++) {
        munmap(chunks[i], 1 << 20);
    }
    return n;
}

/* Two pages, two mappings: read-write, then read-only. */
static char *two_mappings(long page)
{
    char *a = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (a == MAP_FAILED) {
        perror("mremap-fail: mmap");
        return NULL;
    }
    strcpy(a, "still here");
    if (mprotect(a + page, page, PROT_READ) != 0) {
        perror("mremap-fail: mprotect");
        return NULL;
    }
    return a;
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    struct sigaction sa;
    volatile int kept = 0;
    unsigned before, after, i, wrong_errno = 0;
    char *a;
    void *r;
    int err, ok = 1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = segv_handler;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    a = two_mappings(page);
    if (!a) {
        return 2;
    }
    errno = 0;
    r = mremap(a, 2 * page, 16 * page, MREMAP_MAYMOVE);
    err = errno;
    if (sigsetjmp(on_segv, 1) == 0) {
        kept = strcmp((const char *)a, "still here") == 0 && a[page] == 0;
    }
    printf("RESULT mremap-fail efault ret=%s errno=%d (%s) data=%s\n",
           r == MAP_FAILED ? "MAP_FAILED" : "mapped", err,
           strerrorname_np(err) ?: "?", kept ? "kept" : "LOST");
    if (r != MAP_FAILED || err != EFAULT || !kept) {
        ok = 0;
    }
    if (r != MAP_FAILED) {
        munmap(r, 16 * page);
    } else {
        munmap(a, 2 * page);
    }

    before = reservable_mib();
    for (i = 0; i < CALLS; i++) {
        a = two_mappings(page);
        if (!a) {
            return 2;
        }
        r = mremap(a, 2 * page, (size_t)ASK_MIB << 20, MREMAP_MAYMOVE);
        if (r != MAP_FAILED || errno != EFAULT) {
            wrong_errno++;
        }
        munmap(r != MAP_FAILED ? r : a,
               r != MAP_FAILED ? (size_t)ASK_MIB << 20 : 2 * page);
    }
    after = reservable_mib();
    printf("RESULT mremap-fail address-space before=%uMiB after=%uMiB "
           "calls=%u not-efault=%u\n", before, after, CALLS, wrong_errno);
    if (wrong_errno || after + SLACK_MIB < before) {
        ok = 0;
    }

    printf("RESULT mremap-fail %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
