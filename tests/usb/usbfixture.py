# SPDX-License-Identifier: GPL-2.0-or-later
"""Generated umockdev fixtures: a USB HID scanner as the kernel shows it.

umockdev-run replays a device description (sysfs and udev properties, what
libusb enumerates) and an ioctl script (the usbdevfs URBs libusb submits and
reaps). Generating them, instead of keeping only recordings, lets a test say
exactly what the scanner sends: a wedge scan, a HID POS symbol split over two
reports, a device that stops in the middle of a symbol.

The device sits where dummy_hcd puts a gadget (bus 1, port 1, /dev/bus/usb/
001/002), as tests/board's emulated board records it. What the replay checks
of circd's side: each control transfer (SET_PROTOCOL, SET_IDLE) must match
byte for byte and each interrupt IN transfer must ask for wMaxPacketSize
bytes, so the fixture also pins down how circd talks to the device.
"""

DEVNODE = "/dev/bus/usb/001/002"
SYSPATH = "/devices/platform/dummy_hcd.0/usb1/1-1"

# The standard boot keyboard report descriptor (HID 1.11, appendix B.1).
BOOT_KEYBOARD_DESC = bytes.fromhex(
    "05010906a101050719e029e71500250175019508810295017508810395057501"
    "050819012905910295017503910395067508150025650507190029658100c0")

# The HID POS descriptor of the emulated board's second gadget (usage page 0x8C).
HIDPOS_DESC = bytes.fromhex(
    "058c0902a1018502 0912a102 150026ff00 75089503 19fb29fd 8102 9538 09fe 820201"
    " 75019501 2501 09ff 8102 7507 8103 c0c0".replace(" ", ""))

# A keyboard that is not a boot interface, with a Report ID before its
# modifiers: the Arduino Keyboard library's descriptor (Keyboard.cpp), as
# composite devices put it on an interface of bInterfaceSubClass 0.
REPORT_ID_KEYBOARD_DESC = bytes.fromhex(
    "05010906a1018502 050719e029e715002501 750195088102 950175088103"
    " 950675081500257305071900297381 00 c0".replace(" ", ""))
REPORT_ID_KEYBOARD_ID = 2

ENTER = 0x28
SHIFT = 0x02


def _usage(ch):
    """US layout: (modifier, usage) for a printable ASCII character."""
    if ch.isdigit():
        return 0, 0x27 if ch == "0" else 0x1e + int(ch) - 1
    if "a" <= ch <= "z":
        return 0, 0x04 + ord(ch) - ord("a")
    if "A" <= ch <= "Z":
        return SHIFT, 0x04 + ord(ch) - ord("A")
    table = {"-": (0, 0x2d), " ": (0, 0x2c), ".": (0, 0x37), "/": (0, 0x38)}
    return table[ch]


def idle_reports(n, hidpos=False):
    """Reports that say nothing (no key held; an empty HID POS report), as a device
    repeats them at its idle rate. Under umockdev each costs circd one poll
    interval, so a few hundred give the test time to connect before the scan."""
    return [bytes([2]) + bytes(60) if hidpos else bytes(8)] * n


def wedge_reports(text, enter=True, report_id=0):
    """Boot keyboard reports typing text: press, release, ..., [Enter]; with a
    report_id, the same keys as a report-protocol keyboard sends them."""
    head = bytes([report_id]) if report_id else b""
    out = []
    for ch in text:
        mod, usage = _usage(ch)
        out.append(head + bytes([mod, 0, usage, 0, 0, 0, 0, 0]))
        out.append(head + bytes(8))
    if enter:
        out += [head + bytes([0, 0, ENTER, 0, 0, 0, 0, 0]), head + bytes(8)]
    return out


def hidpos_reports(text, aim="]F0", chunk=56):
    """HID POS reports for one symbol: id 2, AIM id, data (56 bytes), continued bit."""
    parts = [text[i:i + chunk] for i in range(0, len(text), chunk)] or [""]
    out = []
    for i, part in enumerate(parts):
        more = 1 if i < len(parts) - 1 else 0
        data = part.encode().ljust(56, b"\0")
        out.append(bytes([2]) + aim.encode() + data + bytes([more]))
    return out


class Interface:
    """One HID interface: its report descriptor, interrupt IN endpoint and whether it is a boot
    keyboard (bInterfaceSubClass 1, bInterfaceProtocol 1; else both 0)."""

    def __init__(self, report_desc, mps, boot, ep=0x81):
        self.report_desc, self.mps, self.boot, self.ep = report_desc, mps, boot, ep


KINDS = {
    # kind: (interfaces, the one circd reads, product)
    "wedge": ([Interface(BOOT_KEYBOARD_DESC, 8, True)], 0, "Keyboard wedge scanner"),
    "hidpos": ([Interface(HIDPOS_DESC, 64, False)], 0, "HID POS scanner"),
    "report-id-keyboard": ([Interface(REPORT_ID_KEYBOARD_DESC, 16, False)], 0,
                           "Composite scanner keyboard"),
    # a HID POS interface first, the keyboard (not a boot one) second: a wedge must pick it
    "composite": ([Interface(HIDPOS_DESC, 64, False, 0x81),
                   Interface(REPORT_ID_KEYBOARD_DESC, 16, False, 0x82)], 1,
                  "Composite scanner"),
}


