#include "base/log.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "base/date.h"
#include "base/utf8.h"

static FILE *log_out;
static pthread_mutex_t log_write_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int log_threshold = LOG_INFO;
static const struct clock *log_clock;
static _Thread_local char log_rid[64];
static _Thread_local bool log_rid_set;

/* room kept at the end of every line for " truncated=true\n" */
static const char trunc_tail[] = " truncated=true";
#define LINE_LIMIT (LOG_LINE_MAX - (sizeof trunc_tail - 1) - 1)

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_output(FILE *out)
{
	log_out = out;
}

void log_set_level(enum log_level level)
{
	atomic_store(&log_threshold, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&log_threshold);
}

void log_set_clock(const struct clock *c)
{
	log_clock = c;
}

const char *log_level_name(enum log_level level)
{
	if ((int)level < LOG_DEBUG || level > LOG_ERROR)
		return "unknown";
	return level_names[level];
}

int log_level_parse(const char *s, enum log_level *out, struct cadre_err *err)
{
	for (int i = LOG_DEBUG; i <= LOG_ERROR; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return CADRE_OK;
		}
	}
	return cadre_err_set(err, CADRE_EINVAL,
	                     "log level '%.32s' is not debug, info, warn or error", s);
}

void log_set_request_id(const char *id)
{
	if (!id) {
		log_rid_set = false;
		log_rid[0] = '\0';
		return;
	}
	size_t n = strlen(id);
	if (n > sizeof log_rid - 1)
		n = sizeof log_rid - 1;
	memcpy(log_rid, id, n);
	log_rid[n] = '\0';
	log_rid_set = true;
}

const char *log_request_id(void)
{
	return log_rid_set ? log_rid : NULL;
}

/* encode_unit: the logfmt form of the character at s (n bytes left) into
 * out, returning its length; *used is how many input bytes it took and
 * *plain is true when it may stand in an unquoted value. */
static size_t encode_unit(const unsigned char *s, size_t n, char *out, size_t *used, bool *plain)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];
	*used = 1;
	*plain = false;
	if (c < 0x80) {
		switch (c) {
		case '"': memcpy(out, "\\\"", 2); return 2;
		case '\\': memcpy(out, "\\\\", 2); return 2;
		case '\n': memcpy(out, "\\n", 2); return 2;
		case '\r': memcpy(out, "\\r", 2); return 2;
		case '\t': memcpy(out, "\\t", 2); return 2;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			memcpy(out, "\\u00", 4);
			out[4] = hex[c >> 4];
			out[5] = hex[c & 15];
			return 6;
		}
		out[0] = (char)c;
		*plain = c != ' ' && c != '=';
		return 1;
	}
	unsigned cp;
	size_t k = utf8_decode(s, n, &cp);
	if (k == 0) {
		out[0] = '\\';
		out[1] = 'x';
		out[2] = hex[c >> 4];
		out[3] = hex[c & 15];
		return 4;
	}
	*used = k;
	if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) {
		memcpy(out, "\\u", 2);
		for (int i = 0; i < 4; i++)
			out[2 + i] = hex[(cp >> (12 - 4 * i)) & 15];
		return 6;
	}
	memcpy(out, s, k);
	*plain = true;
	return k;
}

static bool needs_quotes(const unsigned char *s, size_t n)
{
	char tmp[8];
	size_t used;
	bool plain;
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i += used) {
		encode_unit(s + i, n - i, tmp, &used, &plain);
		if (!plain)
			return true;
	}
	return false;
}

/* put_key: " key=" with room left for at least an empty quoted value. */
static bool put_key(struct log_line *l, const char *key)
{
	size_t k = strlen(key);
	if (k == 0)
		k = 1; /* written as "_" */
	if (l->truncated || l->len + 1 + k + 1 + 2 > LINE_LIMIT) {
		l->truncated = true;
		return false;
	}
	if (l->len > 0)
		l->text[l->len++] = ' ';
	if (!*key)
		l->text[l->len++] = '_';
	for (const char *p = key; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
		l->text[l->len++] = (char)(ok ? c : '_');
	}
	l->text[l->len++] = '=';
	return true;
}

static void put_value(struct log_line *l, const char *v, size_t n)
{
	const unsigned char *s = (const unsigned char *)v;
	bool quoted = needs_quotes(s, n);
	size_t limit = LINE_LIMIT - (quoted ? 1 : 0);
	char unit[8];
	size_t used;
	bool plain;
	if (quoted)
		l->text[l->len++] = '"';
	for (size_t i = 0; i < n; i += used) {
		size_t k = encode_unit(s + i, n - i, unit, &used, &plain);
		if (l->len + k > limit) {
			l->truncated = true;
			break;
		}
		memcpy(l->text + l->len, unit, k);
		l->len += k;
	}
	if (quoted)
		l->text[l->len++] = '"';
}

void log_begin(struct log_line *l, enum log_level level, const char *event)
{
	l->len = 0;
	l->truncated = false;
	l->on = (int)level >= atomic_load(&log_threshold);
	if (!l->on)
		return;
	char ts[DATE_TS_SIZE];
	date_ts_format(clock_now(log_clock), ts);
	log_str(l, "ts", ts);
	log_str(l, "level", log_level_name(level));
	log_str(l, "event", event);
	if (log_rid_set)
		log_str(l, "request_id", log_rid);
}

void log_strn(struct log_line *l, const char *key, const char *value, size_t n)
{
	if (!l->on || !put_key(l, key))
		return;
	put_value(l, value, n);
}

void log_str(struct log_line *l, const char *key, const char *value)
{
	if (!value)
		value = "";
	log_strn(l, key, value, strlen(value));
}

void log_int(struct log_line *l, const char *key, int64_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%" PRId64, v);
	log_str(l, key, tmp);
}

void log_uint(struct log_line *l, const char *key, uint64_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%" PRIu64, v);
	log_str(l, key, tmp);
}

void log_double(struct log_line *l, const char *key, double v)
{
	char tmp[40];
	snprintf(tmp, sizeof tmp, "%.6g", v);
	log_str(l, key, tmp);
}

void log_bool(struct log_line *l, const char *key, bool v)
{
	log_str(l, key, v ? "true" : "false");
}

void log_err(struct log_line *l, const struct cadre_err *err)
{
	log_str(l, "status", cadre_status_name(err->status));
	log_str(l, "error", err->msg);
}

void log_end(struct log_line *l)
{
	if (!l->on)
		return;
	if (l->truncated) {
		memcpy(l->text + l->len, trunc_tail, sizeof trunc_tail - 1);
		l->len += sizeof trunc_tail - 1;
	}
	l->text[l->len++] = '\n';
	FILE *out = log_out ? log_out : stderr;
	/* One fwrite under log's own lock (lines from log never mix) and the
	 * stream's lock (nor with other writers to the same FILE).  A failed
	 * write is dropped: there is nowhere left to report it. */
	pthread_mutex_lock(&log_write_lock);
	flockfile(out);
	fwrite(l->text, 1, l->len, out);
	fflush(out);
	funlockfile(out);
	pthread_mutex_unlock(&log_write_lock);
	l->on = false;
}
