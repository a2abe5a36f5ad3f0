/* api-appliance.c — what appliances call: enrollment (one-time token,
 * proof of key possession), heartbeats, stream keys. Device-signed.
 * Main thread only.
 */
#include "http-private.h"

void
cav_relay_api_appliance_register(CavRelayHttp *http)
{
}
