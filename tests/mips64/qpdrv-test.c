/*
 * Test program of the MIPS64 acceptance harness: issues the qpdrv ioctls
 * (see qpdrv.h) on /dev/qpdrv and prints one machine-checkable line each:
 *
 *   QPDRV abi=ABI iowr=0x... ior=0x... io=0x...   the numbers used
 *   QPDRV iowr errno=0 answer=compat-ok echo=ok   0xc1144d01, 276-byte struct
 *   QPDRV iowr errno=25                           (ENOTTY)
 *   QPDRV ior errno=0 magic=ok path=compat compat_syscall=1
 *   QPDRV io errno=0 ret=N counted=yes            the counter went up by one
 *   QPDRV iowr64 errno=0 answer=native-ok echo=ok (n64 only: 0xc1284d01)
 *   QPDRV n32sys-iowr ... / n32sys-ior ... / n32sys-io ...
 *                         (n64 only: the first three again, issued as n32
 *                         system call 6015 on a buffer below 2 GiB, as
 *                         qemu-i386 -ioctl-passthrough compat does)
 *   QPDRV done
 *
 * Built as i386 (run under qemu-i386) and as MIPS o32, n32 and n64
 * (run directly: the baseline of what the kernel does by itself).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "qpdrv.h"

#if defined(__i386__)
#define ABI "i386"
_Static_assert(QP_IOR == 0x80104d02, "i386 _IOR encoding");
_Static_assert(QP_IO == 0x00004d03, "i386 _IO encoding");
#elif defined(__mips__)
#if _MIPS_SIM == _ABIO32
#define ABI "o32"
#elif _MIPS_SIM == _ABIN32
#define ABI "n32"
#else
#define ABI "n64"
#endif
_Static_assert(QP_IOR == 0x40104d02, "MIPS _IOR encoding");
_Static_assert(QP_IO == 0x20004d03, "MIPS _IO encoding");
#else
#error "built for i386 and MIPS only"
#endif

_Static_assert(QP_IOWR32 == 0xc1144d01, "the command of the motivating case");
_Static_assert(sizeof(struct qp_req32) == 276, "ILP32 layout");

#if defined(__LP64__)
/* the 276-byte layout, as qemu-i386 passes it on unchanged */
typedef struct qp_req32 req32_t;
#define REQ32_P(x) ((uint32_t)(uintptr_t)(x))
#else
/* the program's own layout: longs and a pointer, as in the closed binary */
typedef struct qp_req req32_t;
#define REQ32_P(x) ((void *)(x))
_Static_assert(sizeof(struct qp_req) == 276, "ILP32 layout of longs and a pointer");
_Static_assert(_IOWR('M', 1, struct qp_req) == 0xc1144d01, "native command");
#endif

static const long values[QP_NLONG] = { -1, -2, 3, -40 };  /* sum -40 */

/*
 * Where the arguments live: a static area, or (n32 system calls) an area
 * below 2 GiB.  Row names get the prefix pfx.
 */
static char area_static[1024] __attribute__((aligned(16)));
static char *area = area_static;
static const char *pfx = "";

#if defined(__mips__) && _MIPS_SIM == _ABI64
#define N32_NR_IOCTL 6015  /* __NR_N32_Linux + 15 */
static int via_n32;
#endif

static int qp_ioctl(int fd, unsigned int cmd, void *arg)
{
#ifdef N32_NR_IOCTL
	/* n32 takes 32-bit values sign-extended to 64 bits */
	if (via_n32)
		return syscall(N32_NR_IOCTL, (long)fd, (long)(int32_t)cmd,
			       (long)(int32_t)(uintptr_t)arg);
#endif
	return ioctl(fd, cmd, arg);
}

/* print the answer text, at most 32 printable characters */
static void print_answer(const char *buf, size_t size)
{
	size_t i;

	printf(" answer=");
	for (i = 0; i < size && i < 32 && buf[i]; i++)
		putchar(buf[i] > ' ' && buf[i] < 127 ? buf[i] : '?');
}

