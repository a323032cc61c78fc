/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Picks each device class's backend by the name the board file gives, so
 * that firmware never names a backend. Unknown names are -ENOENT.
 */
#ifndef CIRCD_HAL_H
#define CIRCD_HAL_H

#include "display.h"
#include "printer.h"
#include "gpio.h"
#include "rfid.h"
#include "scanner.h"

const struct gpio_ops *hal_gpio_backend(const char *name);
const struct scanner_ops *hal_scanner_backend(const char *name);
const struct display_ops *hal_display_backend(const char *name);
const struct printer_ops *hal_printer_backend(const char *name);
/* By the board's protocol name: "sim" (and "feig", "3m" once they are built). */
const struct rfid_ops *hal_rfid_backend(const char *name);

#endif
