/*
 * Hostile arguments for ioctls QEMU only knows through passthrough.
 * Every case must fail with EFAULT and the program must keep running.
 *
 * usage: hostile FILE
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <sys/mman.h>
#include "common.h"

static void report(const char *name, int ret)
{
    printf("RESULT hostile case=%s ret=%d errno=%d\n", name, ret,
           ret < 0 ? errno : 0);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *two, *ro, *gone;
    int fd;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    fd = open_or_die(argv[1], O_RDWR | O_CREAT);

    /* A page that was mapped and is gone again. */
    gone = mmap(NULL, pg, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, pg);
    errno = 0;
    report("unmapped-read", ioctl(fd, T_FS_IOC_GETFSLABEL, gone));
    errno = 0;
    report("unmapped-write", ioctl(fd, T_FS_IOC_RESVSP, gone));

    /* The kernel would have to write into a read-only page. */
    ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    errno = 0;
    report("readonly", ioctl(fd, T_FS_IOC_GETFSLABEL, ro));

    /* A buffer whose tail runs into an unmapped page. */
    two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + pg, pg);
    errno = 0;
    report("straddle", ioctl(fd, T_FS_IOC_RESVSP, two + pg - 20));

    /* A buffer that wraps past the end of the 32-bit address space. */
    errno = 0;
    report("wrap", ioctl(fd, T_FS_IOC_GETFSLABEL, (void *)0xffffff80u));

    /* NULL */
    errno = 0;
    report("null", ioctl(fd, T_FS_IOC_GETFSLABEL, NULL));

    printf("RESULT hostile done\n");
    close(fd);
    return 0;
}
