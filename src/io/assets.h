/* assets: the static files Cadre serves (the stylesheet, the JavaScript
 * bundle, icons), embedded in the binary and served under content-hashed
 * URLs.
 *
 * Design note.  Each asset is served at /assets/STEM-HASH8.EXT ("nhsuk.css"
 * at /assets/nhsuk-1a2b3c4d.css), HASH8 being the first 8 hex digits of the
 * SHA-256 of its bytes, so a reply may be cached for a year (see
 * ASSETS_CACHE_CONTROL) and a new build's changed file gets a new URL.  The
 * hashes are computed here at start-up from the embedded bytes; the build
 * (tools/embed_files.py) computed the same ones to rewrite the references
 * between assets (the CSS's icons, the JavaScript's import).  Pages reach the
 * URLs through assets_json(): {{assets.nhsuk_css}} in a template.  Nothing is
 * served from outside this table, and no asset loads anything from another
 * site (docs/templates.md).  After assets_init a table is read-only, so any
 * number of threads may look up in it. */
#ifndef CADRE_IO_ASSETS_H
#define CADRE_IO_ASSETS_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

#define ASSETS_URL_MAX 128
/* The Cache-Control header for an asset reply: its URL changes with its
 * content, so it never needs revalidating. */
#define ASSETS_CACHE_CONTROL "public, max-age=31536000, immutable"

/* asset_file: one file as tools/embed_files.py emits it.  name: the file's
 * base name ("nhsuk.css"), lower-case letters, digits, '.', '_' and '-' with
 * an extension; path: where it came from, for messages. */
struct asset_file {
	const char *name;
	const char *path;
	const unsigned char *data;
	size_t len;
};

/* The assets built into the binary (generated: assets_embed.c). */
extern const struct asset_file assets_embedded[];
extern const size_t assets_embedded_count;

/* asset: one served file.  name and data point into the asset_file table. */
struct asset {
	const char *name;
	const unsigned char *data;
	size_t len;
	const char *content_type; /* "text/css; charset=utf-8", ... */
	char url[ASSETS_URL_MAX]; /* "/assets/nhsuk-1a2b3c4d.css" */
	char key[ASSETS_URL_MAX]; /* "nhsuk_css": the name under {{assets.}} */
	char etag[20];            /* "\"<16 hex digits>\"", quotes included */
};

struct assets {
	struct asset *items;
	size_t count;
};

/* assets_init: build the table for n files (which must outlive it): hash
 * each, make its URL, ETag and template key, pick its content type by its
 * extension.  Fails (CADRE_EINVAL) on a bad or repeated name, an extension
 * with no known content type, or two names with the same template key. */
int assets_init(struct assets *a, const struct asset_file *files, size_t n, struct cadre_err *err);

/* assets_load_embedded: assets_init over the files built into the binary. */
int assets_load_embedded(struct assets *a, struct cadre_err *err);

/* assets_free: release the table (not the files). */
void assets_free(struct assets *a);

/* assets_lookup: the asset whose hashed URL is exactly path (no query
 * string), with its bytes, content type and ETag (all owned by the table).
 * CADRE_OK, or CADRE_ENOTFOUND for any other path (an old hash included). */
int assets_lookup(const struct assets *a, const char *path, const unsigned char **data, size_t *len,
                  const char **content_type, const char **etag);

/* assets_url: the hashed URL of the asset named name ("nhsuk.css"), or NULL
 * when there is none.  Owned by the table. */
const char *assets_url(const struct assets *a, const char *name);

/* assets_json: a new object mapping each asset's key to its URL
 * ({"nhsuk_css": "/assets/nhsuk-1a2b3c4d.css", ...}), to put under "assets"
 * in a page's context.  The caller owns the reference. */
json_t *assets_json(const struct assets *a);

#endif
