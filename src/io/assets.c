#include "io/assets.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

/* The content types Cadre serves; anything else is refused at start-up
 * rather than served as something a browser might sniff. */
static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
    {"css", "text/css; charset=utf-8"},
    {"ico", "image/x-icon"},
    {"js", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"png", "image/png"},
    {"svg", "image/svg+xml"},
    {"txt", "text/plain; charset=utf-8"},
    {"webmanifest", "application/manifest+json"},
    {"woff2", "font/woff2"},
};

static bool name_ok(const char *s)
{
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			return false;
	return true;
}

static const char *type_of(const char *ext)
{
	for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
		if (strcmp(content_types[i].ext, ext) == 0)
			return content_types[i].type;
	return NULL;
}

/* fill: one table entry from one file. */
static int fill(struct asset *it, const struct asset_file *f, struct cadre_err *err)
{
	const char *name = f->name ? f->name : "";
	size_t n = strlen(name);
	const char *dot = strrchr(name, '.');
	if (!name_ok(name) || !dot || dot == name || dot[1] == '\0' || n + 20 >= ASSETS_URL_MAX)
		return cadre_err_set(
		    err, CADRE_EINVAL,
		    "asset '%s': names are lower-case letters, digits, . _ - with an "
		    "extension, shorter than %d",
		    name, ASSETS_URL_MAX - 20);
	it->content_type = type_of(dot + 1);
	if (!it->content_type)
		return cadre_err_set(err, CADRE_EINVAL, "asset '%s': no content type for .%s", name,
		                     dot + 1);
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	crypto_hash_sha256(h, f->data, f->len);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	it->name = name;
	it->data = f->data;
	it->len = f->len;
	(void)snprintf(it->url, sizeof it->url, "/assets/%.*s-%.8s%s", (int)(dot - name), name, hex,
	               dot);
	(void)snprintf(it->etag, sizeof it->etag, "\"%.16s\"", hex);
	for (size_t i = 0; i <= n; i++) {
		char c = name[i];
		if (c == '.' || c == '-')
			c = '_';
		it->key[i] = c;
	}
	return CADRE_OK;
}

int assets_init(struct assets *a, const struct asset_file *files, size_t n, struct cadre_err *err)
{
	a->items = NULL;
	a->count = 0;
	if (sodium_init() < 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "assets: libsodium failed to start");
	struct asset *items = xcalloc(n ? n : 1, sizeof *items);
	int rc = CADRE_OK;
	for (size_t i = 0; i < n && rc == CADRE_OK; i++) {
		rc = fill(&items[i], &files[i], err);
		for (size_t j = 0; j < i && rc == CADRE_OK; j++) {
			if (strcmp(items[j].name, items[i].name) == 0)
				rc = cadre_err_set(err, CADRE_EINVAL, "asset '%s' listed twice",
				                   items[i].name);
			else if (strcmp(items[j].key, items[i].key) == 0)
				rc = cadre_err_set(
				    err, CADRE_EINVAL,
				    "assets '%s' and '%s' have the same template key '%s'",
				    items[j].name, items[i].name, items[i].key);
		}
	}
	if (rc) {
		free(items);
		return rc;
	}
	a->items = items;
	a->count = n;
	return CADRE_OK;
}

int assets_load_embedded(struct assets *a, struct cadre_err *err)
{
	return assets_init(a, assets_embedded, assets_embedded_count, err);
}

void assets_free(struct assets *a)
{
	free(a->items);
	a->items = NULL;
	a->count = 0;
}

int assets_lookup(const struct assets *a, const char *path, const unsigned char **data, size_t *len,
                  const char **content_type, const char **etag)
{
	for (size_t i = 0; i < a->count; i++) {
		const struct asset *it = &a->items[i];
		if (strcmp(it->url, path) == 0) {
			*data = it->data;
			*len = it->len;
			*content_type = it->content_type;
			*etag = it->etag;
			return CADRE_OK;
		}
	}
	return CADRE_ENOTFOUND;
}

const char *assets_url(const struct assets *a, const char *name)
{
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->items[i].name, name) == 0)
			return a->items[i].url;
	return NULL;
}

json_t *assets_json(const struct assets *a)
{
	json_t *o = json_object();
	for (size_t i = 0; i < a->count; i++)
		(void)json_object_set_new(o, a->items[i].key, json_string(a->items[i].url));
	return o;
}
