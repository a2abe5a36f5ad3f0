/* api-live.c — internal subscribers of live streams (inspectors, video
 * walls, other relays): SRTP keys and addresses. Main thread only.
 */
#include "http-private.h"

void
cav_relay_api_live_register(CavRelayHttp *http)
{
}
