/*
 * cpubench: a CPU-bound i386 guest program for the qemu-i386 benchmarks.
 *
 * A mix of what compiled programs spend their time on: integer hashing
 * over a table, sorting through a comparison callback, floating point
 * (x87 with the i686 default flags) and string scanning.  The work is a
 * pure function of SEED and SCALE, and the program prints a checksum of
 * every result, so the benchmark can check that each emulator computed
 * exactly what the native run did.
 *
 *   cpubench SEED SCALE
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng_state;

static uint32_t rng(void)
{
    /* xorshift32 */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        }
        crc_table[i] = c;
    }
}

static uint32_t crc32_buf(const unsigned char *p, size_t n, uint32_t crc)
{
    crc = ~crc;
    while (n--) {
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

/* Integer work: a tiny open-addressing hash table of 64-bit keys. */
static uint32_t hash_phase(unsigned scale)
{
    enum { SLOTS = 1 << 16 };
    uint64_t *keys = calloc(SLOTS, sizeof(*keys));
    uint32_t *counts = calloc(SLOTS, sizeof(*counts));
    uint32_t sum = 0;

    for (unsigned i = 0; i < scale * 40000u; i++) {
        uint64_t key = ((uint64_t)(rng() & 0x3ff) << 32) | (rng() & 0x1f);
        uint32_t h = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 48);
        while (keys[h] && keys[h] != key + 1) {
            h = (h + 1) & (SLOTS - 1);
        }
        keys[h] = key + 1;
        counts[h]++;
    }
    for (unsigned i = 0; i < SLOTS; i++) {
        sum = sum * 31 + counts[i] + (uint32_t)keys[i];
    }
    free(keys);
    free(counts);
    return sum;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sorting through a callback, as qsort users do. */
static uint32_t sort_phase(unsigned scale)
{
    size_t n = scale * 20000u;
    uint32_t *v = malloc(n * sizeof(*v));
    uint32_t crc = 0;

    for (size_t i = 0; i < n; i++) {
        v[i] = rng();
    }
    qsort(v, n, sizeof(*v), cmp_u32);
    for (size_t i = 1; i < n; i++) {
        if (v[i - 1] > v[i]) {
            fprintf(stderr, "cpubench: sort failed\n");
            exit(1);
        }
    }
    crc = crc32_buf((const unsigned char *)v, n * sizeof(*v), crc);
    free(v);
    return crc;
}

/* Floating point: matrix products and a little transcendental-free math. */
static uint32_t float_phase(unsigned scale)
{
    enum { N = 48 };
    static double a[N][N], b[N][N], c[N][N];
    double trace = 0;

    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)(rng() % 1000) / 997.0;
            b[i][j] = (double)(rng() % 1000) / 991.0 - 0.5;
        }
    }
    for (unsigned round = 0; round < scale; round++) {
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int k = 0; k < N; k++) {
                    s += a[i][k] * b[k][j];
                }
                c[i][j] = s / (1.0 + (s < 0 ? -s : s));
            }
        }
        memcpy(a, c, sizeof(a));
        trace += c[round % N][round % N];
    }
    /* Round before hashing so the checksum is exact. */
    return (uint32_t)(int64_t)(trace * 1e6);
}

/* Strings: build text, then search and copy it. */
static uint32_t string_phase(unsigned scale)
{
    static const char *const words[] = {
        "emulator", "guest", "host", "translation", "block", "ioctl",
        "loongson", "cygwin", "notifier", "register", "memory", "page",
    };
    size_t cap = scale * 16384u, len = 0;
    char *text = malloc(cap + 32);
    char *copy = malloc(cap + 32);
    uint32_t found = 0;

    while (len < cap) {
        const char *w = words[rng() % (sizeof(words) / sizeof(words[0]))];
        size_t wl = strlen(w);
        memcpy(text + len, w, wl);
        len += wl;
        text[len++] = (rng() & 7) ? ' ' : '\n';
    }
    text[len] = '\0';
    for (unsigned round = 0; round < 8; round++) {
        const char *p = text;
        while ((p = strstr(p, words[round % 12])) != NULL) {
            found++;
            p++;
        }
        memcpy(copy, text, len + 1);
        found += (uint32_t)strlen(copy) + (uint32_t)(strchr(copy, '\n') - copy);
    }
    found ^= crc32_buf((const unsigned char *)copy, len, 0);
    free(text);
    free(copy);
    return found;
}

int main(int argc, char **argv)
{
    unsigned long seed, scale;
    uint32_t h, s, f, t;

    if (argc != 3 || (seed = strtoul(argv[1], NULL, 0)) == 0 ||
        (scale = strtoul(argv[2], NULL, 0)) == 0 || scale > 10000) {
        fprintf(stderr, "usage: cpubench SEED SCALE  (SEED > 0, 0 < SCALE <= 10000)\n");
        return 2;
    }
    rng_state = (uint32_t)seed;
    crc_init();
    h = hash_phase(scale);
    s = sort_phase(scale);
    f = float_phase(scale);
    t = string_phase(scale);
    printf("cpubench seed=%lu scale=%lu hash=%08x sort=%08x float=%08x string=%08x\n",
           seed, scale, h, s, f, t);
    return 0;
}
