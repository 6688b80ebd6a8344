/*
 * FS_IOC_RESVSP (_IOW('X', 40, struct space_resv)), unknown to QEMU.
 * Preallocates 1 MiB in a fresh file and reports st_blocks before and
 * after, so a run shows whether the kernel really executed the call.
 *
 * usage: resvsp FILE
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <sys/stat.h>
#include "common.h"

int main(int argc, char **argv)
{
    struct resv_i386 r;
    struct stat before, after;
    int fd, ret, err;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    unlink(argv[1]);
    fd = open_or_die(argv[1], O_RDWR | O_CREAT | O_TRUNC);
    fstat(fd, &before);

    memset(&r, 0, sizeof(r));
    r.l_whence = SEEK_SET;
    r.l_start = 0;
    r.l_len = 1024 * 1024;
    errno = 0;
    ret = ioctl(fd, T_FS_IOC_RESVSP, &r);
    err = ret < 0 ? errno : 0;
    fstat(fd, &after);
    printf("RESULT resvsp ret=%d errno=%d blocks_before=%lld blocks_after=%lld\n",
           ret, err, (long long)before.st_blocks, (long long)after.st_blocks);
    close(fd);
    unlink(argv[1]);
    return 0;
}
