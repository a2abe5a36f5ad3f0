/* ctl-run.h — runs the built courtavctl binary from a test and collects its
 * exit status, stdout and stderr.
 *
 * The child is awaited by iterating the test thread's default main context,
 * not by blocking, so a SoupServer that the test runs on the same context
 * can answer the child's requests meanwhile. The child gets a fixed USER,
 * no COURTAV_API and no proxy, so results do not depend on who runs the
 * tests. COURTAVCTL_PATH is defined by tests/tools/meson.build.
 */
#pragma once

#include <stdio.h>
#include <gio/gio.h>
#include <glib.h>

typedef struct {
	int status; /* exit status, or -1 when killed by a signal */
	char *out;  /* stdout (owned) */
	char *err;  /* stderr (owned) */
} CtlResult;

static inline void
ctl_result_clear(CtlResult *r)
{
	g_clear_pointer(&r->out, g_free);
	g_clear_pointer(&r->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(CtlResult, ctl_result_clear)

typedef struct {
	GSubprocess *proc; /* unowned */
	CtlResult *result; /* unowned */
	gboolean done;
} CtlWait;

static inline void
ctl_run_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	CtlWait *w = user_data;
	g_autoptr(GError) error = NULL;

	g_subprocess_communicate_utf8_finish(G_SUBPROCESS(source), res, &w->result->out,
					     &w->result->err, &error);
	g_assert_no_error(error);
	w->done = TRUE;
}

/* Runs courtavctl with @argv (NULL-terminated, without the program name),
 * with the extra environment @env ("NAME=value" strings, nullable). */
static inline void
ctl_runv(CtlResult *result, const char *const *env, const char *const *argv)
{
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
		G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	CtlWait w = {.result = result};

	g_subprocess_launcher_unsetenv(launcher, "COURTAV_API");
	g_subprocess_launcher_unsetenv(launcher, "http_proxy");
	g_subprocess_launcher_unsetenv(launcher, "HTTP_PROXY");
	g_subprocess_launcher_setenv(launcher, "USER", "tester", TRUE);
	for (guint i = 0; env != NULL && env[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit(env[i], "=", 2);

		g_subprocess_launcher_setenv(launcher, kv[0], kv[1], TRUE);
	}
	g_ptr_array_add(args, (gpointer)COURTAVCTL_PATH);
	for (guint i = 0; argv[i] != NULL; i++)
		g_ptr_array_add(args, (gpointer)argv[i]);
	g_ptr_array_add(args, NULL);

	proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)args->pdata, &error);
	g_assert_no_error(error);
	w.proc = proc;
	g_subprocess_communicate_utf8_async(proc, NULL, NULL, ctl_run_done, &w);
	while (!w.done)
		g_main_context_iteration(NULL, TRUE);
	result->status = g_subprocess_get_if_exited(proc) ? g_subprocess_get_exit_status(proc) : -1;
	if (g_test_verbose())
		fprintf(stderr, "courtavctl exit %d\n--- stdout\n%s--- stderr\n%s", result->status,
			result->out, result->err);
}

/* ctl_run(&r, "verify", dir, NULL) */
#define ctl_run(result, ...) ctl_runv((result), NULL, (const char *const[]){__VA_ARGS__})
#define ctl_run_env(result, env, ...) ctl_runv((result), (env), (const char *const[]){__VA_ARGS__})
