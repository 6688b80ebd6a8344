/*
 * ioctls whose numbers state no size, or whose buffers hold addresses:
 * the arguments QEMU cannot check.  Run natively as i386 for the
 * expected values, then under qemu-i386.
 *
 * usage: contain CASE [ARG]
 *   fraget-canary BLKDEV   BLKFRAGET into a long followed by a canary
 *   fraget-global BLKDEV   BLKFRAGET into a global long
 *   fraget-unmapped BLKDEV BLKFRAGET at every 16 MiB step of the address
 *                          space that /proc/self/maps shows unmapped
 *   ethtool-after IFNAME   SIOCETHTOOL ETHTOOL_GLINK, the ethtool data
 *                          right after the struct ifreq
 *   ethtool-edge IFNAME    the same with the ifreq at the end of a page
 *                          that a read-only page follows
 *   io-args NSFILE         NS_GET_NSTYPE (_IO, the kernel ignores the
 *                          argument) with arguments 0x1234 and -5, for
 *                          the -strace output
 *   uffd                   /dev/userfaultfd: USERFAULTFD_IOC_NEW,
 *                          UFFDIO_API, UFFDIO_REGISTER of a page (an
 *                          address inside the argument)
 *
 * Prints one "RESULT CASE ..." line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/fs.h>
#include <linux/sockios.h>
#include <linux/userfaultfd.h>
#include "common.h"

_Static_assert(BLKFRAGET == 0x1265, "BLKFRAGET");
_Static_assert(SIOCETHTOOL == 0x8946, "SIOCETHTOOL");
_Static_assert(sizeof(struct ifreq) == 32, "i386 struct ifreq");
_Static_assert(USERFAULTFD_IOC_NEW == 0xaa00, "USERFAULTFD_IOC_NEW");

#define CANARY 0x5a5a5a5au
#define UNTOUCHED 0xa5a5a5a5u

static long global_value = 0x11111111;

static void result(const char *name, int ret, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void result(const char *name, int ret, const char *fmt, ...)
{
    va_list ap;

    printf("RESULT %s ret=%d errno=%d", name, ret, ret < 0 ? errno : 0);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static int fraget_canary(int fd)
{
    struct {
        long value;
        uint32_t canary;
    } buf = { 0x11111111, CANARY };
    int ret;

    errno = 0;
    ret = ioctl(fd, BLKFRAGET, &buf.value);
    result("fraget-canary", ret, " value=%ld canary=%s", buf.value,
           buf.canary == CANARY ? "ok" : "clobbered");
    return 0;
}

static int fraget_global(int fd)
{
    int ret;

    errno = 0;
    ret = ioctl(fd, BLKFRAGET, &global_value);
    result("fraget-global", ret, " value=%ld", global_value);
    return 0;
}

/* Ranges of our own address space, from /proc/self/maps. */
static int mapped(unsigned long addr, unsigned long len)
{
    FILE *f = fopen("/proc/self/maps", "r");
    unsigned long lo, hi;
    char line[512];
    int hit = 0;

    if (!f) {
        printf("RESULT setup-failed /proc/self/maps errno=%d\n", errno);
        exit(2);
    }
    while (!hit && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
            hit = addr < hi && addr + len > lo;
        }
    }
    fclose(f);
    return hit;
}

static int fraget_unmapped(int fd)
{
    unsigned tried = 0, efault = 0, ok = 0, enotty = 0, other = 0;

    for (unsigned long a = 16ul << 20; a < 0xff000000ul; a += 16ul << 20) {
        if (mapped(a, 4096)) {
            continue;
        }
        tried++;
        errno = 0;
        if (ioctl(fd, BLKFRAGET, (void *)a) == 0) {
            ok++;
            printf("RESULT fraget-unmapped kernel-wrote-at=%#lx\n", a);
        } else if (errno == EFAULT) {
            efault++;
        } else if (errno == ENOTTY) {
            enotty++;
        } else {
            other++;
        }
    }
    printf("RESULT fraget-unmapped tried=%u efault=%u ok=%u enotty=%u "
           "other=%u\n", tried, efault, ok, enotty, other);
    return 0;
}

