/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ESC/POS receipt printer on the kernel's usblp driver (printer =
 * escpos, the board's [printer] section): its timings, and the open() that
 * tests point at a fake sysfs tree and device directory. printer.h has the
 * contract every backend keeps; this one is the only one that depends on
 * what a real printer says and when.
 *
 * The device: [printer] device, or the /dev/usb/lpN whose USB device has the
 * section's VID:PID (usb-sysfs.h, class usbmisc), opened O_RDWR | O_NONBLOCK
 * | O_CLOEXEC. Absent or gone, it is looked for again every
 * PRINTER_ESCPOS_RETRY_MS, under whatever lpN it comes back as. A printer
 * that is plugged in but has no usblp node at two looks in a row (no usblp
 * in the kernel, or it let go) is taken through libusb instead
 * (printer-libusb.h: bulk OUT and IN on its printer interface); all the rest
 * is the same over either.
 *
 * Status: DLE EOT 1, 2 and 4 (escpos.h) every PRINTER_ESCPOS_POLL_MS while
 * nothing is being printed, and right before each receipt; their three
 * answer bytes, read from the same device, make the state status() answers
 * from then on. No answer within PRINTER_ESCPOS_ANSWER_MS (a printer with
 * no back channel, or one that hangs) is PRINTER_UNKNOWN, which prints
 * nothing: a receipt is only sent to a printer that says it can print.
 */
#ifndef CIRCD_HAL_PRINTER_ESCPOS_H
#define CIRCD_HAL_PRINTER_ESCPOS_H

#include "printer.h"

#define PRINTER_ESCPOS_POLL_MS 2000
#define PRINTER_ESCPOS_ANSWER_MS 1000
#define PRINTER_ESCPOS_RETRY_MS 1000
/*
 * A receipt the printer takes no byte of for this long (paper out
 * mid-receipt holds the USB pipe) makes the state unknown until a poll
 * after it says otherwise.
 */
#define PRINTER_ESCPOS_STALL_MS 10000

/* printer_escpos_ops.open(), with sysfs at sysfs_root ("/sys") and lpN in dev_dir ("/dev/usb"). */
int printer_escpos_open_at(const struct hal_env *env, const struct board *board,
			   const char *sysfs_root, const char *dev_dir, void **ret,
			   struct file_error *err);

#endif
