/* SPDX-License-Identifier: GPL-2.0-or-later */
/* circd's version, as --version, the start-up log and the metrics' build_info say it. */
#ifndef CIRCD_VERSION_H
#define CIRCD_VERSION_H

/* The Makefile sets it from debian/changelog; a build without it says so. */
#ifndef CIRCD_VERSION
#define CIRCD_VERSION "unknown"
#endif

#endif