static struct {
    struct ifreq ifr;
    struct ethtool_value ev;
} after;

static void glink_request(struct ifreq *ifr, const char *ifname,
                          struct ethtool_value *ev)
{
    memset(ifr, 0, sizeof(*ifr));
    snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
    ev->cmd = ETHTOOL_GLINK;
    ev->data = UNTOUCHED;
    ifr->ifr_data = (void *)ev;
}

static int ethtool_after(const char *ifname)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int ret;

    glink_request(&after.ifr, ifname, &after.ev);
    errno = 0;
    ret = ioctl(s, SIOCETHTOOL, &after.ifr);
    result("ethtool-after", ret, " data=%#x", after.ev.data);
    return 0;
}

static int ethtool_edge(const char *ifname)
{
    long pg = sysconf(_SC_PAGESIZE);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ethtool_value ev;
    struct ifreq *ifr;
    char *two;
    int ret;

    two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (two == MAP_FAILED || mprotect(two + pg, pg, PROT_READ)) {
        printf("RESULT setup-failed mmap errno=%d\n", errno);
        return 2;
    }
    ifr = (struct ifreq *)(two + pg - sizeof(*ifr));
    glink_request(ifr, ifname, &ev);
    errno = 0;
    ret = ioctl(s, SIOCETHTOOL, ifr);
    result("ethtool-edge", ret, " data=%#x", ev.data);
    return 0;
}

static int uffd(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    struct uffdio_api api = { .api = UFFD_API };
    struct uffdio_register reg;
    int dev, fd, api_ret, reg_ret;
    int api_errno = 0, reg_errno = 0;
    void *page;

    dev = open_or_die("/dev/userfaultfd", O_RDWR);
    errno = 0;
    fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC);
    if (fd < 0) {
        result("uffd", fd, " step=new");
        return 0;
    }
    api_ret = ioctl(fd, UFFDIO_API, &api);
    if (api_ret < 0) {
        api_errno = errno;
    }
    page = mmap(NULL, pg, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(&reg, 0, sizeof(reg));
    reg.range.start = (uintptr_t)page;
    reg.range.len = pg;
    reg.mode = UFFDIO_REGISTER_MODE_MISSING;
    reg_ret = ioctl(fd, UFFDIO_REGISTER, &reg);
    if (reg_ret < 0) {
        reg_errno = errno;
    }
    printf("RESULT uffd new=ok api=%d/%d register=%d/%d\n",
           api_ret, api_errno, reg_ret, reg_errno);
    return 0;
}

static int io_args(int fd)
{
    int a = ioctl(fd, T_NS_GET_NSTYPE, 0x1234);
    int b = ioctl(fd, T_NS_GET_NSTYPE, -5);

    printf("RESULT io-args ret=%#x,%#x\n", a, b);
    return 0;
}

int main(int argc, char **argv)
{
    const char *c = argc > 1 ? argv[1] : "";

    if (!strcmp(c, "uffd")) {
        return uffd();
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s CASE ARG (see the source)\n", argv[0]);
        return 2;
    }
    if (!strncmp(c, "fraget-", 7)) {
        int fd = open_or_die(argv[2], O_RDONLY);

        if (!strcmp(c, "fraget-canary")) {
            return fraget_canary(fd);
        } else if (!strcmp(c, "fraget-global")) {
            return fraget_global(fd);
        } else if (!strcmp(c, "fraget-unmapped")) {
            return fraget_unmapped(fd);
        }
    } else if (!strcmp(c, "io-args")) {
        return io_args(open_or_die(argv[2], O_RDONLY));
    } else if (!strcmp(c, "ethtool-after")) {
        return ethtool_after(argv[2]);
    } else if (!strcmp(c, "ethtool-edge")) {
        return ethtool_edge(argv[2]);
    }
    fprintf(stderr, "%s: unknown case %s\n", argv[0], c);
    return 2;
}
