/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenSSL, loaded the first time something needs it (a TLS link to the ILS,
 * the offline patron cache's hashes). Linked normally, libssl and libcrypto
 * cost a kiosk about 2 MiB of RSS from start-up (relocations and their
 * pages), even one that never talks to an ILS; loaded on demand, only a
 * kiosk that uses them pays.
 *
 * Files that call OpenSSL include this header instead of OpenSSL's: after
 * it, each function named in OSSL_FUNCS resolves through ossl_api, so the
 * code reads like plain OpenSSL. They must call ossl_load() (cheap once
 * loaded) before the first OpenSSL call and give up on failure.
 */
#ifndef CIRCD_OSSL_H
#define CIRCD_OSSL_H

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

/* Every function circd calls, including those behind OpenSSL's macros. */
#define OSSL_FUNCS(X)                                                                          \
	X(BIO_clear_flags) X(BIO_get_data) X(BIO_get_new_index) X(BIO_meth_free)               \
	X(BIO_meth_new) X(BIO_meth_set_create) X(BIO_meth_set_ctrl) X(BIO_meth_set_read)       \
	X(BIO_meth_set_write) X(BIO_new) X(BIO_set_data) X(BIO_set_flags) X(BIO_set_init)      \
	X(ERR_clear_error) X(ERR_peek_last_error) X(ERR_reason_error_string)                   \
	X(EVP_DigestFinal_ex) X(EVP_DigestInit_ex) X(EVP_DigestUpdate) X(EVP_MD_CTX_free)      \
	X(EVP_MD_CTX_new) X(EVP_sha256) X(CRYPTO_memcmp)                                       \
	X(SSL_CTX_ctrl) X(SSL_CTX_free) X(SSL_CTX_load_verify_locations) X(SSL_CTX_new)        \
	X(SSL_CTX_set_default_verify_paths) X(SSL_CTX_set_options) X(SSL_CTX_set_verify)       \
	X(SSL_connect) X(SSL_ctrl) X(SSL_free) X(SSL_get0_param) X(SSL_get0_peer_certificate)  \
	X(SSL_get_error) X(SSL_get_verify_result) X(SSL_has_pending) X(SSL_new) X(SSL_read_ex) \
	X(SSL_set1_host) X(SSL_set_bio) X(SSL_set_connect_state) X(SSL_set_hostflags)          \
	X(SSL_shutdown) X(SSL_write_ex) X(TLS_client_method) X(X509_VERIFY_PARAM_set1_ip_asc)  \
	X(X509_digest) X(X509_verify_cert_error_string)

struct ossl_api {
#define OSSL_MEMBER(name) __typeof__(name) *name;
	OSSL_FUNCS(OSSL_MEMBER)
#undef OSSL_MEMBER
};

extern struct ossl_api ossl_api;

/*
 * Loads libssl (and with it libcrypto) once: 0, or -ELIBACC when it is not
 * installed or lacks a function; then nothing in ossl_api may be called.
 */
int ossl_load(void);

#ifndef OSSL_NO_REDIRECT
#define BIO_clear_flags ossl_api.BIO_clear_flags
#define CRYPTO_memcmp ossl_api.CRYPTO_memcmp
#define BIO_get_data ossl_api.BIO_get_data
#define BIO_get_new_index ossl_api.BIO_get_new_index
#define BIO_meth_free ossl_api.BIO_meth_free
#define BIO_meth_new ossl_api.BIO_meth_new
#define BIO_meth_set_create ossl_api.BIO_meth_set_create
#define BIO_meth_set_ctrl ossl_api.BIO_meth_set_ctrl
#define BIO_meth_set_read ossl_api.BIO_meth_set_read
#define BIO_meth_set_write ossl_api.BIO_meth_set_write
#define BIO_new ossl_api.BIO_new
#define BIO_set_data ossl_api.BIO_set_data
#define BIO_set_flags ossl_api.BIO_set_flags
#define BIO_set_init ossl_api.BIO_set_init
#define ERR_clear_error ossl_api.ERR_clear_error
#define ERR_peek_last_error ossl_api.ERR_peek_last_error
#define ERR_reason_error_string ossl_api.ERR_reason_error_string
#define EVP_DigestFinal_ex ossl_api.EVP_DigestFinal_ex
#define EVP_DigestInit_ex ossl_api.EVP_DigestInit_ex
#define EVP_DigestUpdate ossl_api.EVP_DigestUpdate
#define EVP_MD_CTX_free ossl_api.EVP_MD_CTX_free
#define EVP_MD_CTX_new ossl_api.EVP_MD_CTX_new
#define EVP_sha256 ossl_api.EVP_sha256
#define SSL_CTX_ctrl ossl_api.SSL_CTX_ctrl
#define SSL_CTX_free ossl_api.SSL_CTX_free
#define SSL_CTX_load_verify_locations ossl_api.SSL_CTX_load_verify_locations
#define SSL_CTX_new ossl_api.SSL_CTX_new
#define SSL_CTX_set_default_verify_paths ossl_api.SSL_CTX_set_default_verify_paths
#define SSL_CTX_set_options ossl_api.SSL_CTX_set_options
#define SSL_CTX_set_verify ossl_api.SSL_CTX_set_verify
#define SSL_connect ossl_api.SSL_connect
#define SSL_ctrl ossl_api.SSL_ctrl
#define SSL_free ossl_api.SSL_free
#define SSL_get0_param ossl_api.SSL_get0_param
#define SSL_get0_peer_certificate ossl_api.SSL_get0_peer_certificate
#define SSL_get_error ossl_api.SSL_get_error
#define SSL_get_verify_result ossl_api.SSL_get_verify_result
#define SSL_has_pending ossl_api.SSL_has_pending
#define SSL_new ossl_api.SSL_new
#define SSL_read_ex ossl_api.SSL_read_ex
#define SSL_set1_host ossl_api.SSL_set1_host
#define SSL_set_bio ossl_api.SSL_set_bio
#define SSL_set_connect_state ossl_api.SSL_set_connect_state
#define SSL_set_hostflags ossl_api.SSL_set_hostflags
#define SSL_shutdown ossl_api.SSL_shutdown
#define SSL_write_ex ossl_api.SSL_write_ex
#define TLS_client_method ossl_api.TLS_client_method
#define X509_VERIFY_PARAM_set1_ip_asc ossl_api.X509_VERIFY_PARAM_set1_ip_asc
#define X509_digest ossl_api.X509_digest
#define X509_verify_cert_error_string ossl_api.X509_verify_cert_error_string
#endif

#endif
