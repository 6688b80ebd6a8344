/*
 * NS_GET_NSTYPE (_IO(0xb7, 0x3)), unknown to QEMU: on a namespace fd
 * the kernel returns the CLONE_NEW* constant of the namespace type.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "common.h"

#define T_CLONE_NEWUTS 0x04000000

int main(void)
{
    int fd, ret, err;

    fd = open_or_die("/proc/self/ns/uts", O_RDONLY);
    errno = 0;
    ret = ioctl(fd, T_NS_GET_NSTYPE, 0);
    err = ret < 0 ? errno : 0;
    printf("RESULT nstype ret=%#x errno=%d match=%d\n", ret, err,
           ret == T_CLONE_NEWUTS);
    close(fd);
    return 0;
}
