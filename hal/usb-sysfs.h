/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A USB device's character device found through sysfs by VID:PID (+ serial
 * number, USB port path): the tty of a USB-serial RFID reader (serial.c),
 * the usblp node of a receipt printer (printer-escpos.c). The kernel lists
 * each node under /sys/class/CLASS/NAME, whose device link leads into the
 * USB tree; the nearest USB device above it (the one with an idVendor) is
 * the one whose ids count, so a hub's or a root hub's ids never match.
 *
 * Nothing here logs or keeps state: every call walks sysfs again, so a
 * device plugged back in under another name is found under that name.
 */
#ifndef CIRCD_HAL_USB_SYSFS_H
#define CIRCD_HAL_USB_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct usb_sysfs_match {
	uint16_t vid, pid;
	const char *serial; /* NULL or "": any */
	const char *port;   /* USB port path such as "1-1.3"; NULL or "": any */
};

/*
 * Looks through sysfs_root (normally "/sys"; tests pass a fake tree) for a
 * node in class_name (such as "tty" or "usbmisc") whose name node_name
 * accepts and whose USB device m describes; writes dev_dir/NAME to path and
 * the device's USB port path to port (port may be NULL). Returns 0, -ENOENT
 * if none is plugged in, -ENOTUNIQ if more than one matches (set serial or
 * port), -ENAMETOOLONG if path is too small.
 */
int usb_sysfs_find(const char *sysfs_root, const char *class_name,
		   bool (*node_name)(const char *name), const char *dev_dir,
		   const struct usb_sysfs_match *m, char *path, size_t path_size, char *port,
		   size_t port_size);

/*
 * The USB device itself (sysfs_root/bus/usb/devices/PORT, the entries with
 * an idVendor) that m describes, whatever drivers its interfaces have:
 * writes its USB port path ("1-1.3") to port. For a device that has no node
 * of the class its user wants (a printer usblp did not take), to be opened
 * through libusb at that port. Returns as usb_sysfs_find().
 */
int usb_sysfs_find_device(const char *sysfs_root, const struct usb_sysfs_match *m, char *port,
			  size_t port_size);

/*
 * Whether the USB device at port path port ("1-1.3") has serial number
 * want, as the kernel read it at enumeration (for a device met through
 * libusb: asking the device itself would be a blocking control transfer).
 */
bool usb_sysfs_serial_is(const char *sysfs_root, const char *port, const char *want);

#endif
