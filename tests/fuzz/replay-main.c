/* replay-main.c — feeds every file of the folders (or files) named on the
 * command line to LLVMFuzzerTestOneInput, so builds without libFuzzer (gcc,
 * CI) still run each target over its corpus, under sanitizers when enabled.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static guint
replay_file(const char *path)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &data, &len, &error)) {
		g_printerr("%s\n", error->message);
		return 0;
	}
	/* A private copy of exactly @len bytes, so ASan catches any read past
	 * the input (g_file_get_contents adds a NUL). */
	{
		g_autofree uint8_t *exact = g_memdup2(data, len);

		LLVMFuzzerTestOneInput(exact, len);
	}
	return 1;
}

int
main(int argc, char **argv)
{
	guint n = 0;

	if (argc < 2) {
		g_printerr("usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		g_autoptr(GDir) dir = NULL;
		const char *name;

		if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
			n += replay_file(argv[i]);
			continue;
		}
		dir = g_dir_open(argv[i], 0, NULL);
		while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
			g_autofree char *path = g_build_filename(argv[i], name, NULL);

			if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
				n += replay_file(path);
		}
	}
	printf("replayed %u inputs\n", n);
	/* An empty corpus would make the test pass while testing nothing. */
	return n > 0 ? 0 : 1;
}
