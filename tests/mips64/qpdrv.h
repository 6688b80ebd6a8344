/*
 * The private driver interface of the MIPS64 acceptance harness: /dev/qpdrv,
 * shared by the kernel module (qpdrv.c) and the test program (qpdrv-test.c).
 *
 * struct qp_req has longs and a pointer, so its size depends on the ABI:
 *   ILP32 (i386, MIPS o32/n32):  4 + 4 + 4*4 + 4 + 248 = 276 bytes
 *   LP64  (MIPS n64):            4 + 4 + 4*8 + 8 + 248 = 296 bytes
 * No 64-bit members: a u64 would be 8-aligned on MIPS ILP32 but 4-aligned
 * on i386, and the two 32-bit layouts must be identical.
 *
 *   QP_IOWR32  _IOWR('M', 1, 276 bytes) = 0xc1144d01 on MIPS and on i386
 *   QP_IOWR64  _IOWR('M', 1, 296 bytes) = 0xc1284d01 (n64 only)
 *   QP_IOR     _IOR('M', 2, __u32[4])   = 0x40104d02 on MIPS, 0x80104d02 on i386
 *   QP_IO      _IO('M', 3)              = 0x20004d03 on MIPS, 0x00004d03 on i386
 *
 * QP_IOWR32 is the command of the motivating case: the driver only takes it
 * on its compat path (a 32-bit task).  QP_IOR and QP_IO have the same layout
 * for every ABI, both paths take them, but their numbers differ between
 * i386 and MIPS, so qemu-i386 must re-encode them.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef QPDRV_H
#define QPDRV_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
typedef __u32 qp_u32;
typedef __s32 qp_s32;
#else
#include <stdint.h>
#include <sys/ioctl.h>
typedef uint32_t qp_u32;
typedef int32_t qp_s32;
#endif

#define QP_MAGIC_IN  0x72647071u  /* "qpdr", set by the caller */
#define QP_MAGIC_OUT 0x51504f52u  /* set by the driver in every answer */
#define QP_NLONG 4
#define QP_BUFSZ 248

/* the layout of the calling ABI (the kernel's own is LP64) */
struct qp_req {
	qp_u32 magic;
	qp_u32 cookie;
	long l[QP_NLONG];
	void *p;
	char buf[QP_BUFSZ];
};

/* the ILP32 layout, spelled with fixed-size types (what compat code sees) */
struct qp_req32 {
	qp_u32 magic;
	qp_u32 cookie;
	qp_s32 l[QP_NLONG];
	qp_u32 p;
	char buf[QP_BUFSZ];
};

/* the LP64 layout (the native one of the n64 kernel) */
struct qp_req64 {
	qp_u32 magic;
	qp_u32 cookie;
	long long l[QP_NLONG];
	unsigned long long p;
	char buf[QP_BUFSZ];
};

#define QP_IOWR32 _IOWR('M', 1, struct qp_req32)
#define QP_IOWR64 _IOWR('M', 1, struct qp_req64)
#define QP_IOR    _IOR('M', 2, qp_u32[4])
#define QP_IO     _IO('M', 3)

/* QP_IOR answer: { QP_MAGIC_OUT, counter, path, in_compat_syscall() } */
#define QP_PATH_NATIVE 64
#define QP_PATH_COMPAT 32

/*
 * What the compat handler writes for QP_IOWR32: magic = QP_MAGIC_OUT,
 * cookie echoed, l[0] = sum of the caller's l[] (sign-extended),
 * l[1] = the caller's p, buf = "compat-ok".  The native handler does the
 * same for QP_IOWR64 with "native-ok".
 */
#define QP_ANSWER_COMPAT "compat-ok"
#define QP_ANSWER_NATIVE "native-ok"

#endif