def _descriptors(vid, pid, interfaces):
    device = bytes([18, 1, 0x00, 0x02, 0, 0, 0, 64, vid & 0xff, vid >> 8, pid & 0xff, pid >> 8,
                    0x00, 0x01, 1, 2, 3, 1])
    body = b""
    for n, i in enumerate(interfaces):
        sub, proto = (1, 1) if i.boot else (0, 0)
        size = len(i.report_desc)
        body += bytes([9, 4, n, 0, 1, 3, sub, proto, 0])
        body += bytes([9, 0x21, 0x11, 0x01, 0, 1, 0x22, size & 0xff, size >> 8])
        body += bytes([7, 5, i.ep, 3, i.mps & 0xff, i.mps >> 8, 4])
    total = 9 + len(body)
    config = bytes([9, 2, total & 0xff, total >> 8, len(interfaces), 1, 0, 0x80, 50])
    return device + config + body


def device_description(vid, pid, serial, kind="wedge"):
    """The .umockdev text: the scanner, the usbhid children of its interfaces that are not
    boot keyboards, the root hub."""
    interfaces, _, product = KINDS[kind]
    desc = _descriptors(vid, pid, interfaces).hex().upper()
    lines = []
    for n, i in enumerate(interfaces):
        if i.boot:
            continue
        # usbhid bound at enumeration: its report_descriptor is where circd reads it
        lines += ["P: %s/1-1:1.%d/0003:%04X:%04X.%04X" % (SYSPATH, n, vid, pid, n + 1),
                  "E: DRIVER=hid-generic", "E: SUBSYSTEM=hid",
                  "E: HID_ID=0003:%08X:%08X" % (vid, pid),
                  "H: report_descriptor=%s" % i.report_desc.hex().upper(), ""]
        lines += ["P: %s/1-1:1.%d" % (SYSPATH, n), "E: DEVTYPE=usb_interface",
                  "E: DRIVER=usbhid", "E: SUBSYSTEM=usb", "A: bInterfaceClass=03\\n",
                  "A: bInterfaceNumber=%02d\\n" % n, "A: bInterfaceProtocol=00\\n",
                  "A: bInterfaceSubClass=00\\n", ""]
    return "\n".join(lines + _device_nodes(vid, pid, serial, product, desc, len(interfaces)))


def _device_nodes(vid, pid, serial, product, desc, n_interfaces):
    """The device's own node, the root hub and the dummy_hcd platform device."""
    return [
        "P: %s" % SYSPATH,
        "N: bus/usb/001/002=%s" % desc,
        "E: BUSNUM=001", "E: DEVNAME=%s" % DEVNODE, "E: DEVNUM=002", "E: DEVTYPE=usb_device",
        "E: DRIVER=usb", "E: MAJOR=189", "E: MINOR=1",
        "E: PRODUCT=%x/%x/100" % (vid, pid), "E: SUBSYSTEM=usb",
        "A: authorized=1\\n", "A: bConfigurationValue=1\\n", "A: bDeviceClass=00\\n",
        "A: bNumConfigurations=1\\n", "A: bNumInterfaces= %d\\n" % n_interfaces,
        "A: busnum=1\\n",
        "A: devnum=2\\n", "A: devpath=1\\n", "A: idProduct=%04x\\n" % pid,
        "A: idVendor=%04x\\n" % vid, "A: manufacturer=circd tests\\n",
        "A: product=%s\\n" % product, "A: serial=%s\\n" % serial, "A: speed=480\\n",
        "H: descriptors=%s" % desc, "",
        "P: /devices/platform/dummy_hcd.0/usb1",
        "N: bus/usb/001/001=12010002090001406B1D020001060302010109021900010100E000090400000109"
        "0000000705810304000C",
        "E: BUSNUM=001", "E: DEVNAME=/dev/bus/usb/001/001", "E: DEVNUM=001",
        "E: DEVTYPE=usb_device", "E: DRIVER=usb", "E: MAJOR=189", "E: MINOR=0",
        "E: PRODUCT=1d6b/2/601", "E: SUBSYSTEM=usb",
        "A: authorized=1\\n", "A: bConfigurationValue=1\\n", "A: bDeviceClass=09\\n",
        "A: bNumConfigurations=1\\n", "A: bNumInterfaces= 1\\n", "A: busnum=1\\n",
        "A: devnum=1\\n", "A: devpath=0\\n", "A: idProduct=0002\\n", "A: idVendor=1d6b\\n",
        "A: speed=480\\n",
        "H: descriptors=12010002090001406B1D020001060302010109021900010100E0000904000001090000"
        "000705810304000C", "",
        "P: /devices/platform/dummy_hcd.0", "E: DRIVER=dummy_hcd", "E: SUBSYSTEM=platform", "",
    ]


def _control_out(request, iface=0):
    """A class request to the interface with no data stage, as libusb submits it."""
    setup = bytes([0x21, request, 0, 0, iface, 0, 0, 0])
    return "USBDEVFS_REAPURBNDELAY 0 2 0 0 0 8 8 0 %s" % setup.hex().upper()


