#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/assets.h"

#define RED  "body{color:red}"
#define BLUE "body{color:blue}"
#define JS   "console.log(1)\n"

/* The SHA-256 digests of RED, BLUE and JS, worked out with Python's
 * hashlib: 15c42ab7768d955e..., fab4811e99520685..., 3879a5d930ae1999... */

static struct asset_file file(const char *name, const char *text)
{
	struct asset_file f = {name, name, (const unsigned char *)text, strlen(text)};
	return f;
}

static void test_hashed_urls(void **state)
{
	(void)state;
	struct asset_file files[] = {file("app.css", RED), file("app.min.js", JS)};
	struct assets a;
	struct cadre_err e;
	assert_int_equal(assets_init(&a, files, 2, &e), CADRE_OK);
	assert_int_equal(a.count, 2);
	assert_string_equal(assets_url(&a, "app.css"), "/assets/app-15c42ab7.css");
	assert_string_equal(assets_url(&a, "app.min.js"), "/assets/app.min-3879a5d9.js");
	assert_null(assets_url(&a, "app"));
	assert_null(assets_url(&a, "nope.css"));
	assert_string_equal(a.items[0].etag, "\"15c42ab7768d955e\"");
	assert_string_equal(a.items[0].key, "app_css");
	assert_string_equal(a.items[1].key, "app_min_js");
	assets_free(&a);
	assert_int_equal(a.count, 0);

	/* the same name with other content has another URL */
	files[0] = file("app.css", BLUE);
	assert_int_equal(assets_init(&a, files, 2, &e), CADRE_OK);
	assert_string_equal(assets_url(&a, "app.css"), "/assets/app-fab4811e.css");
	assert_string_equal(assets_url(&a, "app.min.js"), "/assets/app.min-3879a5d9.js");
	assets_free(&a);
}

static void test_lookup(void **state)
{
	(void)state;
	struct asset_file files[] = {file("app.css", RED), file("app.js", JS),
	                             file("logo.svg", "<svg/>"), file("icon.png", "\x89PNG"),
	                             file("favicon.ico", "ico")};
	struct assets a;
	struct cadre_err e;
	assert_int_equal(assets_init(&a, files, 5, &e), CADRE_OK);
	const unsigned char *data = NULL;
	size_t len = 0;
	const char *type = NULL, *etag = NULL;
	assert_int_equal(assets_lookup(&a, "/assets/app-15c42ab7.css", &data, &len, &type, &etag),
	                 CADRE_OK);
	assert_int_equal(len, strlen(RED));
	assert_memory_equal(data, RED, len);
	assert_string_equal(type, "text/css; charset=utf-8");
	assert_string_equal(etag, "\"15c42ab7768d955e\"");
	struct {
		const char *name;
		const char *type;
	} types[] = {{"app.js", "text/javascript; charset=utf-8"},
	             {"logo.svg", "image/svg+xml"},
	             {"icon.png", "image/png"},
	             {"favicon.ico", "image/x-icon"}};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		const char *url = assets_url(&a, types[i].name);
		assert_non_null(url);
		assert_int_equal(assets_lookup(&a, url, &data, &len, &type, &etag), CADRE_OK);
		assert_string_equal(type, types[i].type);
	}
	/* only the hashed URL: not the plain name, an old hash, a prefix */
	const char *missing[] = {"/assets/app.css",         "/assets/app-fab4811e.css",
	                         "/assets/app-15c42ab7.cs", "/assets/app-15c42ab7.css?x",
	                         "app-15c42ab7.css",        ""};
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
		assert_int_equal(assets_lookup(&a, missing[i], &data, &len, &type, &etag),
		                 CADRE_ENOTFOUND);
	json_t *j = assets_json(&a);
	assert_int_equal(json_object_size(j), 5);
	assert_string_equal(json_string_value(json_object_get(j, "app_css")),
	                    "/assets/app-15c42ab7.css");
	assert_string_equal(json_string_value(json_object_get(j, "favicon_ico")),
	                    assets_url(&a, "favicon.ico"));
	json_decref(j);
	assets_free(&a);
}

