/* SPDX-License-Identifier: GPL-2.0-or-later */
/* circd's version, as --version, the start-up log and the metrics' build_info say it. */
#ifndef CIRCD_VERSION_H
#define CIRCD_VERSION_H

/* A package build sets it (-DCIRCD_VERSION=...); a source tree is this. */
#ifndef CIRCD_VERSION
#define CIRCD_VERSION "0.1"
#endif

#endif
