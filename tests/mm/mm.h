/*
 * Shared helpers for the tests/mm guest programs (static i386 programs,
 * run natively and under qemu-i386).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_MM_H
#define TESTS_MM_H

#include <stdio.h>

/*
 * The kernel's lowest address for user mappings, in bytes, from
 * /proc/sys/vm/mmap_min_addr; @fallback when it cannot be read.
 */
static inline unsigned long read_mmap_min_addr(unsigned long fallback)
{
    FILE *f = fopen("/proc/sys/vm/mmap_min_addr", "r");
    unsigned long v = fallback;

    if (f) {
        if (fscanf(f, "%lu", &v) != 1) {
            v = fallback;
        }
        fclose(f);
    }
    return v;
}

#endif
