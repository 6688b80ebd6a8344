// SPDX-License-Identifier: GPL-2.0-only
/*
 * qpdrv: a stand-in for a closed private driver, for the MIPS64 acceptance
 * harness of qemu-i386 -ioctl-passthrough.  Misc device /dev/qpdrv.
 *
 * Like many real drivers it knows its ioctl structure in the kernel's own
 * (LP64) layout on the native path and in the ILP32 layout only on the
 * compat path: QP_IOWR32 (0xc1144d01) from a 64-bit task is ENOTTY.
 * See qpdrv.h for the commands.
 */
#include <linux/atomic.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "qpdrv.h"

static atomic_t qp_counter = ATOMIC_INIT(0);

/* QP_IOR and QP_IO: same layout for every ABI, taken on both paths */
static long qp_common(unsigned int cmd, void __user *arg, u32 path)
{
	u32 out[4];

	switch (cmd) {
	case QP_IOR:
		out[0] = QP_MAGIC_OUT;
		out[1] = atomic_read(&qp_counter);
		out[2] = path;
		out[3] = in_compat_syscall();
		if (copy_to_user(arg, out, sizeof(out)))
			return -EFAULT;
		return 0;
	case QP_IO:
		return atomic_inc_return(&qp_counter);
	}
	return -ENOTTY;
}

static long qp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct qp_req64 req;
	long long sum = 0;
	int i;

	if (cmd != QP_IOWR64)
		return qp_common(cmd, (void __user *)arg, QP_PATH_NATIVE);
	if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
		return -EFAULT;
	if (req.magic != QP_MAGIC_IN)
		return -EINVAL;
	for (i = 0; i < QP_NLONG; i++)
		sum += req.l[i];
	req.magic = QP_MAGIC_OUT;
	req.l[0] = sum;
	req.l[1] = req.p;
	memset(req.buf, 0, sizeof(req.buf));
	strscpy(req.buf, QP_ANSWER_NATIVE, sizeof(req.buf));
	if (copy_to_user((void __user *)arg, &req, sizeof(req)))
		return -EFAULT;
	return 0;
}

#ifdef CONFIG_COMPAT
static long qp_compat_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct qp_req32 req;
	void __user *uarg = compat_ptr(arg);
	s32 sum = 0;
	int i;

	if (cmd != QP_IOWR32)
		return qp_common(cmd, uarg, QP_PATH_COMPAT);
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.magic != QP_MAGIC_IN)
		return -EINVAL;
	for (i = 0; i < QP_NLONG; i++)
		sum += req.l[i];
	req.magic = QP_MAGIC_OUT;
	req.l[0] = sum;
	req.l[1] = req.p;
	memset(req.buf, 0, sizeof(req.buf));
	strscpy(req.buf, QP_ANSWER_COMPAT, sizeof(req.buf));
	if (copy_to_user(uarg, &req, sizeof(req)))
		return -EFAULT;
	return 0;
}
#endif

static const struct file_operations qp_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = qp_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl = qp_compat_ioctl,
#endif
};

static struct miscdevice qp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "qpdrv",
	.fops = &qp_fops,
	.mode = 0666,
};

static int __init qp_init(void)
{
	/* the numbers the harness relies on, in the MIPS encoding */
	BUILD_BUG_ON(sizeof(struct qp_req32) != 276);
	BUILD_BUG_ON(sizeof(struct qp_req64) != 296);
	BUILD_BUG_ON(sizeof(struct qp_req) != 296);
#ifdef CONFIG_MIPS
	BUILD_BUG_ON(QP_IOWR32 != 0xc1144d01);
	BUILD_BUG_ON(QP_IOWR64 != 0xc1284d01);
	BUILD_BUG_ON(QP_IOR != 0x40104d02);
	BUILD_BUG_ON(QP_IO != 0x20004d03);
#endif
	return misc_register(&qp_misc);
}

static void __exit qp_exit(void)
{
	misc_deregister(&qp_misc);
}

module_init(qp_init);
module_exit(qp_exit);
MODULE_LICENSE("GPL v2");
MODULE_DESCRIPTION("qemu-ports test driver: ioctls with native and compat layouts");
