/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renders ESC/POS bytes (the commands hal/escpos.c writes) back as UTF-8 text
 * for asserts: printable bytes through the selected code page, LF as '\n',
 * each command as a {tag}: {init} {cp N} {bold} {/bold} {size WxH} {left}
 * {center} {right} {feed N} {cut} {qr-model N} {qr-module N} {qr-level L|M|Q|H}
 * {qr-store DATA} {qr-print}. Independent of the encoder (it derives PC858
 * itself), so the two check each other. No CHECKs: the fuzz target uses it too.
 */
#ifndef CIRCD_TESTS_ESCPOS_RENDER_H
#define CIRCD_TESTS_ESCPOS_RENDER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes the rendering of bytes[0..len) into out (size bytes, NUL-terminated)
 * and returns its length; -EBADMSG for a byte or command it does not know,
 * -ENOSPC when out is too small.
 */
int escpos_render(const uint8_t *bytes, size_t len, char *out, size_t size);

#endif
