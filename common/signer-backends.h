/* signer-backends.h — private: the backend tables signer.c registers.
 * A new scheme adds one declaration here and one line in signer.c.
 */
#pragma once

#include "signer.h"

G_BEGIN_DECLS

extern const CavSignerBackend cav_signer_backend_ed25519;

/* Shared helpers for backends: the current OpenSSL error queue as text,
 * cleared afterwards. (transfer full) */
char *cav_signer_openssl_error(void);

G_END_DECLS
