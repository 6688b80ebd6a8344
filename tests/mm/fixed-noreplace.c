/*
 * fixed-noreplace: MAP_FIXED_NOREPLACE at pages that /proc/self/maps
 * shows as free must succeed, and at pages it shows as used must fail
 * with EEXIST.
 *
 * Reads its own /proc/self/maps and picks free pages in every gap between
 * two mappings and below the lowest one (from vm.mmap_min_addr on): the
 * first and last page of each gap and one page every 16 MiB inside it.
 * The space above the highest mapping is left out, because how much of
 * it a 32-bit process may use depends on the kernel.  Named places get a
 * RESULT line each:
 *   low        the first free page at or above vm.mmap_min_addr
 *   below-exe  the free page right below the program's first mapping
 *   after-brk  the free page right after the heap (after sbrk)
 *   mid        the free page closest to 2 GiB
 *   below-top  the last free page below the highest mapping
 *   used       a page of this program's code (must fail with EEXIST)
 * Every page that is mapped is written and read back, then unmapped.
 * A free page may be taken between reading the maps and the call: under
 * a qemu-i386 that is a 32-bit program, QEMU's own heap shares the guest's
 * address space and grows while the guest runs.  So EEXIST counts as a
 * failure only if the maps, read again after it, still show the page
 * free; otherwise it is counted as "taken".
 * Prints "RESULT fixed-noreplace tried=N failed=M taken=K PASS|FAIL" last
 * and exits 0 only if every page behaved as the maps promised.
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

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define MAX_AREAS 4096
#define STEP (16ul << 20)
#define MAX_REPORTED 20
#define MID 0x80000000ul

struct area {
    unsigned long start, end;       /* [start, end) */
};

static struct area before[MAX_AREAS];
static struct area now[MAX_AREAS];
static unsigned long page;
static unsigned tried, failed, taken, reported;

static unsigned read_maps(struct area *a)
{
    char line[512];
    unsigned n = 0;
    FILE *f = fopen("/proc/self/maps", "r");

    if (!f) {
        perror("fixed-noreplace: /proc/self/maps");
        exit(2);
    }
    while (fgets(line, sizeof(line), f)) {
        unsigned long s, e;

        if (sscanf(line, "%lx-%lx", &s, &e) != 2 || n == MAX_AREAS) {
            fprintf(stderr, "fixed-noreplace: cannot parse maps: %s", line);
            exit(2);
        }
        a[n].start = s;
        a[n].end = e;
        n++;
    }
    fclose(f);
    return n;
}

static unsigned long dist(unsigned long x, unsigned long y)
{
    return x > y ? x - y : y - x;
}

