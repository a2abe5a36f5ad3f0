/* stream.h — the relay core's side of a live stream (stream-tap.h is the
 * consumers' side). A CavStream exists per room key for as long as the
 * room publishes or anyone watches; it survives publisher reconnects, which
 * is what keeps taps and subscribers attached.
 *
 * Threads: created and retired by the control plane; packets are delivered
 * by the ingest worker that owns the stream's publisher socket. The tap
 * list is copy-on-write: delivery takes a reference to the current array
 * under taps_lock and calls the taps without the lock, so a tap may add or
 * remove taps (even itself) from inside its callback. A removed tap may
 * still be called once by a delivery already in progress; its destroy
 * notify runs after that delivery has finished.
 */
#pragma once

#include "stream-tap.h"

G_BEGIN_DECLS

/* Finds or creates the stream of @room_key in the process-wide table.
 * (transfer full) */
CavStream *cav_stream_obtain(const char *room_key);
/* Removes @stream from the table (a later obtain creates a new one);
 * holders keep theirs. */
void cav_stream_retire(CavStream *stream);
/* (transfer none) */
const char *cav_stream_key(CavStream *stream);
/* Ingest thread: hands one rewritten plain RTP packet to every tap. */
void cav_stream_deliver(CavStream *stream, CavRtpMedia media, const guint8 *packet, gsize len);
/* Whether a keyframe was asked for since the last call (clears it). Any thread. */
gboolean cav_stream_take_keyframe_request(CavStream *stream);
/* Number of taps now. */
guint cav_stream_n_taps(CavStream *stream);
/* Streams in the table now, and all that exist (leak checks). */
guint cav_stream_table_size(void);
guint cav_stream_alive(void);

/* The SSRC subscribers and taps see for @media: chosen at random when the
 * stream is created and kept for its life, whoever publishes. Any thread. */
guint32 cav_stream_out_ssrc(CavStream *stream, CavRtpMedia media);

G_END_DECLS
