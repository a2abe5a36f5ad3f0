/* srtp.c — libsrtp2 sessions (srtp.h). */
#include "srtp.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>
#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-srtp-error-quark, cav_srtp_error)
/* clang-format on */

struct CavSrtp {
	srtp_t session; /* owned */
};

gboolean
cav_srtp_global_init(GError **error)
{
	static gsize done = 0;
	static srtp_err_status_t status;

	if (g_once_init_enter(&done)) {
		status = srtp_init();
		g_once_init_leave(&done, 1);
	}
	if (status != srtp_err_status_ok) {
		g_set_error(error, CAV_SRTP_ERROR, 0, "libsrtp failed to start (error %d)", status);
		return FALSE;
	}
	return TRUE;
}

const char *
cav_srtp_suite_name(CavSrtpSuite suite)
{
	return suite == CAV_SRTP_AES_128_GCM ? "AEAD_AES_128_GCM" : "AES_CM_128_HMAC_SHA1_80";
}

gboolean
cav_srtp_suite_parse(const char *name, CavSrtpSuite *out)
{
	if (g_strcmp0(name, "AEAD_AES_128_GCM") == 0)
		*out = CAV_SRTP_AES_128_GCM;
	else if (g_strcmp0(name, "AES_CM_128_HMAC_SHA1_80") == 0)
		*out = CAV_SRTP_AES_128_CM_SHA1_80;
	else
		return FALSE;
	return TRUE;
}

gsize
cav_srtp_key_len(CavSrtpSuite suite)
{
	return suite == CAV_SRTP_AES_128_GCM ? SRTP_AES_GCM_128_KEY_LEN_WSALT
					     : SRTP_AES_ICM_128_KEY_LEN_WSALT;
}

char *
cav_srtp_key_new_base64(CavSrtpSuite suite)
{
	guint8 key[64];
	char *b64;

	if (RAND_bytes(key, (int)cav_srtp_key_len(suite)) != 1)
		g_error("RAND_bytes failed: no secure random numbers");
	b64 = g_base64_encode(key, cav_srtp_key_len(suite));
	OPENSSL_cleanse(key, sizeof key);
	return b64;
}

gboolean
cav_srtp_key_decode(CavSrtpSuite suite, const char *b64, guint8 *out)
{
	g_autofree guint8 *raw = NULL;
	gsize n = 0, want = cav_srtp_key_len(suite);

	if (b64 == NULL || strlen(b64) > 64)
		return FALSE;
	raw = g_base64_decode(b64, &n);
	if (n != want) {
		if (raw != NULL)
			OPENSSL_cleanse(raw, n);
		return FALSE;
	}
	memcpy(out, raw, n);
	OPENSSL_cleanse(raw, n);
	return TRUE;
}

CavSrtp *
cav_srtp_new(CavSrtpSuite suite, const guint8 *key, gboolean outbound, GError **error)
{
	srtp_policy_t policy;
	CavSrtp *s;
	srtp_err_status_t st;

	if (!cav_srtp_global_init(error))
		return NULL;
	memset(&policy, 0, sizeof policy);
	if (suite == CAV_SRTP_AES_128_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
	}
	policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	policy.key = (unsigned char *)key;
	policy.window_size = 1024;
	policy.allow_repeat_tx = outbound ? 1 : 0;
	s = g_new0(CavSrtp, 1);
	st = srtp_create(&s->session, &policy);
	if (st != srtp_err_status_ok) {
		g_set_error(error, CAV_SRTP_ERROR, 0,
			    "cannot create an SRTP session (%s, error %d)",
			    cav_srtp_suite_name(suite), st);
		g_free(s);
		return NULL;
	}
	return s;
}

void
cav_srtp_free(CavSrtp *s)
{
	if (s == NULL)
		return;
	srtp_dealloc(s->session);
	g_free(s);
}

static CavSrtpStatus
status(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok:
		return CAV_SRTP_OK;
	case srtp_err_status_auth_fail:
		return CAV_SRTP_AUTH_FAIL;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return CAV_SRTP_REPLAY;
	default:
		return CAV_SRTP_FAIL;
	}
}

CavSrtpStatus
cav_srtp_protect(CavSrtp *s, guint8 *buf, gsize *len)
{
	int n = (int)*len;
	CavSrtpStatus r = status(srtp_protect(s->session, buf, &n));

	*len = (gsize)n;
	return r;
}

CavSrtpStatus
cav_srtp_unprotect(CavSrtp *s, guint8 *buf, gsize *len)
{
	int n = (int)*len;
	CavSrtpStatus r;

	if (*len < 12 || *len > 65535)
		return CAV_SRTP_FAIL;
	r = status(srtp_unprotect(s->session, buf, &n));
	*len = (gsize)n;
	return r;
}

CavSrtpStatus
cav_srtp_protect_rtcp(CavSrtp *s, guint8 *buf, gsize *len)
{
	int n = (int)*len;
	CavSrtpStatus r = status(srtp_protect_rtcp(s->session, buf, &n));

	*len = (gsize)n;
	return r;
}

CavSrtpStatus
cav_srtp_unprotect_rtcp(CavSrtp *s, guint8 *buf, gsize *len)
{
	int n = (int)*len;
	CavSrtpStatus r;

	if (*len < 8 || *len > 65535)
		return CAV_SRTP_FAIL;
	r = status(srtp_unprotect_rtcp(s->session, buf, &n));
	*len = (gsize)n;
	return r;
}
