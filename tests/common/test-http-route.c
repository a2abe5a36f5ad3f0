/* test-http-route.c — the route table both HTTP servers share
 * (common/http-route.c): wildcards, a tolerated trailing slash, the first
 * matching route winning, and the {id} bound each server keeps (courtavd:
 * any number of digits below G_MAXINT64; the relay: at most 18 digits).
 */
#include "common/http-route.h"

static void
handler_a(void)
{
}

static void
handler_b(void)
{
}

/* The route @path (after the router's prefix) finds, or NULL. {name}
 * and {file} point into the path's segments, freed here: not for use. */
static const CavHttpRoute *
find(GPtrArray *routes, const char *method, const char *path, guint id_max_digits,
     CavHttpRouteMatch *m)
{
	guint n;
	g_auto(GStrv) seg = cav_http_path_split(path, 24, &n);

	return cav_http_routes_find(routes, method, seg, n, id_max_digits, m);
}

static void
test_wildcards(void)
{
	g_autoptr(GPtrArray) routes = cav_http_routes_new();
	CavHttpRouteMatch m;

	cav_http_routes_add(routes, "GET", "/cases/{id}", 1, handler_a);
	cav_http_routes_add(routes, "GET", "/rooms/{key}/view", 1, handler_b);
	cav_http_routes_add(routes, "GET", "/hls/{name}/{file}", 0, handler_b);

	g_assert_true(find(routes, "GET", "cases/42", 0, &m)->handler == handler_a);
	g_assert_cmpint(m.id, ==, 42);
	g_assert_true(find(routes, "GET", "cases/42/", 0, &m) != NULL);
	g_assert_null(find(routes, "POST", "cases/42", 0, &m));
	g_assert_null(find(routes, "GET", "cases/0", 0, &m));
	g_assert_null(find(routes, "GET", "cases/-1", 0, &m));
	g_assert_null(find(routes, "GET", "cases/4x", 0, &m));
	g_assert_null(find(routes, "GET", "cases/42/x", 0, &m));

	g_assert_true(find(routes, "GET", "rooms/a1/101/view", 0, &m)->handler == handler_b);
	g_assert_cmpstr(m.key, ==, "a1/101");
	g_assert_null(find(routes, "GET", "rooms/a1/view", 0, &m));
	g_assert_null(find(routes, "GET", "rooms/a1/1.1/view", 0, &m));

	g_assert_nonnull(find(routes, "GET", "hls/a1/index.m3u8", 0, &m));
	g_assert_null(find(routes, "GET", "hls/a1/.hidden", 0, &m));
	g_assert_null(find(routes, "GET", "hls/a.1/x.ts", 0, &m));
}

static void
test_id_bounds(void)
{
	g_autoptr(GPtrArray) routes = cav_http_routes_new();
	CavHttpRouteMatch m;

	cav_http_routes_add(routes, "GET", "/x/{id}", 1, handler_a);
	/* courtavd (0: no bound on digits): below G_MAXINT64, leading zeros. */
	g_assert_nonnull(find(routes, "GET", "x/9223372036854775806", 0, &m));
	g_assert_cmpint(m.id, ==, G_GINT64_CONSTANT(9223372036854775806));
	g_assert_null(find(routes, "GET", "x/9223372036854775807", 0, &m));
	g_assert_null(find(routes, "GET", "x/99999999999999999999", 0, &m));
	g_assert_nonnull(find(routes, "GET", "x/00000000000000000000007", 0, &m));
	g_assert_cmpint(m.id, ==, 7);
	/* The relay: at most 18 digits. */
	g_assert_nonnull(find(routes, "GET", "x/999999999999999999", 18, &m));
	g_assert_null(find(routes, "GET", "x/1000000000000000000", 18, &m));
	g_assert_null(find(routes, "GET", "x/0000000000000000007", 18, &m));
}

static void
test_first_wins_and_listing(void)
{
	g_autoptr(GPtrArray) routes = cav_http_routes_new();
	static const char *const names[] = {"clerk", "judge"};
	CavHttpRouteMatch m;
	g_autofree char *listing = NULL;
	gsize len = 0;
	FILE *out = open_memstream(&listing, &len);

	cav_http_routes_add(routes, "GET", "/a/{name}", 3, handler_a);
	cav_http_routes_add(routes, "GET", "/a/b", 0, handler_b);
	g_assert_true(find(routes, "GET", "a/b", 0, &m)->handler == handler_a);

	cav_http_routes_print(out, routes, "/api/v1/", names, G_N_ELEMENTS(names));
	fclose(out);
	g_assert_cmpstr(listing, ==, "GET /api/v1/a/{name} clerk,judge\nGET /api/v1/a/b public\n");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/http-route/wildcards", test_wildcards);
	g_test_add_func("/http-route/id-bounds", test_id_bounds);
	g_test_add_func("/http-route/first-wins-and-listing", test_first_wins_and_listing);
	return g_test_run();
}
