/*
 * The private driver command of the motivating case,
 * _IOWR('M', 1, 276-byte struct) = 0xc1144d01, issued on /dev/null.
 * No driver there knows it, so a call that reaches the kernel fails
 * with ENOTTY from the kernel; the trace event ioctl_passthrough_call
 * shows whether it got there, -strace shows the number decoded.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "common.h"

struct mdrv_arg {
    uint32_t words[69];
};

_Static_assert(_IOWR('M', 1, struct mdrv_arg) == 0xc1144d01, "cmd");

int main(void)
{
    struct mdrv_arg a;
    int fd, ret;

    memset(&a, 0, sizeof(a));
    fd = open_or_die("/dev/null", O_RDWR);
    errno = 0;
    ret = ioctl(fd, _IOWR('M', 1, struct mdrv_arg), &a);
    printf("RESULT mdrv ret=%d errno=%d\n", ret, ret < 0 ? errno : 0);
    close(fd);
    return 0;
}
