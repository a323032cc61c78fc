/* SPDX-License-Identifier: GPL-2.0-or-later */
#define OSSL_NO_REDIRECT
#include "ossl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>

struct ossl_api ossl_api;

int ossl_load(void)
{
	static bool loaded;
	static int failed;
	void *lib;

	if (loaded)
		return 0;
	if (failed)
		return failed;
	/* libssl pulls in libcrypto; dlsym() on its handle finds both. */
	lib = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		failed = -ELIBACC;
		return failed;
	}
#define OSSL_RESOLVE(name)                                                                     \
	*(void **)&ossl_api.name = dlsym(lib, #name);                                          \
	if (!ossl_api.name)                                                                    \
		failed = -ELIBACC;
	OSSL_FUNCS(OSSL_RESOLVE)
#undef OSSL_RESOLVE
	if (failed) {
		dlclose(lib);
		return failed;
	}
	loaded = true; /* never unloaded: OpenSSL does not support it */
	return 0;
}
