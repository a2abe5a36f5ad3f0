/* reqsign.c — signing and checking device-signed requests (reqsign.h).
 * Any thread; no shared state. */
#include "reqsign.h"
#include "sha256.h"

#include <openssl/rand.h>
#include <string.h>

void
cav_reqsig_free(CavReqSig *sig)
{
	if (sig == NULL)
		return;
	g_free(sig->key_id);
	g_free(sig->time);
	g_free(sig->nonce);
	g_free(sig->signature);
	g_free(sig);
}

char *
cav_reqsign_canonical(const char *method, const char *target, const char *time, const char *nonce,
		      const guint8 *body, gsize len)
{
	guint8 digest[CAV_SHA256_LEN];
	g_autofree char *hex = NULL;

	cav_sha256_buf(body != NULL ? body : (const guint8 *)"", body != NULL ? len : 0, digest);
	hex = cav_sha256_hex(digest);
	return g_strdup_printf("courtav-req-v1\n%s\n%s\n%s\n%s\n%s", method, target, time, nonce,
			       hex);
}

CavReqSig *
cav_reqsign_make(const CavSigner *signer, const char *method, const char *target,
		 const guint8 *body, gsize len, gint64 now_us, GError **error)
{
	g_autoptr(CavReqSig) sig = g_new0(CavReqSig, 1);
	g_autofree char *text = NULL;
	g_autoptr(GBytes) raw = NULL;
	guint8 nonce[16];
	GString *hex = g_string_sized_new(33);
	gsize n = 0;
	const guint8 *p;

	if (RAND_bytes(nonce, sizeof nonce) != 1)
		g_error("RAND_bytes failed: no secure random numbers");
	for (guint i = 0; i < sizeof nonce; i++)
		g_string_append_printf(hex, "%02x", nonce[i]);
	sig->key_id = g_strdup(cav_signer_key_id(signer));
	sig->time = g_strdup_printf("%" G_GINT64_FORMAT, now_us / 1000);
	sig->nonce = g_string_free(hex, FALSE);
	text = cav_reqsign_canonical(method, target, sig->time, sig->nonce, body, len);
	raw = cav_signer_sign(signer, (const guint8 *)text, strlen(text), error);
	if (raw == NULL)
		return NULL;
	p = g_bytes_get_data(raw, &n);
	sig->signature = g_base64_encode(p, n);
	return g_steal_pointer(&sig);
}

static gboolean
all_digits(const char *s, gsize min, gsize max)
{
	gsize n = s != NULL ? strlen(s) : 0;

	return n >= min && n <= max && strspn(s, "0123456789") == n;
}

gboolean
cav_reqsign_verify(const char *alg, const char *public_pem, const char *method, const char *target,
		   const guint8 *body, gsize len, const char *time, const char *nonce,
		   const char *signature_b64, GError **error)
{
	g_autofree char *text = NULL;
	g_autofree guint8 *sig = NULL;
	gsize nonce_len = nonce != NULL ? strlen(nonce) : 0;
	gsize b64_len = signature_b64 != NULL ? strlen(signature_b64) : 0;
	gsize sig_len = 0;

	if (!all_digits(time, 1, 16) || nonce_len < 16 || nonce_len > 64 ||
	    strspn(nonce, "0123456789abcdef") != nonce_len || b64_len == 0 || b64_len > 512 ||
	    strspn(signature_b64,
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
		    b64_len) {
		g_set_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_BAD_SIGNATURE,
			    "malformed request signature headers");
		return FALSE;
	}
	sig = g_base64_decode(signature_b64, &sig_len);
	text = cav_reqsign_canonical(method, target, time, nonce, body, len);
	return cav_signature_verify(alg, public_pem, (const guint8 *)text, strlen(text), sig,
				    sig_len, error);
}
