/* chain.h — the per-hearing hash chain over closed segments.
 *
 * Every closed segment of a hearing, whatever its track, is appended to one
 * chain in the order the segments closed:
 *
 *   genesis = SHA256("courtav-chain-v1\0" || hearing_uid)
 *   link_n  = SHA256(link_{n-1} || sha256(file) || u64be(bytes) || u32be(seq) || track || "\0" || name || "\0")
 *
 * where name is the file's base name. Binding name, track and sequence into
 * the link is what lets a verifier tell a renamed or reordered file from an
 * altered one. The head (last link) is what sealing signs. Pure functions.
 */
#pragma once

#include <glib.h>
#include "sha256.h"

G_BEGIN_DECLS

typedef struct {
	const char *track; /* "cam1", "program", "audio" (unowned) */
	guint seq;         /* per-track sequence number, from 1 */
	const char *name;  /* file base name (unowned) */
	guint64 bytes;     /* file size */
	guint8 sha256[CAV_SHA256_LEN];
} CavChainLink;

void cav_chain_genesis(const char *hearing_uid, guint8 out[CAV_SHA256_LEN]);
void cav_chain_next(const guint8 prev[CAV_SHA256_LEN], const CavChainLink *link,
		    guint8 out[CAV_SHA256_LEN]);

G_END_DECLS
