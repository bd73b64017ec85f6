/* pages: small helpers the page handlers share (contexts for the form
 * partials, error summaries, form values, times for people).
 *
 * Design note
 * - A page's context is a jansson object the handler builds and
 *   page_render renders (and releases).  The form partials read many
 *   optional keys, and Mustache looks a missing key up in the outer
 *   contexts, so page_input and page_select set every key they read
 *   (false when unused): a page's own "value" can never leak into a field.
 * - Errors follow the NHS error summary pattern: page_error adds
 *   {href: "#field", text} to the page's errors (the layout then puts
 *   "Error: " in the title) and returns the message for the field. */
#ifndef CADRE_WEB_PAGES_H
#define CADRE_WEB_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/date.h"
#include "base/err.h"
#include "web/request.h"

/* page_new: {"page_title": title, "errors": []}. */
json_t *page_new(const char *title);

/* page_input: a context for partials/input; NULL arguments become false. */
json_t *page_input(const char *id, const char *label, const char *type, const char *value,
                   const char *autocomplete, const char *hint, const char *error);

/* page_select: a context for partials/select over options (stolen). */
json_t *page_select(const char *id, const char *label, json_t *options, const char *hint,
                    const char *error);

/* page_option: one option of a select. */
json_t *page_option(const char *value, const char *text, bool selected);

/* page_error: add {href "#field", text} to page's errors; returns text. */
const char *page_error(json_t *page, const char *field, const char *text);

/* page_render: web_render(name) and release ctx. */
int page_render(struct web_request *req, struct web_response *resp, const char *name, json_t *ctx,
                struct cadre_err *err);

/* page_form_value: the body form's field name, or "" (never NULL) when it
 * is absent; a malformed body is CADRE_EINVAL (400) from page_form. */
int page_form(struct web_request *req, struct cadre_err *err);
const char *page_form_value(struct web_request *req, const char *name);

/* page_query_value: the query's field name, or NULL. */
const char *page_query_value(struct web_request *req, const char *name);

/* page_local_path: is p a path on this site that is safe to send someone
 * back to ("/users/3?x=1"; not "//host", "/\\host" or anything with a
 * control character or a scheme)? */
bool page_local_path(const char *p);

/* page_when: a time for people, in Europe/London ("29 Mar 2026 02:30 BST");
 * "never" for 0. */
void page_when(int64_t us, char out[DATE_LONDON_SIZE]);

/* page_json: reply with v (stolen) as application/json. */
int page_json(struct web_response *resp, json_t *v, struct cadre_err *err);

#endif
