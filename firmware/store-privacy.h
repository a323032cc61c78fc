/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Privacy (store-privacy.c, store-patron.c): who borrowed what is purged
 * once the ILS has it, and the offline patron cache holds salted hashes,
 * never patron ids or PINs.
 *
 * Ownership as store.h: the caller owns every struct; strings are copied.
 */
/* Outside the guard: store.h includes this one at its end, after its own types. */
#include "store.h"

#ifndef CIRCD_STORE_PRIVACY_H
#define CIRCD_STORE_PRIVACY_H

/*
 * For confirmed txns with confirmed_ms <= older_than_ms not yet purged:
 * patron = "", purged; their local loans go too (the ILS is the record
 * now). Conflicts and failures keep their patron for staff.
 */
int store_purge(struct store *store, int64_t older_than_ms, unsigned *purged);


/*
 * The offline patron cache (store-privacy.c).
 * Holds no patron ids or PINs: rows are keyed on a hash the caller computes
 * as SHA-256 or HMAC over (store salt || patron id), the salt from
 * store_patron_salt(): 16 random bytes made once per store, stable across
 * reopens.
 */
#define STORE_SALT_LEN 16
#define STORE_KEY_HASH_LEN 32

int store_patron_salt(struct store *store, uint8_t salt[STORE_SALT_LEN]);

struct store_patron_cached {
	uint8_t key_hash[STORE_KEY_HASH_LEN];
	bool allowed;
	int64_t fetched_ms;
	int64_t expires_ms; /* the caller compares with its clock: get returns expired rows too */
};

/* Inserts or replaces the row of key_hash (the store salt goes in its salt column). */
int store_patron_cache_put(struct store *store, const uint8_t key_hash[STORE_KEY_HASH_LEN],
			   bool allowed, int64_t fetched_ms, int64_t expires_ms);
/* -ENOENT when key_hash has no row. */
int store_patron_cache_get(struct store *store, const uint8_t key_hash[STORE_KEY_HASH_LEN],
			   struct store_patron_cached *ret);
/* Deletes rows with expires_ms <= now_ms; returns how many (>= 0) or -errno. */
int store_patron_cache_expire(struct store *store, int64_t now_ms);

/*
 * The same by patron id (store-patron.c), hashed here with SHA-256 over
 * (store salt || patron id): what the kiosk uses, so it never hashes.
 */
int store_patron_remember(struct store *store, const char *patron, bool allowed,
			  int64_t fetched_ms, int64_t expires_ms);
/* -ENOENT when the patron has no row. */
int store_patron_recall(struct store *store, const char *patron, struct store_patron_cached *ret);

#endif
