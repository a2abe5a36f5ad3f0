/* ingest.c — the media plane's socket and workers (ingest.h). */
#include "ingest.h"

#include <gio/gio.h>

struct CavIngest {
	CavRelay *relay;  /* unowned */
	GSocket *socket;  /* owned */
	guint port;
};

CavIngest *
cav_ingest_new(CavRelay *relay, GError **error)
{
	const CavRelayConfig *c = cav_relay_config(relay);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new_from_string(c->media_host,
									       c->media_port);
	g_autoptr(GSocketAddress) bound = NULL;
	CavIngest *in = g_new0(CavIngest, 1);

	in->relay = relay;
	in->socket = g_socket_new(g_socket_address_get_family(addr), G_SOCKET_TYPE_DATAGRAM,
				  G_SOCKET_PROTOCOL_UDP, error);
	if (in->socket == NULL || !g_socket_bind(in->socket, addr, TRUE, error) ||
	    (bound = g_socket_get_local_address(in->socket, error)) == NULL) {
		g_prefix_error(error, "media socket %s:%u: ", c->media_host, c->media_port);
		cav_ingest_free(in);
		return NULL;
	}
	in->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	return in;
}

void
cav_ingest_free(CavIngest *in)
{
	if (in == NULL)
		return;
	g_clear_object(&in->socket);
	g_free(in);
}

guint
cav_ingest_port(CavIngest *ingest)
{
	return ingest->port;
}
