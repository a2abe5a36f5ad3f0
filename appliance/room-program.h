/* room-program.h — the room's program picture and microphones while a
 * hearing records: the layout and main camera (chosen on the panel, or by
 * voice-activated switching), the levels published as "levels" events at
 * 10 Hz, and the silent/clipping microphone alarms (issue 3).
 *
 * Everything chosen is logged in program_switches (the speaker timeline);
 * microphone faults in audio_faults; the layout, the manual main camera and
 * whether voice switching is on are kept in the settings table, so they
 * survive a restart and apply to the next recording too.
 *
 * Main thread only (the recorder's callbacks run there).
 */
#pragma once

#include "room.h"
#include "pipelines/recorder.h"

G_BEGIN_DECLS

typedef struct CavRoomProgram CavRoomProgram;

/* The layout, main camera and voice switching as they stand. */
typedef struct {
	char *layout;             /* canonical (owned) */
	char *main_camera;        /* (owned, nullable when nothing records) */
	gboolean voice;           /* voice switching on */
	gboolean voice_available; /* some microphone has a camera */
	gboolean live;            /* a recording is running: changes apply now */
} CavProgramState;

void cav_program_state_clear(CavProgramState *state);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(CavProgramState, cav_program_state_clear)

/* (transfer full) */
CavRoomProgram *cav_room_program_new(void);
void cav_room_program_free(CavRoomProgram *program);

/* Fills @plan's layout, main camera, overlays (the case number of @h) and
 * role tracks. The strings stay valid until the next call. */
void cav_room_program_plan(CavRoom *room, const CavHearingRow *h, CavRecorderPlan *plan);
/* After the recorder of @hearing_id started: fresh switching and alarm
 * state, and a "layout" row for the start. */
void cav_room_program_started(CavRoom *room, gint64 hearing_id);
/* The recorder is down: open microphone faults end now, their alarms clear. */
void cav_room_program_stopped(CavRoom *room, gint64 hearing_id);
/* The recorder's levels callback. */
void cav_room_program_levels(CavRoom *room, const CavMicLevel *levels, guint n_levels);

/* Sets any of layout (NULL = keep), main camera (NULL = keep) and voice
 * switching (-1 = keep, 0 off, 1 on): checked, saved, audited, and applied
 * to the running recording at once. A bilingual error on bad input. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_room_program_set(CavRoom *room, const char *layout, const char *main_camera, int voice,
			      const char *actor, GError **error);
void cav_room_program_state(CavRoom *room, CavProgramState *out);

/* Stores the quality report of @hearing_id if it is closed (quality.h);
 * logs a failure. */
void cav_room_program_report(CavRoom *room, gint64 hearing_id);

/* The layouts this room can show (enough cameras for every pane).
 * (transfer full) */
GStrv cav_room_program_layouts(CavRoom *room);

G_END_DECLS
