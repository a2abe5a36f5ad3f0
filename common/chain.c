/* chain.c — the per-hearing hash chain (definition in chain.h).
 *
 * Links are hashed from one contiguous buffer so the byte layout is visible
 * in one place; the appliance, the CLI and the disc verifier must agree on
 * it byte for byte. Pure functions, any thread.
 */
#include "chain.h"

#include <string.h>

#define CAV_CHAIN_MAGIC "courtav-chain-v1"

void
cav_chain_genesis(const char *hearing_uid, guint8 out[CAV_SHA256_LEN])
{
	g_autoptr(GByteArray) buf = g_byte_array_new();

	g_return_if_fail(hearing_uid != NULL);
	g_return_if_fail(out != NULL);

	/* sizeof includes the terminating NUL, which the definition includes. */
	g_byte_array_append(buf, (const guint8 *)CAV_CHAIN_MAGIC, sizeof(CAV_CHAIN_MAGIC));
	g_byte_array_append(buf, (const guint8 *)hearing_uid, (guint)strlen(hearing_uid));
	cav_sha256_buf(buf->data, buf->len, out);
}

static void
append_be(GByteArray *buf, guint64 v, guint n_bytes)
{
	guint8 b[8];

	for (guint i = 0; i < n_bytes; i++)
		b[i] = (guint8)(v >> (8 * (n_bytes - 1 - i)));
	g_byte_array_append(buf, b, n_bytes);
}

static void
append_cstr(GByteArray *buf, const char *s)
{
	/* NULL is hashed as "" so a malformed caller cannot crash the verifier;
	 * the manifest parser never produces NULL here. */
	if (s == NULL)
		s = "";
	g_byte_array_append(buf, (const guint8 *)s, (guint)strlen(s) + 1);
}

void
cav_chain_next(const guint8 prev[CAV_SHA256_LEN], const CavChainLink *link,
	       guint8 out[CAV_SHA256_LEN])
{
	g_autoptr(GByteArray) buf = NULL;

	g_return_if_fail(prev != NULL);
	g_return_if_fail(link != NULL);
	g_return_if_fail(out != NULL);

	buf = g_byte_array_sized_new(2 * CAV_SHA256_LEN + 12 + 64);
	g_byte_array_append(buf, prev, CAV_SHA256_LEN);
	g_byte_array_append(buf, link->sha256, CAV_SHA256_LEN);
	append_be(buf, link->bytes, 8);
	append_be(buf, link->seq, 4);
	append_cstr(buf, link->track);
	append_cstr(buf, link->name);
	cav_sha256_buf(buf->data, buf->len, out);
}
