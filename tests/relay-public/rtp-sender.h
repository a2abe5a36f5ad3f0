/* rtp-sender.h — a local stand-in for a publisher in the tests: test
 * pictures and tones encoded as an appliance's streamer would (H.264 PT 96,
 * Opus PT 111) and handed, packet by packet, to a stream-tap function on a
 * GStreamer streaming thread, as the relay's ingest would.
 */
#pragma once

#include <glib.h>

#include "relay/stream-tap.h"

typedef struct CavTestSender CavTestSender;

/* @pattern: a videotestsrc pattern nick ("smpte", "ball", ...). */
CavTestSender *cav_test_sender_new(guint width, guint height, const char *pattern,
				   CavStreamTapFunc func, gpointer user_data);
/* Switches the picture at once (e.g. to "red" to mark a moment). */
void cav_test_sender_set_pattern(CavTestSender *s, const char *pattern);
/* Forces a keyframe (as a PLI from the relay would). Any thread. */
void cav_test_sender_keyframe(CavTestSender *s);
void cav_test_sender_free(CavTestSender *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavTestSender, cav_test_sender_free)
