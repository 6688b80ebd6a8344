/*
 * page-granular: what a guest with 4 KiB pages sees of mprotect, munmap,
 * file mappings, MAP_FIXED_NOREPLACE, madvise and brk one 4 KiB page at
 * a time.
 *
 * On a Loongson host with 16 KiB pages, qemu-i386 emulates 4 KiB guest
 * pages inside 16 KiB host pages and cannot always give each 4 KiB page
 * its own protection, its own file offset or its own end of file.  This
 * program does not judge: it runs every case, prints what happened, and
 * the caller (tests/mm/run.sh) compares the lines with those of a native
 * ia32 run.  Every case runs in a forked child, all but mmap-hint-4k in
 * a fresh 64 KiB anonymous region aligned to 16 KiB ("arena"), with the
 * pages it works on placed so that neighbouring 4 KiB pages share one
 * 16 KiB page: page Pn is arena + n * 4 KiB, P0..P3 are the first
 * 16 KiB.  The guest page is 4096 bytes by definition (i386); sysconf is
 * not asked.
 *
 * Output, one line per case, in a fixed order:
 *   PAGE <case> <outcome>
 * outcome is
 *   ok            every step did what the case expects, no signal
 *   SIGSEGV       the case's last, checked access raised SIGSEGV
 *   SIGBUS        the same with SIGBUS
 *   errno=<NAME>  the case's system call failed with that errno
 *   wrong:<what>  anything else: data mismatch, a signal at an earlier
 *                 step or at another address than the one accessed
 *                 (wrong:SIGSEGV-at-<step>, wrong:SIGSEGV-addr-<where>),
 *                 the child killed by another signal (wrong:killed-...)
 * preceded by "PAGESIZE <AT_PAGESZ>" and some "INFO ..." lines, which
 * are informational, and followed by "RESULT page-granular cases=N".
 * Exits 0 when every case ran, whatever the outcomes.
 *
 * Cases, natively on Linux (ia32 or x86_64 running ia32):
 *   mprotect-ro-write      P1 read-only among RW P0..P3; P0, P2, P3
 *                          writable; writing P1: SIGSEGV
 *   mprotect-none-read     P2 PROT_NONE; P1, P3 usable; reading P2: SIGSEGV
 *   munmap-read            munmap P1; P0, P2 keep their data; reading P1:
 *                          SIGSEGV
 *   eof-tail-zero          a 4196-byte file mapped (3 pages) at P0; the
 *                          data, then zeros up to 8191: ok
 *   eof-next-page          the same; reading offset 8192 (P2): SIGBUS
 *   eof-next-page-shifted  the same mapped at P1 (file offset 0 at 4 KiB
 *                          into a 16 KiB page); reading P3: SIGBUS
 *   file-offset-4k         file pages 1, 3, 5 each mapped alone where the
 *                          kernel likes; the right data: ok
 *   file-offset-4k-fixed   the same with MAP_FIXED at P1, P2, P3, next to
 *                          anonymous P0: ok
 *   file-next-to-anon      anonymous P1, P2, P3; file page 1 MAP_FIXED on
 *                          P2; P1, P3 keep their data and stay writable:
 *                          ok
 *   file-segments-4k       an ELF loader's two segments: file page 0 R+X
 *                          at P0 (called: its first byte is "ret"), file
 *                          page 1 private R+W at P1 in a PROT_NONE
 *                          reservation; P1 written, the file unchanged;
 *                          writing P0: SIGSEGV
 *   fixed-noreplace-free   MAP_FIXED_NOREPLACE at the unmapped P2 between
 *                          RW pages: exactly P2: ok
 *   fixed-noreplace-busy   MAP_FIXED_NOREPLACE at the used P1: errno=EEXIST
 *                          and P1 unchanged
 *   brk-4k-grow            sbrk(4096) 8 times from a 16 KiB boundary, each
 *                          new page written: ok
 *   brk-4k-shrink          then sbrk(-4096); reading the released page:
 *                          SIGSEGV
 *   mmap-hint-4k           two mmap(NULL, 4096): both 4 KiB aligned: ok
 *                          (INFO mmap-hint-distance: their distance)
 *   mprotect-rw-after-ro   P1 read-only, then read-write again; writing
 *                          it: ok
 *   madvise-dontneed-4k    MADV_DONTNEED on P1 (a GC giving memory back):
 *                          P1 reads zero, P0 and P2 keep their data: ok
 *   gc-fault-unprotect     a GC write barrier: P1, P2 read-only; the
 *                          handler makes the faulting 4 KiB page writable
 *                          and returns; P1 faults once, P0 and P3 never,
 *                          P2 once when written later: ok
 *   jit-wx-toggle          a JIT flipping P1 between RW and R+X while P0,
 *                          P2 are written as data; the code run returns
 *                          what was last written: ok
 *   jit-rwx-rewrite        code in an RWX P1 rewritten in place and run
 *                          again: ok
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PG 4096u                    /* the i386 guest page */
#define HOST_PG (16u * 1024)        /* the Loongson host page */
#define ARENA (64u * 1024)
#define FILE_PAGES 16
#define EOF_SIZE (PG + 100)
#define BRK_PAGES 8
#define CASE_SECONDS 10

