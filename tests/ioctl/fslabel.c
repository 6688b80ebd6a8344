/*
 * FS_IOC_GETFSLABEL (_IOR(0x94, 49, char[256])), unknown to QEMU.
 * The buffer is pre-filled with 0xff; success means the kernel wrote a
 * NUL-terminated label into it.
 *
 * usage: fslabel FILE
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "common.h"

int main(int argc, char **argv)
{
    char label[256];
    int fd, ret, err, terminated;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    fd = open_or_die(argv[1], O_RDWR | O_CREAT);
    memset(label, 0xff, sizeof(label));
    errno = 0;
    ret = ioctl(fd, T_FS_IOC_GETFSLABEL, label);
    err = ret < 0 ? errno : 0;
    terminated = memchr(label, 0, sizeof(label)) != NULL;
    printf("RESULT fslabel ret=%d errno=%d written=%d label=\"%s\"\n",
           ret, err, terminated, terminated ? label : "");
    close(fd);
    return 0;
}
