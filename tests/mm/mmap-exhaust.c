/*
 * mmap-exhaust: fill the address space with PROT_NONE reservations.
 *
 * Reserves PROT_NONE | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
 * mappings without an address hint until mmap fails: first in chunks of
 * 64 MiB, then of 1 MiB, then of 64 KiB, so that the holes left by the
 * bigger chunks are used up too.  Checks that
 *   - mmap ends each round with ENOMEM (what Linux returns when no hole
 *     is large enough), not another errno and not a crash of the emulator;
 *   - every address it was given is page aligned, at or above
 *     vm.mmap_min_addr, does not wrap around the end of the address space
 *     and does not overlap any other mapping it was given;
 *   - every mapping is real: mprotect of its first and last page works.
 * With --mremap, each chunk is made by mapping one page and growing it
 * with mremap(MREMAP_MAYMOVE), so that the emulator has to find the room
 * for the move itself.
 * With --4k, the chunks are ordinary PROT_READ | PROT_WRITE anonymous
 * memory, a last round takes 4 KiB chunks so that no free page is left,
 * the mprotect check is left until the end, and then every other page
 * of the first chunk (8192 pages of 64 MiB) is made read-only, which
 * splits the emulator's records of the guest pages: an emulator that
 * shares the address space with the guest (qemu-i386 on a 32-bit host)
 * must still find memory for itself, down to the exit of the program.
 * Prints one "RESULT mmap-exhaust chunk=..." line per round and a closing
 * "RESULT mmap-exhaust mib=N errno=E ..." line with the total; exits 0 if
 * all checks held.  With an argument EXPECT_MIB, the total must also be
 * at least EXPECT_MIB.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "mm.h"

#define MAX_MAPS 200000

struct range {
    uintptr_t start;
    size_t len;
};

static struct range maps[MAX_MAPS];
static unsigned nmaps;
static int use_mremap;
static int use_4k;

/* One PROT_NONE chunk, by mmap or by mmap of a page + mremap. */
static void *reserve_chunk(size_t chunk, unsigned long page)
{
    void *p, *q;

    if (use_4k) {
        return mmap(NULL, chunk, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (!use_mremap) {
        return mmap(NULL, chunk, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    }
    p = mmap(NULL, page, PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED || chunk == page) {
        return p;
    }
    q = mremap(p, page, chunk, MREMAP_MAYMOVE);
    if (q == MAP_FAILED) {
        int e = errno;

        munmap(p, page);
        errno = e;
    }
    return q;
}

static int cmp_range(const void *a, const void *b)
{
    const struct range *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

/* Returns the number of bad addresses found in this round. */
static unsigned reserve_round(size_t chunk, unsigned long min_addr,
                              unsigned long page, int *err,
                              unsigned *count)
{
    unsigned bad = 0;

    *count = 0;
    for (;;) {
        void *p = reserve_chunk(chunk, page);
        uintptr_t a = (uintptr_t)p;

        if (p == MAP_FAILED) {
            *err = errno;
            return bad;
        }
        if (a % page != 0 || a < min_addr || a + (chunk - 1) < a) {
            printf("BAD mmap-exhaust chunk=%zu addr=%#lx: unaligned, "
                   "below mmap_min_addr or wrapping\n",
                   chunk, (unsigned long)a);
            bad++;
        } else if (use_4k) {
            /* mprotect is checked after exhaustion. */
        } else if (mprotect(p, page, PROT_READ) != 0 ||
                   mprotect((char *)p + chunk - page, page, PROT_READ)
                   != 0) {
            printf("BAD mmap-exhaust chunk=%zu addr=%#lx: mprotect: %s\n",
                   chunk, (unsigned long)a, strerror(errno));
            bad++;
        }
        if (nmaps == MAX_MAPS) {
            printf("BAD mmap-exhaust: more than %u mappings\n", MAX_MAPS);
            *err = 0;
            return bad + 1;
        }
        maps[nmaps].start = a;
        maps[nmaps].len = chunk;
        nmaps++;
        (*count)++;
    }
}

int main(int argc, char **argv)
{
    static const size_t chunks[] = { 64 << 20, 1 << 20, 64 << 10, 4 << 10 };
    unsigned nchunks = 3, protect_fail = 0;
    unsigned long min_addr = read_mmap_min_addr(4096);
    unsigned long page = sysconf(_SC_PAGESIZE);
    unsigned long expect_mib;
    unsigned long long total = 0, total64 = 0;
    unsigned bad = 0, overlaps = 0, i, count;
    int first_err = 0, err = 0, ok;

    for (; argc > 1 && strncmp(argv[1], "--", 2) == 0; argc--, argv++) {
        if (strcmp(argv[1], "--mremap") == 0) {
            use_mremap = 1;
        } else if (strcmp(argv[1], "--4k") == 0) {
            use_4k = 1;
            nchunks = 4;
        } else {
            fprintf(stderr, "mmap-exhaust: unknown option %s\n", argv[1]);
            return 2;
        }
    }
    expect_mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (i = 0; i < nchunks; i++) {
        bad += reserve_round(chunks[i], min_addr, page, &err, &count);
        total += (unsigned long long)count * chunks[i];
        printf("RESULT mmap-exhaust%s chunk=%zuKiB count=%u errno=%d (%s)\n",
               use_mremap ? " mremap" : "", chunks[i] >> 10, count, err,
               strerrorname_np(err) ?: "?");
        if (i == 0) {
            first_err = err;
            total64 = total;
        }
        if (err != ENOMEM) {
            break;
        }
    }

    if (use_4k) {
        /* After exhaustion: split the first chunk into single pages. */
        size_t off, n = 0;

        for (off = 0; nmaps && off < maps[0].len; off += 2 * page, n++) {
            if (mprotect((char *)maps[0].start + off, page, PROT_READ)) {
                protect_fail++;
            }
        }
        printf("RESULT mmap-exhaust after: mprotect of %zu pages, "
               "%u failed\n", n, protect_fail);
    }

    qsort(maps, nmaps, sizeof(maps[0]), cmp_range);
    for (i = 1; i < nmaps; i++) {
        if (maps[i - 1].start + maps[i - 1].len > maps[i].start) {
            printf("BAD mmap-exhaust: %#lx+%#zx overlaps %#lx+%#zx\n",
                   (unsigned long)maps[i - 1].start, maps[i - 1].len,
                   (unsigned long)maps[i].start, maps[i].len);
            overlaps++;
        }
    }

    ok = first_err == ENOMEM && err == ENOMEM && !bad && !overlaps &&
         !protect_fail &&
         total >> 20 >= expect_mib;
    printf("RESULT mmap-exhaust mib=%llu mib64=%llu errno=%d (%s) "
           "bad=%u overlaps=%u min_addr=%#lx %s\n",
           total >> 20, total64 >> 20,
           first_err, strerrorname_np(first_err) ?: "?", bad, overlaps,
           min_addr, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