static void test_iowr32(int fd)
{
	req32_t *req = (req32_t *)area;
	int i, ok;

	memset(req, 0, sizeof(*req));
	req->magic = QP_MAGIC_IN;
	req->cookie = 0x1234abcd;
	for (i = 0; i < QP_NLONG; i++)
		req->l[i] = values[i];
	req->p = REQ32_P(req);
	if (qp_ioctl(fd, QP_IOWR32, req) != 0) {
		printf("QPDRV %siowr errno=%d\n", pfx, errno);
		return;
	}
	ok = req->magic == QP_MAGIC_OUT && req->cookie == 0x1234abcd &&
	     req->l[0] == -40 &&
	     (uint32_t)req->l[1] == (uint32_t)(uintptr_t)req;
	printf("QPDRV %siowr errno=0", pfx);
	print_answer(req->buf, sizeof(req->buf));
	printf(" echo=%s\n", ok ? "ok" : "bad");
}

#if defined(__LP64__)
static void test_iowr64(int fd)
{
	struct qp_req64 *req = (struct qp_req64 *)area;
	int i, ok;

	memset(req, 0, sizeof(*req));
	req->magic = QP_MAGIC_IN;
	req->cookie = 0x5678cdef;
	for (i = 0; i < QP_NLONG; i++)
		req->l[i] = values[i];
	req->p = (uintptr_t)req;
	if (qp_ioctl(fd, QP_IOWR64, req) != 0) {
		printf("QPDRV %siowr64 errno=%d\n", pfx, errno);
		return;
	}
	ok = req->magic == QP_MAGIC_OUT && req->cookie == 0x5678cdef &&
	     req->l[0] == -40 && req->l[1] == (long long)(uintptr_t)req;
	printf("QPDRV %siowr64 errno=0", pfx);
	print_answer(req->buf, sizeof(req->buf));
	printf(" echo=%s\n", ok ? "ok" : "bad");
}
#endif

/* QP_IOR: returns the counter (or -1) and prints the row if print is set */
static long test_ior(int fd, int print)
{
	uint32_t *out = (uint32_t *)(area + 512);
	const char *path;

	memset(out, 0, 4 * sizeof(*out));
	if (qp_ioctl(fd, QP_IOR, out) != 0) {
		if (print)
			printf("QPDRV %sior errno=%d\n", pfx, errno);
		return -1;
	}
	if (print) {
		path = out[2] == QP_PATH_COMPAT ? "compat" :
		       out[2] == QP_PATH_NATIVE ? "native" : "unknown";
		printf("QPDRV %sior errno=0 magic=%s path=%s compat_syscall=%u\n",
		       pfx, out[0] == QP_MAGIC_OUT ? "ok" : "bad", path, (unsigned)out[3]);
	}
	return out[0] == QP_MAGIC_OUT ? (long)out[1] : -1;
}

/* QP_IO: the counter must go from the value before to the one returned */
static void test_io(int fd)
{
	long before, after;
	int ret;

	before = test_ior(fd, 0);
	ret = qp_ioctl(fd, QP_IO, NULL);
	if (ret < 0) {
		printf("QPDRV %sio errno=%d\n", pfx, errno);
		return;
	}
	after = test_ior(fd, 0);
	printf("QPDRV %sio errno=0 ret=%d counted=%s\n", pfx, ret,
	       before < 0 || after < 0 ? "unknown" :
	       ret == before + 1 && after == ret ? "yes" : "no");
}

int main(void)
{
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("QPDRV abi=%s iowr=%#x ior=%#x io=%#x\n", ABI,
	       (unsigned)QP_IOWR32, (unsigned)QP_IOR, (unsigned)QP_IO);
	fd = open("/dev/qpdrv", O_RDWR);
	if (fd < 0) {
		printf("QPDRV open errno=%d\n", errno);
		return 1;
	}
	test_iowr32(fd);
	test_ior(fd, 1);
	test_io(fd);
#if defined(__LP64__)
	test_iowr64(fd);
#endif
#ifdef N32_NR_IOCTL
	/* an n64 program's binary is above 4 GiB: map an area below 2 GiB */
	area = mmap((void *)0x40000000, 16384, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (area == MAP_FAILED) {
		printf("QPDRV n32sys mmap errno=%d\n", errno);
		return 1;
	}
	via_n32 = 1;
	pfx = "n32sys-";
	test_iowr32(fd);
	test_ior(fd, 1);
	test_io(fd);
#endif
	close(fd);
	printf("QPDRV done\n");
	return 0;
}