static char *arena;                 /* this child's 64 KiB region */
static int out_fd = -1;             /* the child's end of the pipe */
static int pat_fd = -1;             /* FILE_PAGES pages of pat() */
static int eof_fd = -1;             /* EOF_SIZE bytes of eof_byte() */

/* The step running now, for the fault handler; NULL: the checked one. */
static const char *volatile step;
static volatile uintptr_t want_addr;

/* gc-fault-unprotect: faults in [gc_lo, gc_hi) unprotect and return. */
static volatile uintptr_t gc_lo, gc_hi;
static volatile int gc_faults;

#define P(n) (arena + (n) * PG)

/* Word @i of file page @k: the first byte of every word is 0xc3 (ret). */
static uint32_t pat(unsigned k, unsigned i)
{
    return (uint32_t)i << 16 | k << 8 | 0xc3;
}

/* Byte @i of the short file: never 0, so zero fill is told from data. */
static unsigned char eof_byte(unsigned i)
{
    return i % 251 + 1;
}

/* ---- the child's side: reporting ---- */

static size_t cat(char *buf, size_t n, size_t size, const char *s)
{
    while (*s && n + 1 < size) {
        buf[n++] = *s++;
    }
    buf[n] = 0;
    return n;
}

static size_t cat_hex(char *buf, size_t n, size_t size, uintptr_t v)
{
    char tmp[2 + 2 * sizeof(v) + 1];
    int i = sizeof(tmp) - 1;

    tmp[i] = 0;
    do {
        tmp[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    return cat(buf, n, size, tmp + i);
}

static void put(const char *s)
{
    size_t len = strlen(s);

    while (len) {
        ssize_t r = write(out_fd, s, len);

        if (r <= 0) {
            return;
        }
        s += r;
        len -= r;
    }
}

/* Send "INFO ..." to the parent; the case goes on. */
static void info(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    int n;

    n = snprintf(buf, sizeof(buf), "INFO ");
    va_start(ap, fmt);
    vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
    va_end(ap);
    strcat(buf, "\n");
    put(buf);
}

/* Send the outcome of the case and end the child. */
static void __attribute__((noreturn, format(printf, 1, 2)))
outcome(const char *fmt, ...)
{
    char buf[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    va_end(ap);
    strcat(buf, "\n");
    put(buf);
    _exit(0);
}

static const char *errname(int e)
{
    static char num[16];
    const char *s = strerrorname_np(e);

    if (s) {
        return s;
    }
    snprintf(num, sizeof(num), "%d", e);
    return num;
}

/* The case's own system call failed: that is its outcome. */
static void __attribute__((noreturn)) outcome_errno(void)
{
    outcome("errno=%s", errname(errno));
}

/* A system call that only prepares the case failed. */
static void __attribute__((noreturn)) setup_failed(const char *what)
{
    outcome("wrong:setup-%s-%s", what, errname(errno));
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    uintptr_t addr = (uintptr_t)si->si_addr;
    const char *name = sig == SIGBUS ? "SIGBUS" : "SIGSEGV";
    const char *s = step;
    char buf[160];
    size_t n = 0;

    (void)uc;
    if (sig == SIGSEGV && addr >= gc_lo && addr < gc_hi) {
        /* The write barrier: unprotect the 4 KiB page and retry. */
        if (++gc_faults <= 16 &&
            mprotect((void *)(addr & -(uintptr_t)PG), PG,
                     PROT_READ | PROT_WRITE) == 0) {
            return;
        }
        n = cat(buf, n, sizeof(buf), "wrong:gc-handler-failed");
    } else if (s) {
        n = cat(buf, n, sizeof(buf), "wrong:");
        n = cat(buf, n, sizeof(buf), name);
        n = cat(buf, n, sizeof(buf), "-at-");
        n = cat(buf, n, sizeof(buf), s);
    } else if (addr != want_addr) {
        n = cat(buf, n, sizeof(buf), "wrong:");
        n = cat(buf, n, sizeof(buf), name);
        n = cat(buf, n, sizeof(buf), "-addr-");
        if (arena && addr >= (uintptr_t)arena &&
            addr < (uintptr_t)arena + ARENA) {
            n = cat(buf, n, sizeof(buf), "arena+");
            n = cat_hex(buf, n, sizeof(buf), addr - (uintptr_t)arena);
        } else {
            n = cat_hex(buf, n, sizeof(buf), addr);
        }
    } else {
        n = cat(buf, n, sizeof(buf), name);
    }
    n = cat(buf, n, sizeof(buf), "\n");
    put(buf);
    _exit(0);
}

/* ---- the child's side: memory access, each a named step ---- */

static void wr(const char *s, char *p, char v)
{
    step = s;
    *(volatile char *)p = v;
}

static char rd(const char *s, const char *p)
{
    step = s;
    return *(volatile const char *)p;
}

/* The checked access: a signal here is the case's outcome. */
static void final_write(char *p, char v)
{
    want_addr = (uintptr_t)p;
    step = NULL;
    *(volatile char *)p = v;
    step = "after-final";
}

static char final_read(const char *p)
{
    char v;

    want_addr = (uintptr_t)p;
    step = NULL;
    v = *(volatile const char *)p;
    step = "after-final";
    return v;
}

/* Fill @len bytes at @p with @v. */
static void fill(const char *s, char *p, size_t len, char v)
{
    step = s;
    memset(p, v, len);
}

/* Offset of the first byte of [p, p + len) other than @v, or -1. */
static long differs(const char *s, const char *p, size_t len, char v)
{
    size_t i;

    step = s;
    for (i = 0; i < len; i++) {
        if (((volatile const char *)p)[i] != v) {
            return i;
        }
    }
    return -1;
}

/* Index of the first word of the page at @p other than file page @k. */
static long differs_pat(const char *s, const void *p, unsigned k)
{
    const volatile uint32_t *w = p;
    unsigned i;

    step = s;
    for (i = 0; i < PG / 4; i++) {
        if (w[i] != pat(k, i)) {
            return i;
        }
    }
    return -1;
}

/* Run "mov $imm, %eax; ret" at @p. */
static uint32_t call_code(const char *s, char *p)
{
    step = s;
    return ((uint32_t (*)(void))(uintptr_t)p)();
}

static void write_code(const char *s, char *p, uint32_t imm)
{
    step = s;
    p[0] = (char)0xb8;                  /* mov $imm32, %eax */
    memcpy(p + 1, &imm, 4);
    p[5] = (char)0xc3;                  /* ret */
}

/* ---- the cases ---- */

static void case_mprotect_ro_write(void)
{
    long d;

    fill("fill", P(0), 4 * PG, 0x11);
    if (mprotect(P(1), PG, PROT_READ)) {
        outcome_errno();
    }
    wr("write-p0", P(0), 1);
    wr("write-p2", P(2), 1);
    wr("write-p3", P(3) + PG - 1, 1);
    d = differs("read-p1", P(1), PG, 0x11);
    if (d >= 0) {
        outcome("wrong:p1-data-at-%ld", d);
    }
    final_write(P(1) + 100, 2);
    outcome("ok");
}

static void case_mprotect_none_read(void)
{
    fill("fill", P(0), 4 * PG, 0x22);
    if (mprotect(P(2), PG, PROT_NONE)) {
        outcome_errno();
    }
    wr("write-p1", P(1) + PG - 1, 1);
    wr("write-p3", P(3), 1);
    if (rd("read-p1", P(1)) != 0x22 || rd("read-p3", P(3) + 1) != 0x22) {
        outcome("wrong:neighbour-data");
    }
    final_read(P(2) + 8);
    outcome("ok");
}

static void case_munmap_read(void)
{
    long d;

    fill("fill", P(0), 4 * PG, 0x33);
    if (munmap(P(1), PG)) {
        outcome_errno();
    }
    d = differs("read-p0", P(0), PG, 0x33);
    if (d >= 0) {
        outcome("wrong:p0-data-at-%ld", d);
    }
    d = differs("read-p2", P(2), PG, 0x33);
    if (d >= 0) {
        outcome("wrong:p2-data-at-%ld", d);
    }
    wr("write-p2", P(2), 1);
    final_read(P(1) + 16);
    outcome("ok");
}

/* Map the short file, 3 pages, at @p; check data and zero tail. */
static void map_eof_file(char *p)
{
    unsigned i;

    if (mmap(p, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, eof_fd, 0) !=
        p) {
        outcome_errno();
    }
    step = "read-data";
    for (i = 0; i < EOF_SIZE; i++) {
        if ((unsigned char)p[i] != eof_byte(i)) {
            outcome("wrong:data-at-%u", i);
        }
    }
    step = "read-tail";
    for (; i < 2 * PG; i++) {
        if (p[i]) {
            outcome("wrong:nonzero-at-%u", i);
        }
    }
}

static void case_eof_tail_zero(void)
{
    map_eof_file(P(0));
    outcome("ok");
}

static void case_eof_next_page(void)
{
    map_eof_file(P(0));
    final_read(P(0) + 2 * PG);
    outcome("ok");
}

static void case_eof_next_page_shifted(void)
{
    fill("fill-p0", P(0), PG, 0x44);
    map_eof_file(P(1));
    wr("write-p0", P(0), 1);
    final_read(P(1) + 2 * PG + 4);
    outcome("ok");
}

static void case_file_offset_4k(void)
{
    static const unsigned ks[] = { 1, 3, 5 };
    unsigned j;

    for (j = 0; j < 3; j++) {
        char *p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, pat_fd, ks[j] * PG);
        long d;

        if (p == MAP_FAILED) {
            outcome_errno();
        }
        if ((uintptr_t)p % PG) {
            outcome("wrong:unaligned-page%u", ks[j]);
        }
        d = differs_pat("read", p, ks[j]);
        if (d >= 0) {
            outcome("wrong:page%u-word%ld", ks[j], d);
        }
        munmap(p, PG);
    }
    outcome("ok");
}

static void case_file_offset_4k_fixed(void)
{
    static const unsigned ks[] = { 1, 3, 5 };
    unsigned j;
    long d;

    fill("fill-p0", P(0), PG, 0x55);
    for (j = 0; j < 3; j++) {
        if (mmap(P(1 + j), PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, pat_fd,
                 ks[j] * PG) != P(1 + j)) {
            outcome_errno();
        }
    }
    for (j = 0; j < 3; j++) {
        d = differs_pat("read", P(1 + j), ks[j]);
        if (d >= 0) {
            outcome("wrong:p%u-page%u-word%ld", 1 + j, ks[j], d);
        }
    }
    d = differs("read-p0", P(0), PG, 0x55);
    if (d >= 0) {
        outcome("wrong:p0-data-at-%ld", d);
    }
    wr("write-p0", P(0) + PG - 1, 1);
    outcome("ok");
}

static void case_file_next_to_anon(void)
{
    long d;

    fill("fill", P(0), PG, 'Z');
    fill("fill-a", P(1), PG, 'A');
    fill("fill-b", P(2), PG, 'B');
    fill("fill-c", P(3), PG, 'C');
    if (mmap(P(2), PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, pat_fd, PG) !=
        P(2)) {
        outcome_errno();
    }
    d = differs("read-a", P(1), PG, 'A');
    if (d >= 0) {
        outcome("wrong:a-data-at-%ld", d);
    }
    d = differs("read-c", P(3), PG, 'C');
    if (d >= 0) {
        outcome("wrong:c-data-at-%ld", d);
    }
    d = differs_pat("read-b", P(2), 1);
    if (d >= 0) {
        outcome("wrong:b-word%ld", d);
    }
    fill("write-a", P(1), PG, 'a');
    fill("write-c", P(3), PG, 'c');
    if (differs("reread-a", P(1), PG, 'a') >= 0 ||
        differs("reread-c", P(3), PG, 'c') >= 0) {
        outcome("wrong:a-or-c-lost-write");
    }
    d = differs_pat("reread-b", P(2), 1);
    if (d >= 0) {
        outcome("wrong:b-changed-word%ld", d);
    }
    outcome("ok");
}

static void case_file_segments_4k(void)
{
    uint32_t w;
    long d;

    /* The reservation, as an ELF loader makes it. */
    if (mmap(arena, 4 * PG, PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != arena) {
        setup_failed("reserve");
    }
    if (mmap(P(0), PG, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED,
             pat_fd, 0) != P(0) ||
        mmap(P(1), PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
             pat_fd, PG) != P(1)) {
        outcome_errno();
    }
    d = differs_pat("read-p0", P(0), 0);
    if (d >= 0) {
        outcome("wrong:p0-word%ld", d);
    }
    d = differs_pat("read-p1", P(1), 1);
    if (d >= 0) {
        outcome("wrong:p1-word%ld", d);
    }
    call_code("exec-p0", P(0));
    fill("write-p1", P(1) + 64, 64, 0x66);
    if (differs("reread-p1", P(1) + 64, 64, 0x66) >= 0) {
        outcome("wrong:p1-lost-write");
    }
    d = differs_pat("reread-p0", P(0), 0);
    if (d >= 0) {
        outcome("wrong:p0-changed-word%ld", d);
    }
    step = "pread";
    if (pread(pat_fd, &w, 4, PG + 64) != 4 || w != pat(1, 16)) {
        outcome("wrong:file-changed");
    }
    final_write(P(0) + 32, 0);
    outcome("ok");
}

static void case_fixed_noreplace_free(void)
{
    char *p;

    fill("fill", P(0), 4 * PG, 0x77);
    if (munmap(P(2), PG)) {
        setup_failed("munmap");
    }
    p = mmap(P(2), PG, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED) {
        outcome_errno();
    }
    if (p != P(2)) {
        outcome("wrong:other-address");
    }
    if (differs("read-p2", P(2), PG, 0) >= 0) {
        outcome("wrong:p2-not-zero");
    }
    fill("write-p2", P(2), PG, 0x78);
    if (differs("read-p1", P(1), PG, 0x77) >= 0 ||
        differs("read-p3", P(3), PG, 0x77) >= 0) {
        outcome("wrong:neighbour-data");
    }
    outcome("ok");
}

static void case_fixed_noreplace_busy(void)
{
    char *p;
    int e;

    fill("fill", P(0), 4 * PG, 0x79);
    p = mmap(P(1), PG, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    e = errno;
    if (differs("read", P(0), 4 * PG, 0x79) >= 0) {
        outcome("wrong:clobbered");
    }
    if (p == P(1)) {
        outcome("wrong:replaced");
    }
    if (p != MAP_FAILED) {
        outcome("wrong:other-address");
    }
    errno = e;
    outcome_errno();
}

/* Align the break to 16 KiB, then grow it by BRK_PAGES single pages. */
static char *brk_grow(void)
{
    char *base = sbrk(0), *p;
    unsigned i;

    if (base == (void *)-1) {
        outcome_errno();
    }
    if (sbrk(-(uintptr_t)base & (HOST_PG - 1)) == (void *)-1) {
        outcome_errno();
    }
    base = sbrk(0);
    for (i = 0; i < BRK_PAGES; i++) {
        p = sbrk(PG);
        if (p == (void *)-1) {
            outcome_errno();
        }
        if (p != base + i * PG) {
            outcome("wrong:sbrk-returned-%+ld", (long)(p - base));
        }
        wr("write-new", p, (char)(i + 1));
        wr("write-new-end", p + PG - 1, (char)(i + 1));
    }
    for (i = 0; i < BRK_PAGES; i++) {
        if (rd("reread", base + i * PG) != (char)(i + 1)) {
            outcome("wrong:page%u-lost", i);
        }
    }
    return base;
}

static void case_brk_4k_grow(void)
{
    brk_grow();
    outcome("ok");
}

static void case_brk_4k_shrink(void)
{
    char *base = brk_grow();

    if (sbrk(-(intptr_t)PG) == (void *)-1) {
        outcome_errno();
    }
    if (rd("read-kept", base + (BRK_PAGES - 1) * PG - 1) != BRK_PAGES - 1) {
        outcome("wrong:kept-page-lost");
    }
    final_read(base + (BRK_PAGES - 1) * PG);
    outcome("ok");
}

static void case_mmap_hint_4k(void)
{
    char *a, *b;

    a = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    b = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    if (a == MAP_FAILED || b == MAP_FAILED) {
        outcome_errno();
    }
    info("mmap-hint-distance %lu",
         (unsigned long)(a > b ? a - b : b - a));
    wr("write-a", a, 1);
    wr("write-b", b + PG - 1, 1);
    if ((uintptr_t)a % PG || (uintptr_t)b % PG) {
        outcome("wrong:unaligned");
    }
    if (a == b) {
        outcome("wrong:same-address");
    }
    outcome("ok");
}

static void case_mprotect_rw_after_ro(void)
{
    fill("fill", P(0), 4 * PG, 0x12);
    if (mprotect(P(1), PG, PROT_READ)) {
        outcome_errno();
    }
    if (rd("read-p1", P(1)) != 0x12) {
        outcome("wrong:p1-data");
    }
    if (mprotect(P(1), PG, PROT_READ | PROT_WRITE)) {
        outcome_errno();
    }
    wr("write-p0", P(0), 1);
    wr("write-p2", P(2), 1);
    final_write(P(1) + 200, 0x13);
    if (rd("reread-p1", P(1) + 200) != 0x13) {
        outcome("wrong:p1-lost-write");
    }
    outcome("ok");
}

static void case_madvise_dontneed_4k(void)
{
    long d;

    fill("fill", P(0), 4 * PG, 0x14);
    if (madvise(P(1), PG, MADV_DONTNEED)) {
        outcome_errno();
    }
    d = differs("read-p1", P(1), PG, 0);
    if (d >= 0) {
        outcome("wrong:p1-not-zero-at-%ld", d);
    }
    if (differs("read-p0", P(0), PG, 0x14) >= 0) {
        outcome("wrong:p0-lost");
    }
    if (differs("read-p2", P(2), 2 * PG, 0x14) >= 0) {
        outcome("wrong:p2-lost");
    }
    outcome("ok");
}

static void case_gc_fault_unprotect(void)
{
    int f1, f2;

    fill("fill", P(0), 4 * PG, 0x15);
    if (mprotect(P(1), 2 * PG, PROT_READ)) {
        outcome_errno();
    }
    gc_lo = (uintptr_t)P(1);
    gc_hi = (uintptr_t)P(3);
    wr("write-p1", P(1) + 8, 1);
    wr("write-p1-again", P(1) + PG - 1, 1);
    wr("write-p0", P(0), 1);
    wr("write-p3", P(3), 1);
    f1 = gc_faults;
    wr("write-p2", P(2) + 4, 1);
    wr("write-p2-again", P(2) + 5, 1);
    f2 = gc_faults - f1;
    gc_lo = gc_hi = 0;
    if (f1 != 1 || f2 != 1) {
        outcome("wrong:faults-%d-%d", f1, f2);
    }
    if (rd("reread-p1", P(1) + 8) != 1 || rd("reread-p2", P(2) + 5) != 1) {
        outcome("wrong:lost-write");
    }
    outcome("ok");
}

static void case_jit_wx_toggle(void)
{
    uint32_t r;

    fill("fill", P(0), 4 * PG, 0x16);
    write_code("write-code-1", P(1), 1);
    if (mprotect(P(1), PG, PROT_READ | PROT_EXEC)) {
        outcome_errno();
    }
    r = call_code("call-1", P(1));
    if (r != 1) {
        outcome("wrong:code-1-returned-%u", r);
    }
    fill("write-p0", P(0), PG, 0x17);
    fill("write-p2", P(2), PG, 0x17);
    r = call_code("call-1-again", P(1));
    if (r != 1) {
        outcome("wrong:code-1-again-returned-%u", r);
    }
    if (mprotect(P(1), PG, PROT_READ | PROT_WRITE)) {
        outcome_errno();
    }
    write_code("write-code-2", P(1), 2);
    wr("write-p0-again", P(0) + PG - 1, 0x18);
    if (mprotect(P(1), PG, PROT_READ | PROT_EXEC)) {
        outcome_errno();
    }
    r = call_code("call-2", P(1));
    if (r != 2) {
        outcome("wrong:code-2-returned-%u", r);
    }
    if (differs("read-p2", P(2), PG, 0x17) >= 0) {
        outcome("wrong:p2-data");
    }
    outcome("ok");
}

static void case_jit_rwx_rewrite(void)
{
    uint32_t r;

    fill("fill", P(0), 4 * PG, 0x19);
    if (mprotect(P(1), PG, PROT_READ | PROT_WRITE | PROT_EXEC)) {
        outcome_errno();
    }
    write_code("write-code-1", P(1), 1);
    r = call_code("call-1", P(1));
    if (r != 1) {
        outcome("wrong:code-1-returned-%u", r);
    }
    fill("write-p0", P(0), PG, 0x1a);
    write_code("write-code-2", P(1), 2);
    r = call_code("call-2", P(1));
    if (r != 2) {
        outcome("wrong:code-2-returned-%u", r);
    }
    outcome("ok");
}

struct pg_case {
    const char *name;
    void (*run)(void);
};

static const struct pg_case cases[] = {
    { "mprotect-ro-write", case_mprotect_ro_write },
    { "mprotect-none-read", case_mprotect_none_read },
    { "munmap-read", case_munmap_read },
    { "eof-tail-zero", case_eof_tail_zero },
    { "eof-next-page", case_eof_next_page },
    { "eof-next-page-shifted", case_eof_next_page_shifted },
    { "file-offset-4k", case_file_offset_4k },
    { "file-offset-4k-fixed", case_file_offset_4k_fixed },
    { "file-next-to-anon", case_file_next_to_anon },
    { "file-segments-4k", case_file_segments_4k },
    { "fixed-noreplace-free", case_fixed_noreplace_free },
    { "fixed-noreplace-busy", case_fixed_noreplace_busy },
    { "brk-4k-grow", case_brk_4k_grow },
    { "brk-4k-shrink", case_brk_4k_shrink },
    { "mmap-hint-4k", case_mmap_hint_4k },
    { "mprotect-rw-after-ro", case_mprotect_rw_after_ro },
    { "madvise-dontneed-4k", case_madvise_dontneed_4k },
    { "gc-fault-unprotect", case_gc_fault_unprotect },
    { "jit-wx-toggle", case_jit_wx_toggle },
    { "jit-rwx-rewrite", case_jit_rwx_rewrite },
};

/* The child: handlers, a fresh 16 KiB aligned arena, the case. */
static void __attribute__((noreturn)) child(const struct pg_case *c)
{
    struct sigaction sa;
    char *p;
    uintptr_t a;
    size_t head;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    step = "setup";
    if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL)) {
        setup_failed("sigaction");
    }
    alarm(CASE_SECONDS);
    if (c->run == case_mmap_hint_4k) {
        /* No arena: the holes left by its trimming would steer mmap. */
        c->run();
        outcome("wrong:no-outcome");
    }

    p = mmap(NULL, ARENA + HOST_PG, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        setup_failed("arena");
    }
    a = ((uintptr_t)p + HOST_PG - 1) & -(uintptr_t)HOST_PG;
    head = a - (uintptr_t)p;
    if ((head && munmap(p, head)) ||
        munmap((char *)a + ARENA, HOST_PG - head)) {
        setup_failed("arena-trim");
    }
    arena = (char *)a;

    c->run();
    outcome("wrong:no-outcome");
}

/* ---- the parent ---- */

/* Run case @c in a child and print its PAGE line (and INFO lines). */
static void run_case(const struct pg_case *c)
{
    char buf[1024], *line, *next, last[256] = "";
    size_t n = 0;
    ssize_t r;
    int fds[2], status;
    pid_t pid;

    fflush(stdout);
    if (pipe(fds)) {
        perror("page-granular: pipe");
        exit(2);
    }
    pid = fork();
    if (pid < 0) {
        perror("page-granular: fork");
        exit(2);
    }
    if (pid == 0) {
        close(fds[0]);
        out_fd = fds[1];
        child(c);
    }
    close(fds[1]);
    while (n < sizeof(buf) - 1 &&
           (r = read(fds[0], buf + n, sizeof(buf) - 1 - n)) != 0) {
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        n += r;
    }
    buf[n] = 0;
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        continue;
    }

    for (line = buf; *line; line = next) {
        next = strchr(line, '\n');
        if (!next) {
            next = line + strlen(line);
        } else {
            *next++ = 0;
        }
        if (!strncmp(line, "INFO ", 5)) {
            printf("%s\n", line);
        } else if (*line) {
            snprintf(last, sizeof(last), "%s", line);
        }
    }
    if (!last[0]) {
        if (WIFSIGNALED(status)) {
            const char *s = sigabbrev_np(WTERMSIG(status));

            if (s) {
                snprintf(last, sizeof(last), "wrong:killed-SIG%s", s);
            } else {
                snprintf(last, sizeof(last), "wrong:killed-%d",
                         WTERMSIG(status));
            }
        } else {
            snprintf(last, sizeof(last), "wrong:exit-%d",
                     WEXITSTATUS(status));
        }
    }
    printf("PAGE %s %s\n", c->name, last);
}

/*
 * A temporary file in $TMPDIR or /tmp holding @data, unlinked at once
 * (the cases use the descriptor), so that nothing is left behind even
 * if this program is killed.
 */
static int temp_file(const void *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    const char *p = data;
    char name[512];
    int fd;

    snprintf(name, sizeof(name), "%s/page-granular.XXXXXX",
             dir && *dir ? dir : "/tmp");
    fd = mkstemp(name);
    if (fd < 0) {
        perror("page-granular: mkstemp");
        exit(2);
    }
    unlink(name);
    while (len) {
        ssize_t r = write(fd, p, len);

        if (r <= 0) {
            perror("page-granular: write");
            exit(2);
        }
        p += r;
        len -= r;
    }
    return fd;
}

int main(void)
{
    static uint32_t pat_data[FILE_PAGES * PG / 4];
    static unsigned char eof_data[EOF_SIZE];
    unsigned i, k;

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("PAGESIZE %lu\n", getauxval(AT_PAGESZ));

    for (k = 0; k < FILE_PAGES; k++) {
        for (i = 0; i < PG / 4; i++) {
            pat_data[k * PG / 4 + i] = pat(k, i);
        }
    }
    for (i = 0; i < EOF_SIZE; i++) {
        eof_data[i] = eof_byte(i);
    }
    pat_fd = temp_file(pat_data, sizeof(pat_data));
    eof_fd = temp_file(eof_data, sizeof(eof_data));

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_case(&cases[i]);
    }

    printf("RESULT page-granular cases=%u\n",
           (unsigned)(sizeof(cases) / sizeof(cases[0])));
    return 0;
}
