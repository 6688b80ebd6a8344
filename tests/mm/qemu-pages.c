/*
 * qemu-pages: munmap, mprotect, MAP_FIXED and mremap on memory that is
 * not the program's own.
 *
 * Under qemu-i386 built for a 32-bit host, the guest shares the 4 GiB
 * with QEMU, and /proc/self/maps lists QEMU's own memory as anonymous
 * "---p" ranges.  For every such range at startup, mprotect(PROT_NONE)
 * of its first page tells the program's own PROT_NONE pages (the stack
 * guard: 0) from memory that is not the program's (ENOMEM, as for
 * unmapped memory).  On the latter ("foreign") ranges it checks that
 *   - mprotect fails with ENOMEM, MAP_FIXED with ENOMEM, mremap of them
 *     with EFAULT and mremap(MREMAP_FIXED) onto them with ENOMEM;
 *   - MAP_FIXED over an own page and the foreign page fails with ENOMEM
 *     and leaves the own page as it was;
 *   - munmap of the whole range returns 0, as for unmapped memory, and
 *     changes nothing;
 * and that the program survives all of it.  On a free page it checks the
 * errnos that Linux gives (the same natively and under any emulator):
 * munmap 0, mprotect ENOMEM, mprotect over an own page and a free one
 * ENOMEM, mremap EFAULT, MAP_FIXED succeeds.
 * Prints "CHECK ..." lines, "RESULT qemu-pages foreign=N checks=C
 * failed=F PASS|FAIL" and exits 0 if all checks held.  With the argument
 * --expect-foreign, it also fails if there is no foreign range.  With
 * --reserved-va, for QEMU with a reserved guest address space, where
 * unmapped guest pages are PROT_NONE host memory that mprotect and mremap
 * accept, those differences on the free page are printed as "KNOWN" and
 * not counted as failures.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define MAX_RANGES 256

struct range {
    unsigned long start, end;
    int anon_none;      /* "---p", no inode, no path */
};

static struct range ranges[MAX_RANGES];
static unsigned nranges, checks, failed, known;
static unsigned long page;
static int reserved_va;

static void check(const char *what, unsigned long addr, int got, int want)
{
    checks++;
    if (got != want) {
        failed++;
    }
    printf("CHECK %s %#lx: %s (%d), want %s (%d) %s\n", what, addr,
           strerrorname_np(got) ?: "0", got, strerrorname_np(want) ?: "0",
           want, got == want ? "ok" : "BAD");
}

/* A check on the free page that QEMU with reserved_va does not meet. */
static void check_free(const char *what, unsigned long addr, int got,
                       int want)
{
    if (reserved_va && got != want) {
        known++;
        printf("KNOWN %s %#lx: %d, natively %d (reserved_va)\n", what, addr,
               got, want);
        return;
    }
    check(what, addr, got, want);
}

static int err_of(int r)
{
    return r == 0 ? 0 : errno;
}

static int err_of_ptr(void *p, void *want)
{
    if (p == MAP_FAILED) {
        return errno;
    }
    return p == want ? 0 : -1;
}

static void read_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512], perms[8], path[256];
    unsigned long inode;

    while (f && nranges < MAX_RANGES && fgets(line, sizeof(line), f)) {
        struct range *r = &ranges[nranges];

        path[0] = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %255s", &r->start,
                   &r->end, perms, &inode, path) < 4) {
            continue;
        }
        r->anon_none = !strcmp(perms, "---p") && !inode && !path[0];
        nranges++;
    }
    if (f) {
        fclose(f);
    }
}

