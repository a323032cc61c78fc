/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The offline patron cache by patron id: the id becomes SHA-256(store salt
 * || id) here, so no caller handles ids and hashes side by side and the
 * cache never holds an id. OpenSSL is loaded on first use (ossl.h): a
 * kiosk with the cache turned off never loads it.
 */
#include <errno.h>
#include <string.h>

#include "ossl.h"
#include "store.h"

static int patron_key(struct store *store, const char *patron, uint8_t key[STORE_KEY_HASH_LEN])
{
	uint8_t salt[STORE_SALT_LEN];
	unsigned len = STORE_KEY_HASH_LEN;
	EVP_MD_CTX *ctx;
	int r;

	if (!store || !patron)
		return -EINVAL;
	r = ossl_load();
	if (r < 0)
		return r;
	r = store_patron_salt(store, salt);
	if (r < 0)
		return r;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	r = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, salt, sizeof(salt)) &&
	    EVP_DigestUpdate(ctx, patron, strlen(patron)) && EVP_DigestFinal_ex(ctx, key, &len);
	EVP_MD_CTX_free(ctx);
	return r ? 0 : -EIO;
}

int store_patron_remember(struct store *store, const char *patron, bool allowed,
			  int64_t fetched_ms, int64_t expires_ms)
{
	uint8_t key[STORE_KEY_HASH_LEN];
	int r = patron_key(store, patron, key);

	if (r < 0)
		return r;
	return store_patron_cache_put(store, key, allowed, fetched_ms, expires_ms);
}

int store_patron_recall(struct store *store, const char *patron, struct store_patron_cached *ret)
{
	uint8_t key[STORE_KEY_HASH_LEN];
	int r = patron_key(store, patron, key);

	if (r < 0)
		return r;
	return store_patron_cache_get(store, key, ret);
}