/* Map one page at @addr with MAP_FIXED_NOREPLACE; 0 or the errno. */
static int try_page(unsigned long addr)
{
    volatile unsigned char *p;
    void *r = mmap((void *)addr, page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

    if (r == MAP_FAILED) {
        return errno;
    }
    if ((unsigned long)r != addr) {
        /* A kernel without MAP_FIXED_NOREPLACE treats it as a hint. */
        munmap(r, page);
        return -1;
    }
    p = r;
    p[0] = 0x5a;
    p[page - 1] = 0xa5;
    if (p[0] != 0x5a || p[page - 1] != 0xa5) {
        munmap(r, page);
        return -2;
    }
    munmap(r, page);
    return 0;
}

static const char *err_name(int e)
{
    if (e == -1) {
        return "WRONG-ADDRESS";
    }
    if (e == -2) {
        return "BAD-MEMORY";
    }
    return strerrorname_np(e) ?: "?";
}

/* Whether the maps, read now, show a mapping over the page at @addr. */
static int mapped_now(unsigned long addr)
{
    unsigned n = read_maps(now), i;

    for (i = 0; i < n; i++) {
        if (now[i].start <= addr && addr < now[i].end) {
            return 1;
        }
    }
    return 0;
}

/* A page shown as free: expect success.  Returns the errno. */
static int check_free(unsigned long addr, const char *what)
{
    int e = try_page(addr);

    tried++;
    if (e == EEXIST && mapped_now(addr)) {
        taken++;
        printf("TAKEN fixed-noreplace %s addr=%#lx: mapped since the maps "
               "were read\n", what ? what : "scan", addr);
    } else if (e != 0) {
        failed++;
        if (what || reported++ < MAX_REPORTED) {
            printf("BAD fixed-noreplace %s addr=%#lx errno=%d (%s)\n",
                   what ? what : "scan", addr, e, err_name(e));
        }
    }
    if (what) {
        printf("RESULT fixed-noreplace where=%s addr=%#lx %s\n", what, addr,
               e == 0 ? "ok" : err_name(e));
    }
    return e;
}

int main(void)
{
    uint64_t s;
    unsigned long min_addr, best_mid = 0, low = 0, below_top = 0;
    unsigned long exe_start, brk_end, code, c;
    unsigned n, i;
    int e, ok;

    setvbuf(stdout, NULL, _IOLBF, 0);
    page = sysconf(_SC_PAGESIZE);
    min_addr = (read_mmap_min_addr(65536) + page - 1) & -page;
    if (min_addr == 0) {
        min_addr = page;
    }
    /* Make the heap exist, so that it shows in the maps. */
    if (sbrk(page) == (void *)-1) {
        perror("fixed-noreplace: sbrk");
        return 2;
    }
    brk_end = ((unsigned long)sbrk(0) + page - 1) & -page;
    code = (unsigned long)&main & -page;

    n = read_maps(before);
    exe_start = before[0].start;

    for (i = 0; i < n; i++) {
        unsigned long gs = i ? before[i - 1].end : 0;
        unsigned long ge = before[i].start;

        if (gs < min_addr) {
            gs = min_addr;
        }
        if (gs >= ge) {
            continue;
        }
        if (!low) {
            low = gs;
        }
        below_top = ge - page;
        /* The page of this gap closest to 2 GiB. */
        c = MID < gs ? gs : MID > ge - page ? ge - page : MID;
        if (!best_mid || dist(c, MID) < dist(best_mid, MID)) {
            best_mid = c;
        }
        /* 64-bit arithmetic: the steps must not wrap around 4 GiB. */
        for (s = ((uint64_t)gs + STEP - 1) & -(uint64_t)STEP; s < ge;
             s += STEP) {
            if (s != gs) {
                check_free(s, NULL);
            }
        }
        check_free(gs, NULL);
        if (ge - page != gs) {
            check_free(ge - page, NULL);
        }
    }

    if (low) {
        check_free(low, "low");
    }
    if (exe_start - page >= min_addr) {
        unsigned long prev = 0;

        for (i = 0; i < n; i++) {
            if (before[i].end <= exe_start - page) {
                prev = before[i].end;
            }
        }
        if (prev <= exe_start - page) {
            check_free(exe_start - page, "below-exe");
        }
    }
    for (i = 0; i < n && before[i].start < brk_end; i++) {
        ;
    }
    if (i == n || before[i].start > brk_end) {
        check_free(brk_end, "after-brk");
    } else {
        printf("RESULT fixed-noreplace where=after-brk addr=%#lx skipped "
               "(not free)\n", brk_end);
    }
    if (best_mid) {
        check_free(best_mid, "mid");
    }
    if (below_top) {
        check_free(below_top, "below-top");
    }

    e = try_page(code);
    tried++;
    printf("RESULT fixed-noreplace where=used addr=%#lx %s\n", code,
           e == EEXIST ? "EEXIST" : err_name(e));
    if (e != EEXIST) {
        failed++;
    }

    ok = failed == 0;
    printf("RESULT fixed-noreplace tried=%u failed=%u taken=%u %s\n",
           tried, failed, taken, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