def ioctl_script(reports, kind="wedge", end="unplug"):
    """The .ioctl text: circd's set-up control transfers, one reap per report, then the end.

    umockdev starts a script over when it runs out, so every script ends with
    something after which circd submits no more: end="unplug", the device is
    gone (-ENODEV); end="silent", it stops answering (-EPROTO on every
    transfer, as a host controller reports a device that no longer responds)."""
    interfaces, read, _ = KINDS[kind]
    i = interfaces[read]
    lines = ["@DEV %s" % DEVNODE, "USBDEVFS_GET_CAPABILITIES 0 FF010000"]
    if i.boot:
        lines.append(_control_out(0x0b, read))  # SET_PROTOCOL(boot)
    lines.append(_control_out(0x0a, read))      # SET_IDLE(0)
    reaps = ["0 %d %s" % (len(r), r.hex().upper()) for r in reports]
    if end == "silent":
        reaps += ["-71 0 "] * 5
    reaps.append("-19 0 ")
    indent = ""
    for reap in reaps:
        status, length, data = reap.split(" ")
        lines.append("%sUSBDEVFS_REAPURBNDELAY 0 1 %d %s 0 %d %s 0 %s"
                     % (indent, i.ep, status, i.mps, length, data))
        indent += " "
    return "\n".join(lines) + "\n"


def write(dirpath, name, vid, pid, serial, reports, kind="wedge", end="unplug"):
    """Writes NAME.umockdev and NAME.ioctl; returns umockdev-run's arguments.
    kind: "wedge" (boot keyboard), "hidpos", "report-id-keyboard"."""
    import os
    dev = os.path.join(dirpath, name + ".umockdev")
    ioc = os.path.join(dirpath, name + ".ioctl")
    with open(dev, "w") as f:
        f.write(device_description(vid, pid, serial, kind))
    with open(ioc, "w") as f:
        f.write(ioctl_script(reports, kind, end))
    return ["-d", dev, "-i", "%s=%s" % (DEVNODE, ioc)]


# A reader on bulk endpoints of its own: FEIG's USB readers as a public client of the
# ID ISC.LR2500 drives one (vendor 0x0AB1, bulk OUT 0x02, bulk IN 0x81; see
# hal/usb-bulk-port.h), each request one OUT transfer and each answer one IN transfer.
BULK_OUT = 0x02
BULK_IN = 0x81
BULK_IN_LEN = 2048  # what circd asks for in each IN transfer (USB_BULK_PORT_IN_MAX)


def bulk_device_description(vid, pid, serial, product="USB RFID reader", mps=64):
    """The .umockdev text of a device with one vendor-specific interface, bulk OUT and IN."""
    device = bytes([18, 1, 0x00, 0x02, 0, 0, 0, 64, vid & 0xff, vid >> 8, pid & 0xff, pid >> 8,
                    0x00, 0x01, 1, 2, 3, 1])
    body = bytes([9, 4, 0, 0, 2, 0xff, 0, 0, 0])
    for ep in (BULK_OUT, BULK_IN):
        body += bytes([7, 5, ep, 2, mps & 0xff, mps >> 8, 0])
    total = 9 + len(body)
    config = bytes([9, 2, total & 0xff, total >> 8, 1, 1, 0, 0x80, 50])
    desc = (device + config + body).hex().upper()
    return "\n".join(_device_nodes(vid, pid, serial, product, desc, 1))


def bulk_ioctl_script(exchanges, unplug_on=None):
    """The .ioctl text: each (request, answer) as an OUT reap then an IN reap, in order;
    then unplug_on, the request that finds the device gone (-ENODEV), if given."""
    reaps = []
    for request, answer in exchanges:
        reaps.append((BULK_OUT, 0, len(request), len(request), request))
        reaps.append((BULK_IN, 0, BULK_IN_LEN, len(answer), answer))
    if unplug_on is not None:
        reaps.append((BULK_OUT, -19, len(unplug_on), 0, unplug_on))
    lines = ["@DEV %s" % DEVNODE, "USBDEVFS_GET_CAPABILITIES 0 FF010000"]
    for depth, (ep, status, length, actual, data) in enumerate(reaps):
        lines.append("%sUSBDEVFS_REAPURBNDELAY 0 3 %d %d 0 %d %d 0 %s"
                     % (" " * depth, ep, status, length, actual, data.hex().upper()))
    return "\n".join(lines) + "\n"


def write_bulk(dirpath, name, vid, pid, serial, exchanges, unplug_on=None):
    """Writes NAME.umockdev and NAME.ioctl of a bulk reader; returns umockdev-run's arguments."""
    import os
    dev = os.path.join(dirpath, name + ".umockdev")
    ioc = os.path.join(dirpath, name + ".ioctl")
    with open(dev, "w") as f:
        f.write(bulk_device_description(vid, pid, serial))
    with open(ioc, "w") as f:
        f.write(bulk_ioctl_script(exchanges, unplug_on))
    return ["-d", dev, "-i", "%s=%s" % (DEVNODE, ioc)]