/* Map one own page at @a, only if it is free; return whether it worked. */
static int own_page(unsigned long a, int fill)
{
    void *p = mmap((void *)a, page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

    if (p == MAP_FAILED) {
        return 0;
    }
    if (p != (void *)a) {
        munmap(p, page);
        return 0;
    }
    memset(p, fill, page);
    return 1;
}

static void test_foreign(const struct range *r)
{
    unsigned long a = r->start, len = r->end - r->start, below = a - page;
    unsigned char *own;
    void *p;

    check("foreign mprotect", a, err_of(mprotect((void *)a, page,
                                                 PROT_READ)), ENOMEM);
    p = mmap((void *)a, page, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    check("foreign MAP_FIXED", a, err_of_ptr(p, (void *)a), ENOMEM);
    p = mremap((void *)a, page, 2 * page, MREMAP_MAYMOVE);
    check("foreign mremap from", a, err_of_ptr(p, NULL), EFAULT);

    own = mmap(NULL, page, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (own != MAP_FAILED) {
        own[0] = 0x77;
        p = mremap(own, page, page, MREMAP_MAYMOVE | MREMAP_FIXED,
                   (void *)a);
        check("foreign mremap to", a, err_of_ptr(p, (void *)a), ENOMEM);
        check("foreign mremap to keeps the page", a, own[0] == 0x77 ? 0 : -1,
              0);
        munmap(own, page);
    }

    /* An own page just below the foreign range, if that page is free. */
    if (a > page && own_page(below, 0x5a)) {
        p = mmap((void *)below, 2 * page, PROT_READ,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        check("own+foreign MAP_FIXED", below, err_of_ptr(p, (void *)below),
              ENOMEM);
        check("own+foreign MAP_FIXED keeps the page", below,
              *(unsigned char *)below == 0x5a ? 0 : -1, 0);
        check("own+foreign munmap", below,
              err_of(munmap((void *)below, 2 * page)), 0);
        check("own+foreign munmap unmapped own", below,
              err_of(mprotect((void *)below, page, PROT_READ)), ENOMEM);
    }

    check("foreign munmap all", a, err_of(munmap((void *)a, len)), 0);
    check("foreign mprotect after munmap", a,
          err_of(mprotect((void *)a, page, PROT_READ)), ENOMEM);
}

/* The first page of a gap of at least 3 pages, checked to be free. */
static unsigned long free_page(void)
{
    unsigned i;

    for (i = 0; i + 1 < nranges; i++) {
        unsigned long a = ranges[i].end;

        if (ranges[i + 1].start - a >= 3 * page && own_page(a, 0)) {
            munmap((void *)a, page);
            return a;
        }
    }
    return 0;
}

static void test_free(unsigned long a)
{
    void *p;

    check("free munmap", a, err_of(munmap((void *)a, page)), 0);
    check_free("free mprotect", a,
               err_of(mprotect((void *)a, page, PROT_READ)), ENOMEM);
    p = mremap((void *)a, page, 2 * page, MREMAP_MAYMOVE);
    check_free("free mremap from", a, err_of_ptr(p, NULL), EFAULT);
    if (p != MAP_FAILED) {
        munmap(p, 2 * page);
    }
    if (own_page(a, 1)) {
        check_free("own+free mprotect", a,
                   err_of(mprotect((void *)a, 2 * page, PROT_READ)), ENOMEM);
        check("own+free munmap", a, err_of(munmap((void *)a, 2 * page)), 0);
        check_free("own+free munmap unmapped own", a,
                   err_of(mprotect((void *)a, page, PROT_READ)), ENOMEM);
    }
    p = mmap((void *)a, page, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    check("free MAP_FIXED", a, err_of_ptr(p, (void *)a), 0);
    if (p == (void *)a) {
        memset(p, 2, page);
        check("free MAP_FIXED munmap", a, err_of(munmap(p, page)), 0);
    }
}

int main(int argc, char **argv)
{
    int expect_foreign = argc > 1 && !strcmp(argv[1], "--expect-foreign");
    unsigned i, foreign = 0;

    reserved_va = argc > 1 && !strcmp(argv[1], "--reserved-va");
    unsigned long a;
    char *s;
    int ok;

    setvbuf(stdout, NULL, _IOLBF, 0);
    page = sysconf(_SC_PAGESIZE);
    read_maps();

    for (i = 0; i < nranges; i++) {
        int e;

        if (!ranges[i].anon_none) {
            continue;
        }
        /* PROT_NONE again: no change for own pages, ENOMEM if foreign. */
        e = err_of(mprotect((void *)ranges[i].start, page, PROT_NONE));
        printf("RANGE %#lx-%#lx: mprotect %s, %s\n", ranges[i].start,
               ranges[i].end, strerrorname_np(e) ?: "0",
               e == ENOMEM ? "foreign" : e == 0 ? "own" : "?");
        if (e == ENOMEM) {
            foreign++;
            test_foreign(&ranges[i]);
        } else if (e != 0) {
            check("mprotect ---p", ranges[i].start, e, 0);
        }
    }

    a = free_page();
    if (a) {
        test_free(a);
    } else {
        check("find a free page", 0, -1, 0);
    }

    s = strdup("malloc still works");
    if (expect_foreign && !foreign) {
        check("found a foreign range", 0, -1, 0);
    }
    ok = !failed && s;
    printf("RESULT qemu-pages foreign=%u checks=%u failed=%u known=%u %s\n",
           foreign, checks, failed, known, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