static void test_refusals(void **state)
{
	(void)state;
	struct assets a;
	struct cadre_err e;
	struct {
		struct asset_file files[2];
		size_t n;
		const char *want;
	} cases[] = {
	    {{file("app.exe", "x")}, 1, "asset 'app.exe': no content type for .exe"},
	    {{file("App.css", "x")},
	     1,
	     "asset 'App.css': names are lower-case letters, digits, . _ - with an extension, "
	     "shorter than 108"},
	    {{file("noext", "x")},
	     1,
	     "asset 'noext': names are lower-case letters, digits, . _ - with an extension, "
	     "shorter than 108"},
	    {{file("a/b.css", "x")},
	     1,
	     "asset 'a/b.css': names are lower-case letters, digits, . _ - with an extension, "
	     "shorter than 108"},
	    {{file("a.css", RED), file("a.css", BLUE)}, 2, "asset 'a.css' listed twice"},
	    {{file("a-b.css", RED), file("a_b.css", BLUE)},
	     2,
	     "assets 'a-b.css' and 'a_b.css' have the same template key 'a_b_css'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(assets_init(&a, cases[i].files, cases[i].n, &e), CADRE_EINVAL);
		assert_string_equal(e.msg, cases[i].want);
		assert_null(a.items);
		assert_int_equal(a.count, 0);
	}
	/* an empty table is fine */
	assert_int_equal(assets_init(&a, NULL, 0, &e), CADRE_OK);
	assert_null(assets_url(&a, "a.css"));
	assets_free(&a);
}

/* find: the first occurrence of what in the n bytes at s. */
static const char *find(const unsigned char *s, size_t n, const char *what)
{
	size_t w = strlen(what);
	for (size_t i = 0; i + w <= n; i++)
		if (memcmp(s + i, what, w) == 0)
			return (const char *)s + i;
	return NULL;
}

/* The embedded assets: the built stylesheet loads nothing from elsewhere,
 * and every /assets/ reference the build rewrote is a URL served here (the
 * build's hashes and these agree). */
static void test_embedded(void **state)
{
	(void)state;
	struct assets a;
	struct cadre_err e;
	if (assets_load_embedded(&a, &e))
		fail_msg("%s", e.msg);
	const char *names[] = {"nhsuk.css",          "cadre.js",    "nhsuk-frontend.min.js",
	                       "favicon.ico",        "favicon.svg", "nhsuk-icon-180.png",
	                       "nhsuk-icon-mask.svg"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!assets_url(&a, names[i]))
			fail_msg("%s is not embedded", names[i]);
	size_t refs = 0;
	for (size_t i = 0; i < a.count; i++) {
		const struct asset *it = &a.items[i];
		if (strcmp(it->content_type, "text/css; charset=utf-8") != 0 &&
		    strcmp(it->content_type, "text/javascript; charset=utf-8") != 0)
			continue;
		assert_null(find(it->data, it->len, "sourceMappingURL"));
		const unsigned char *p = it->data;
		size_t left = it->len;
		const char *r;
		while ((r = find(p, left, "/assets/")) != NULL) {
			/* a reference as the build sees one: /assets/ and a name */
			size_t k = 8 + strspn(r + 8, "abcdefghijklmnopqrstuvwxyz"
			                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
			if (k == 8) {
				left -= (size_t)((const unsigned char *)r + k - p);
				p = (const unsigned char *)r + k;
				continue;
			}
			char url[ASSETS_URL_MAX];
			assert_true(k < sizeof url);
			memcpy(url, r, k);
			url[k] = '\0';
			const unsigned char *d;
			size_t l;
			const char *type, *etag;
			if (assets_lookup(&a, url, &d, &l, &type, &etag) != CADRE_OK)
				fail_msg("%s refers to %s, which is not served", it->name, url);
			refs++;
			left -= (size_t)((const unsigned char *)r + k - p);
			p = (const unsigned char *)r + k;
		}
	}
	/* the stylesheet's four icons (three times each) and the module import */
	assert_int_equal(refs, 13);

	const unsigned char *css;
	size_t len;
	const char *type, *etag;
	assert_int_equal(assets_lookup(&a, assets_url(&a, "nhsuk.css"), &css, &len, &type, &etag),
	                 CADRE_OK);
	assert_true(len > 100000);
	assert_null(find(css, len, "http://"));
	assert_null(find(css, len, "https://"));
	assert_null(find(css, len, "@font-face"));
	assert_null(find(css, len, "@import"));
	assert_null(find(css, len, "Frutiger"));
	assert_non_null(find(css, len, "html{font-family:arial,sans-serif}"));
	assert_non_null(find(css, len, ".nhsuk-header{"));
	const unsigned char *js;
	assert_int_equal(assets_lookup(&a, assets_url(&a, "cadre.js"), &js, &len, &type, &etag),
	                 CADRE_OK);
	char import[160];
	(void)snprintf(import, sizeof import, "import { initAll } from \"%s\";",
	               assets_url(&a, "nhsuk-frontend.min.js"));
	assert_non_null(find(js, len, import));
	assets_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hashed_urls),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_embedded),
	};
	return cmocka_run_group_tests_name("io_assets", tests, NULL, NULL);
}
