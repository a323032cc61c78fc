/* SPDX-License-Identifier: GPL-2.0-or-later */
/* USB devices' nodes found through sysfs by their ids (usb-sysfs.h). */
#include "usb-sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One sysfs attribute, its newline dropped; "" if it cannot be read. */
static void read_attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static bool hex_equals(const char *text, uint16_t value)
{
	char *end;
	unsigned long v = strtoul(text, &end, 16);

	return *text && !*end && v == value;
}

/* Whether the USB device at dir is the one m describes. */
static bool usb_device_matches(const char *dir, const char *usb_port,
			       const struct usb_sysfs_match *m)
{
	char value[128];

	read_attr(dir, "idVendor", value, sizeof(value));
	if (!hex_equals(value, m->vid))
		return false;
	read_attr(dir, "idProduct", value, sizeof(value));
	if (!hex_equals(value, m->pid))
		return false;
	if (m->serial && m->serial[0]) {
		read_attr(dir, "serial", value, sizeof(value));
		if (strcmp(value, m->serial) != 0)
			return false;
	}
	return !(m->port && m->port[0] && strcmp(usb_port, m->port) != 0);
}

/*
 * The USB device above a node's device directory: the nearest ancestor with
 * an idVendor, not above root. Cuts dir down to it; false if there is none.
 */
static bool usb_device_of(char *dir, const char *root)
{
	size_t root_len = strlen(root);
	char vendor[16];

	for (;;) {
		char *slash = strrchr(dir, '/');

		read_attr(dir, "idVendor", vendor, sizeof(vendor));
		if (vendor[0])
			return true;
		if (!slash || (size_t)(slash - dir) <= root_len)
			return false;
		*slash = '\0';
	}
}

int usb_sysfs_find(const char *sysfs_root, const char *class_name,
		   bool (*node_name)(const char *name), const char *dev_dir,
		   const struct usb_sysfs_match *m, char *path, size_t path_size, char *port,
		   size_t port_size)
{
	char root[PATH_MAX], class_dir[PATH_MAX], link[PATH_MAX], dev[PATH_MAX];
	char found_name[256] = "", found_port[64] = "";
	unsigned matches = 0;
	struct dirent *de;
	DIR *d;

	if (!realpath(sysfs_root, root))
		return -errno;
	if ((size_t)snprintf(class_dir, sizeof(class_dir), "%s/class/%s", root, class_name) >=
	    sizeof(class_dir))
		return -ENAMETOOLONG;
	d = opendir(class_dir);
	if (!d)
		return errno == ENOENT ? -ENOENT : -errno;
	while ((de = readdir(d))) {
		const char *usb_port;

		if (!node_name(de->d_name))
			continue;
		if ((size_t)snprintf(link, sizeof(link), "%s/%s/device", class_dir, de->d_name) >=
			    sizeof(link) ||
		    !realpath(link, dev) || strncmp(dev, root, strlen(root)) != 0 ||
		    !usb_device_of(dev, root))
			continue;
		usb_port = strrchr(dev, '/') + 1;
		if (!usb_device_matches(dev, usb_port, m))
			continue;
		matches++;
		snprintf(found_name, sizeof(found_name), "%s", de->d_name);
		snprintf(found_port, sizeof(found_port), "%s", usb_port);
	}
	closedir(d);
	if (!matches)
		return -ENOENT;
	if (matches > 1)
		return -ENOTUNIQ;
	if ((size_t)snprintf(path, path_size, "%s/%s", dev_dir, found_name) >= path_size)
		return -ENAMETOOLONG;
	if (port && port_size)
		snprintf(port, port_size, "%s", found_port);
	return 0;
}

int usb_sysfs_find_device(const char *sysfs_root, const struct usb_sysfs_match *m, char *port,
			  size_t port_size)
{
	char root[PATH_MAX], dir[PATH_MAX], found[256] = "", vendor[16];
	unsigned matches = 0;
	struct dirent *de;
	DIR *d;

	if (!realpath(sysfs_root, root))
		return -errno;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/bus/usb/devices", root) >= sizeof(dir))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? -ENOENT : -errno;
	while ((de = readdir(d))) {
		char dev[PATH_MAX];

		/* interfaces ("1-1:1.0") have no ids; "usb1" is a root hub */
		if (de->d_name[0] == '.' || strchr(de->d_name, ':') ||
		    (size_t)snprintf(dev, sizeof(dev), "%s/%s", dir, de->d_name) >= sizeof(dev))
			continue;
		read_attr(dev, "idVendor", vendor, sizeof(vendor));
		if (!vendor[0] || !usb_device_matches(dev, de->d_name, m))
			continue;
		matches++;
		snprintf(found, sizeof(found), "%s", de->d_name);
	}
	closedir(d);
	if (!matches)
		return -ENOENT;
	if (matches > 1)
		return -ENOTUNIQ;
	if ((size_t)snprintf(port, port_size, "%s", found) >= port_size)
		return -ENAMETOOLONG;
	return 0;
}

bool usb_sysfs_serial_is(const char *sysfs_root, const char *port, const char *want)
{
	char dir[PATH_MAX], serial[128];

	if ((size_t)snprintf(dir, sizeof(dir), "%s/bus/usb/devices/%s", sysfs_root, port) >=
	    sizeof(dir))
		return false;
	read_attr(dir, "serial", serial, sizeof(serial));
	return serial[0] && strcmp(serial, want) == 0;
}
