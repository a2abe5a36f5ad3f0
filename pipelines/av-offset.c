/* av-offset.c — A/V offset and dropped frames of a recorded file (see av-offset.h).
 *
 * Pure; any thread.
 */
#include "av-offset.h"

#include <math.h>

gboolean
cav_av_offset_ms(const CavMp4Info *info, double *offset_ms)
{
	double by_time, by_count;

	if (info->audio_samples == 0 || info->audio_timescale == 0 ||
	    info->audio_duration_s <= info->audio_start_s)
		return FALSE;
	by_time = info->audio_duration_s - info->audio_start_s;
	by_count = (double)info->audio_samples * CAV_AAC_FRAME_SAMPLES / info->audio_timescale;
	*offset_ms = (by_time - by_count) * 1000.0;
	return TRUE;
}

gboolean
cav_av_dropped_frames(const CavMp4Info *info, guint fps, guint64 *dropped)
{
	double expected;

	if (info->video_samples == 0 || fps == 0 || info->video_duration_s <= info->video_start_s)
		return FALSE;
	expected = round((info->video_duration_s - info->video_start_s) * fps);
	*dropped = expected > (double)info->video_samples
			   ? (guint64)(expected - (double)info->video_samples)
			   : 0;
	return TRUE;
}

gboolean
cav_av_offset_acceptable(double offset_ms)
{
	return offset_ms <= CAV_AV_MAX_LEAD_MS && offset_ms >= -CAV_AV_MAX_LAG_MS;
}
