/*
 * Shared helpers for the ioctl passthrough test programs.
 * These programs are built for i386 and run under qemu-i386.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef IOCTL_TEST_COMMON_H
#define IOCTL_TEST_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * The i386 layout of struct space_resv (44 bytes: the 64-bit members
 * are only 4-byte aligned).  A 64-bit kernel knows this layout only in
 * its 32-bit compat ioctl path.
 */
struct resv_i386 {
    int16_t l_type;
    int16_t l_whence;
    int64_t l_start;
    int64_t l_len;
    int32_t l_sysid;
    uint32_t l_pid;
    int32_t l_pad[4];
} __attribute__((packed, aligned(4)));

_Static_assert(sizeof(struct resv_i386) == 44, "i386 space_resv is 44 bytes");

#define T_FS_IOC_RESVSP     _IOW('X', 40, struct resv_i386)
#define T_FS_IOC_GETFSLABEL _IOR(0x94, 49, char[256])
#define T_NS_GET_NSTYPE     _IO(0xb7, 0x3)

_Static_assert(T_FS_IOC_RESVSP == 0x402c5828, "FS_IOC_RESVSP (i386)");
_Static_assert(T_FS_IOC_GETFSLABEL == 0x81009431, "FS_IOC_GETFSLABEL");
_Static_assert(T_NS_GET_NSTYPE == 0xb703, "NS_GET_NSTYPE");

static inline int open_or_die(const char *path, int flags)
{
    int fd = open(path, flags, 0600);

    if (fd < 0) {
        printf("RESULT setup-failed open(%s) errno=%d\n", path, errno);
        exit(2);
    }
    return fd;
}

#endif
