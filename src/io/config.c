/* config: the settings table, and reading it from defaults, cadre.ini, the
 * environment, flags and the secrets file.  See config.h for the rules. */
#include "io/config.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/num.h"
#include "base/utf8.h"

/* The table.  Keep docs/configuration.md in step with it. */
static const struct config_setting settings[] = {
    {.name = "database.url",
     .type = CONFIG_STRING,
     .def = "cadre.db",
     .env = "CADRE_DB",
     .flag = "--db",
     .required = true,
     .help = "the database: an SQLite file path, or a postgresql:// URL"},
    {.name = "server.listen",
     .type = CONFIG_ADDRESS,
     .def = "127.0.0.1:8080",
     .env = "CADRE_LISTEN",
     .help = "address and port the web server listens on (host:port, [IPv6]:port)"},
    {.name = "server.threads",
     .type = CONFIG_INT,
     .def = "8",
     .env = "CADRE_THREADS",
     .min = 1,
     .max = 256,
     .help = "web server worker threads"},
    {.name = "server.public_url",
     .type = CONFIG_URL,
     .def = "",
     .env = "CADRE_PUBLIC_URL",
     .help = "the address people use to reach Cadre, e.g. https://cadre.example.nhs.uk"},
    {.name = "server.trusted_proxies",
     .type = CONFIG_CIDRS,
     .def = "",
     .env = "CADRE_TRUSTED_PROXIES",
     .help = "reverse proxies whose X-Forwarded-For is believed: addresses or CIDR blocks, "
             "comma-separated"},
    {.name = "server.tls_cert",
     .type = CONFIG_STRING,
     .def = "",
     .env = "CADRE_TLS_CERT",
     .help = "PEM certificate chain for HTTPS; empty for plain HTTP behind a proxy"},
    {.name = "server.tls_key",
     .type = CONFIG_STRING,
     .def = "",
     .env = "CADRE_TLS_KEY",
     .help = "PEM private key for HTTPS; set together with server.tls_cert"},
    {.name = "session.idle_minutes",
     .type = CONFIG_INT,
     .def = "30",
     .env = "CADRE_SESSION_IDLE_MINUTES",
     .min = 1,
     .max = 1440,
     .help = "sign a person out after this many minutes without a request"},
    {.name = "session.absolute_hours",
     .type = CONFIG_INT,
     .def = "12",
     .env = "CADRE_SESSION_ABSOLUTE_HOURS",
     .min = 1,
     .max = 168,
     .help = "sign a person out this many hours after signing in, however active"},
    {.name = "session.password_cost",
     .type = CONFIG_ENUM,
     .def = "interactive",
     .env = "CADRE_PASSWORD_COST",
     .choices = "interactive|moderate|test",
     .help = "Argon2id cost of new password hashes: interactive (64 MiB), moderate (256 MiB); "
             "test is weak, for test suites only"},
    {.name = "imports.workers",
     .type = CONFIG_INT,
     .def = "2",
     .env = "CADRE_IMPORT_WORKERS",
     .min = 0,
     .max = 32,
     .help = "job worker threads in `cadre serve` that check and commit uploaded files; 0 "
             "runs none (another server's workers take the jobs)"},
    {.name = "imports.upload_ttl_hours",
     .type = CONFIG_INT,
     .def = "24",
     .env = "CADRE_UPLOAD_TTL_HOURS",
     .min = 1,
     .max = 720,
     .help = "delete an uploaded file not committed within this many hours"},
    {.name = "imports.max_upload_mb",
     .type = CONFIG_INT,
     .def = "64",
     .env = "CADRE_MAX_UPLOAD_MB",
     .min = 1,
     .max = 64,
     .help = "the largest file that may be uploaded, in MiB (at most 64: larger bodies are "
             "refused before they are read)"},
    {.name = "log.level",
     .type = CONFIG_ENUM,
     .def = "info",
     .env = "CADRE_LOG_LEVEL",
     .choices = "debug|info|warn|error",
     .help = "the least severe events written to the log"},
    {.name = "log.requests",
     .type = CONFIG_BOOL,
     .def = "true",
     .env = "CADRE_LOG_REQUESTS",
     .help = "write one log line per HTTP request"},
    {.name = "secrets.file",
     .type = CONFIG_STRING,
     .def = "secrets.ini",
     .env = "CADRE_SECRETS_FILE",
     .required = true,
     .help = "the secrets file: owned by the user running Cadre, mode 0600"},
    {.name = "secrets.pseudonym_key",
     .type = CONFIG_KEY,
     .def = "",
     .sensitive = true,
     .help = "key for the pseudonymous cross-employer person key (HMAC)"},
    {.name = "secrets.audit_key",
     .type = CONFIG_KEY,
     .def = "",
     .sensitive = true,
     .help = "key that signs the head of the audit chain"},
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

/* the most bytes read from cadre.ini and from the secrets file */
#define INI_CAP     ((size_t)64 * 1024)
#define SECRETS_CAP ((size_t)4 * 1024)
/* the longest text value, and how much of a bad value an error message shows */
#define VALUE_MAX  4096
#define QUOTE_MAX  60
#define SOURCE_CAP 8192

enum config_level { LEVEL_DEFAULT, LEVEL_FILE, LEVEL_ENV, LEVEL_FLAG };

/* a validated value before it is stored */
struct config_parsed {
	char *text; /* owned; canonical text ("true" for yes, "" for unset keys) */
	int64_t num;
	bool b;
	bool key_set;
	unsigned char key[CONFIG_KEY_BYTES];
};

struct config_value {
	struct config_parsed p;
	enum config_level level;
	char *source; /* owned: "default", "file cadre.ini:4", ... */
};

struct config {
	struct config_value v[NSETTINGS];
	char *ini_path; /* NULL until config_load */
	bool ini_found;
	char *secrets_path; /* the secrets file read, NULL until config_load */
	bool secrets_found;
};

const struct config_setting *config_settings(size_t *count)
{
	*count = NSETTINGS;
	return settings;
}

static int setting_index(const char *name)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return (int)i;
	return -1;
}

const struct config_setting *config_setting_find(const char *name)
{
	int i = setting_index(name);
	return i < 0 ? NULL : &settings[i];
}

/* ---- values ------------------------------------------------------------ */

static void parsed_clear(struct config_parsed *p)
{
	free(p->text);
	sodium_memzero(p, sizeof *p);
}

/* write s into out as a short, printable quotation for an error message:
 * control bytes become '?', and a long value is cut with "...". */
static const char *quote(const char *s, char *out, size_t size)
{
	size_t n = 0;
	size_t len = strlen(s);
	size_t room = size - 4; /* "..." and the NUL */
	for (size_t i = 0; i < len && n < room; i++) {
		unsigned char ch = (unsigned char)s[i];
		out[n++] = s[i];
		if (ch < 0x20 || ch == 0x7f)
			out[n - 1] = '?';
	}
	out[n] = '\0';
	if (n < len) {
		/* do not cut a UTF-8 sequence in half */
		while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0xC0)
			n--;
		memcpy(out + n, "...", 4);
	}
	return out;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static char lower(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return (char)(ch - 'A' + 'a');
	return ch;
}

static bool eq_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower(*a) != lower(*b))
			return false;
	return *a == *b;
}

static int check_text(const char *s, struct cadre_err *err)
{
	size_t len = strlen(s);
	if (len > VALUE_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "longer than %d bytes", VALUE_MAX);
	if (!utf8_valid(s, len, NULL))
		return cadre_err_set(err, CADRE_EINVAL, "not valid UTF-8");
	if (has_control(s))
		return cadre_err_set(err, CADRE_EINVAL, "contains a control character");
	return CADRE_OK;
}

static bool is_host_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '-';
}

/* host:port, where host is a name, an IPv4 address, or [an IPv6 address] */
static bool valid_address(const char *s)
{
	const char *colon;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || close - s - 1 >= INET6_ADDRSTRLEN)
			return false;
		char host[INET6_ADDRSTRLEN];
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		struct in6_addr a6;
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return false;
		colon = close + 1;
	} else {
		colon = strchr(s, ':');
		if (!colon || colon == s || strchr(colon + 1, ':'))
			return false;
		for (const char *p = s; p < colon; p++)
			if (!is_host_char(*p))
				return false;
	}
	int64_t port;
	return num_parse_i64_range(colon + 1, strlen(colon + 1), 1, 65535, &port, NULL) == CADRE_OK;
}

/* http:// or https://, a host, then an optional path; no query, fragment or
 * spaces */
static bool valid_url(const char *s)
{
	const char *rest;
	if (strncmp(s, "https://", 8) == 0)
		rest = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		rest = s + 7;
	else
		return false;
	size_t host = strcspn(rest, "/");
	if (host == 0)
		return false;
	for (size_t i = 0; i < host; i++)
		if (!is_host_char(rest[i]) && rest[i] != ':' && rest[i] != '[' && rest[i] != ']')
			return false;
	return strpbrk(rest, "?# ") == NULL;
}

/* one address or CIDR block, n bytes at s */
static bool valid_cidr(const char *s, size_t n)
{
	char text[INET6_ADDRSTRLEN + 8];
	if (n == 0 || n >= sizeof text)
		return false;
	memcpy(text, s, n);
	text[n] = '\0';
	char *slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	unsigned char addr[sizeof(struct in6_addr)];
	int64_t bits = 32;
	if (inet_pton(AF_INET, text, addr) != 1) {
		if (inet_pton(AF_INET6, text, addr) != 1)
			return false;
		bits = 128;
	}
	if (!slash)
		return true;
	int64_t prefix;
	return num_parse_i64_range(slash + 1, strlen(slash + 1), 0, bits, &prefix, NULL) ==
	       CADRE_OK;
}

static int check_cidrs(const char *s, struct cadre_err *err)
{
	int entry = 0;
	const char *p = s;
	while (*p) {
		entry++;
		size_t n = strcspn(p, ",");
		const char *a = p;
		size_t an = n;
		while (an && (*a == ' ' || *a == '\t')) {
			a++;
			an--;
		}
		while (an && (a[an - 1] == ' ' || a[an - 1] == '\t'))
			an--;
		if (!valid_cidr(a, an)) {
			char item[QUOTE_MAX + 8] = "", q[QUOTE_MAX + 8];
			size_t m = an < sizeof item - 1 ? an : sizeof item - 1;
			memcpy(item, a, m);
			item[m] = '\0';
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "entry %d: expected an IP address or CIDR block such as "
			    "10.0.0.0/8 or ::1, got '%s'",
			    entry, quote(item, q, sizeof q));
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return CADRE_OK;
}

/* describe the choices "a|b|c" as "a, b or c" */
static void choices_text(const char *choices, char *out, size_t size)
{
	size_t n = 0;
	const char *last = strrchr(choices, '|');
	for (const char *p = choices; *p && n + 5 < size; p++) {
		if (*p != '|') {
			out[n++] = *p;
		} else if (p == last) {
			memcpy(out + n, " or ", 4);
			n += 4;
		} else {
			memcpy(out + n, ", ", 2);
			n += 2;
		}
	}
	out[n] = '\0';
}

static bool enum_has(const char *choices, const char *s)
{
	size_t len = strlen(s);
	const char *p = choices;
	while (*p) {
		size_t n = strcspn(p, "|");
		if (n == len && len > 0 && strncmp(p, s, n) == 0)
			return true;
		p += n;
		if (*p == '|')
			p++;
	}
	return false;
}

/* parse_value: check text against the setting's type and fill out.  On
 * failure err holds the reason without a place ("expected ..."); the caller
 * puts the place in front.  Secret values are never quoted back. */
static int parse_value(const struct config_setting *s, const char *text, struct config_parsed *out,
                       struct cadre_err *err)
{
	char q[QUOTE_MAX + 8];
	memset(out, 0, sizeof *out);
	if (s->type == CONFIG_KEY) {
		size_t len = strlen(text);
		size_t bin_len = 0;
		if (len != (size_t)2 * CONFIG_KEY_BYTES ||
		    strspn(text, "0123456789abcdefABCDEF") != len ||
		    sodium_hex2bin(out->key, sizeof out->key, text, len, NULL, &bin_len, NULL) !=
		        0 ||
		    bin_len != CONFIG_KEY_BYTES) {
			sodium_memzero(out->key, sizeof out->key);
			return cadre_err_set(err, CADRE_EINVAL,
			                     "expected %d hexadecimal digits (%d bytes), got %zu "
			                     "characters",
			                     2 * CONFIG_KEY_BYTES, CONFIG_KEY_BYTES, len);
		}
		out->key_set = true;
		out->text = xstrdup("");
		return CADRE_OK;
	}
	int rc = check_text(text, err);
	if (rc)
		return rc;
	switch (s->type) {
	case CONFIG_STRING:
		if (s->required && !text[0])
			return cadre_err_set(err, CADRE_EINVAL, "must not be empty");
		break;
	case CONFIG_INT:
		if (num_parse_i64_range(text, strlen(text), s->min, s->max, &out->num, NULL))
			return cadre_err_set(err, CADRE_EINVAL,
			                     "expected a whole number from %lld to %lld, got '%s'",
			                     (long long)s->min, (long long)s->max,
			                     quote(text, q, sizeof q));
		break;
	case CONFIG_BOOL:
		if (eq_nocase(text, "true") || eq_nocase(text, "yes") || eq_nocase(text, "on") ||
		    strcmp(text, "1") == 0)
			out->b = true;
		else if (eq_nocase(text, "false") || eq_nocase(text, "no") ||
		         eq_nocase(text, "off") || strcmp(text, "0") == 0)
			out->b = false;
		else
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "expected true or false (or yes/no, on/off, 1/0), got '%s'",
			    quote(text, q, sizeof q));
		out->text = xstrdup(out->b ? "true" : "false");
		return CADRE_OK;
	case CONFIG_ENUM:
		if (!enum_has(s->choices, text)) {
			char list[256];
			choices_text(s->choices, list, sizeof list);
			return cadre_err_set(err, CADRE_EINVAL, "expected one of %s, got '%s'",
			                     list, quote(text, q, sizeof q));
		}
		break;
	case CONFIG_ADDRESS:
		if (!valid_address(text))
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "expected host:port such as 127.0.0.1:8080 or [::1]:8080 "
			    "(port 1 to 65535), got '%s'",
			    quote(text, q, sizeof q));
		break;
	case CONFIG_URL:
		if (text[0] && !valid_url(text))
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "expected an http:// or https:// address such as "
			    "https://cadre.example.nhs.uk (no query or #fragment), "
			    "got '%s'",
			    quote(text, q, sizeof q));
		break;
	case CONFIG_CIDRS:
		rc = check_cidrs(text, err);
		if (rc)
			return rc;
		break;
	case CONFIG_KEY: break; /* handled above */
	}
	out->text = xstrdup(text);
	return CADRE_OK;
}

static char *source_text(const char *fmt, const char *a, int line)
{
	struct buf b;
	buf_init(&b, SOURCE_CAP);
	if (line > 0)
		(void)buf_printf(&b, NULL, "%s %s:%d", fmt, a, line);
	else
		(void)buf_printf(&b, NULL, "%s %s", fmt, a);
	return buf_detach(&b);
}

/* store p (taking ownership) in setting i unless a higher source set it */
static void value_set(struct config *c, size_t i, enum config_level level, struct config_parsed *p,
                      char *source)
{
	struct config_value *v = &c->v[i];
	if (v->level > level) {
		parsed_clear(p);
		free(source);
		return;
	}
	parsed_clear(&v->p);
	free(v->source);
	v->p = *p;
	sodium_memzero(p, sizeof *p);
	v->level = level;
	v->source = source;
}

struct config *config_new(void)
{
	struct config *c = xcalloc(1, sizeof *c);
	for (size_t i = 0; i < NSETTINGS; i++) {
		struct config_parsed p;
		if (settings[i].type == CONFIG_KEY) {
			memset(&p, 0, sizeof p);
			p.text = xstrdup("");
		} else {
			int rc = parse_value(&settings[i], settings[i].def, &p, NULL);
			assert(rc == CADRE_OK && "a default in the settings table is invalid");
			(void)rc;
			if (!p.text)
				p.text = xstrdup(settings[i].def);
		}
		value_set(c, i, LEVEL_DEFAULT, &p, xstrdup("default"));
	}
	return c;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < NSETTINGS; i++) {
		parsed_clear(&c->v[i].p);
		free(c->v[i].source);
	}
	free(c->ini_path);
	free(c->secrets_path);
	free(c);
}

/* ---- cross-setting checks ---------------------------------------------- */

static const struct config_value *value_of(const struct config *c, const char *name)
{
	int i = setting_index(name);
	assert(i >= 0 && "no such setting");
	return i < 0 ? NULL : &c->v[i];
}

static int config_check(const struct config *c, struct cadre_err *err)
{
	const struct config_value *cert = value_of(c, "server.tls_cert");
	const struct config_value *key = value_of(c, "server.tls_key");
	if (cert && key && !cert->p.text[0] != !key->p.text[0]) {
		const struct config_value *set = cert->p.text[0] ? cert : key;
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s is set (%s) but %s is not: set both for HTTPS, or neither",
		                     set == cert ? "server.tls_cert" : "server.tls_key",
		                     set->source,
		                     set == cert ? "server.tls_key" : "server.tls_cert");
	}
	const struct config_value *idle = value_of(c, "session.idle_minutes");
	const struct config_value *abs = value_of(c, "session.absolute_hours");
	if (idle && abs && idle->p.num > abs->p.num * 60)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "session.idle_minutes (%lld, %s) is longer than "
		                     "session.absolute_hours (%lld hours, %s)",
		                     (long long)idle->p.num, idle->source, (long long)abs->p.num,
		                     abs->source);
	return CADRE_OK;
}

/* ---- files ------------------------------------------------------------- */

/* read_file: read path whole (at most cap bytes) into out.  *found is false
 * and CADRE_OK returned when the file does not exist.  When secret is true
 * the file must be owned by the current user and closed to group and
 * others; the check is made on the open file, so it cannot be swapped
 * between check and read. */
static int read_file(const char *path, size_t cap, bool secret, struct buf *out, bool *found,
                     struct cadre_err *err)
{
	const char *what = secret ? "secrets file" : "configuration file";
	char chunk[4096];
	int rc = CADRE_OK;
	*found = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return CADRE_OK;
		return cadre_err_set(err, errno == EACCES ? CADRE_EPERM : CADRE_EINVAL,
		                     "cannot open %s '%s': %s", what, path, strerror(errno));
	}
	*found = true;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "cannot stat %s '%s': %s", what, path,
		                   strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = cadre_err_set(err, CADRE_EINVAL, "%s '%s' is not a regular file", what, path);
		goto fail;
	}
	if (secret && st.st_uid != geteuid()) {
		rc = cadre_err_set(err, CADRE_EPERM,
		                   "secrets file '%s' is owned by uid %lu, not by the user running "
		                   "cadre (uid %lu); it must belong to that user, with mode 0600",
		                   path, (unsigned long)st.st_uid, (unsigned long)geteuid());
		goto fail;
	}
	if (secret && (st.st_mode & 077) != 0) {
		rc = cadre_err_set(err, CADRE_EPERM,
		                   "secrets file '%s' has mode %04o; it must be readable by its "
		                   "owner only: run `chmod 600 %s`",
		                   path, (unsigned)(st.st_mode & 07777), path);
		goto fail;
	}
	if ((size_t)st.st_size > cap) {
		rc = cadre_err_set(err, CADRE_EINVAL, "%s '%s' is larger than %zu bytes", what,
		                   path, cap);
		goto fail;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = cadre_err_set(err, CADRE_EINVAL, "cannot read %s '%s': %s", what, path,
			                   strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (buf_append(out, chunk, (size_t)n, NULL) != CADRE_OK) {
			rc = cadre_err_set(err, CADRE_EINVAL, "%s '%s' is larger than %zu bytes",
			                   what, path, cap);
			goto fail;
		}
	}
fail:
	sodium_memzero(chunk, sizeof chunk);
	(void)close(fd);
	return rc;
}

/* ---- the INI parser ---------------------------------------------------- */

/* an ini_parse_stream reader over text in memory that counts lines, so the
 * handler knows the line it is called for (the packaged inih is built
 * without line numbers in its handler). */
struct ini_ctx {
	struct config *c;
	const char *path; /* as shown in messages */
	bool secrets;     /* the secrets file, where only secrets belong */
	const char *text;
	size_t len, pos;
	int line;               /* of the text last handed to inih */
	const char *line_start; /* that line's raw text */
	const char *prev_name;  /* of the last handler call, for continuations */
	char prev_key[128];
	int seen[NSETTINGS]; /* line each setting was set on, 0 if not yet */
	int err_line;        /* first error found by the reader or handler */
	int rc;
	struct cadre_err *err;
};

static char *ctx_read_line(char *str, int num, void *stream)
{
	struct ini_ctx *x = stream;
	if (x->pos >= x->len || x->err_line)
		return NULL;
	const char *start = x->text + x->pos;
	const char *nl = memchr(start, '\n', x->len - x->pos);
	size_t n = nl ? (size_t)(nl - start) + 1 : x->len - x->pos;
	x->line++;
	x->line_start = start;
	/* inih reads at most num - 1 bytes per call, and would treat the rest
	 * of a longer line as a line of its own; allow for "\r\n" */
	size_t text_len = n;
	if (text_len && start[text_len - 1] == '\n')
		text_len--;
	if (text_len && start[text_len - 1] == '\r')
		text_len--;
	if (num < 4 || text_len > (size_t)num - 3) {
		x->err_line = x->line;
		x->rc = cadre_err_set(x->err, CADRE_EINVAL, "%s:%d: line longer than %d characters",
		                      x->path, x->line, num - 3);
		return NULL;
	}
	memcpy(str, start, n);
	str[n] = '\0';
	x->pos += n;
	return str;
}

static int ini_fail(struct ini_ctx *x, int rc)
{
	x->err_line = x->line;
	x->rc = rc;
	return 0;
}

/* the edit distance of a and b ignoring case, capped at 9 */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 9;
	int row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
			int best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb] > 9 ? 9 : row[lb];
}

/* a setting whose name is close to name, or NULL */
static const char *suggest(const char *name)
{
	const char *key = strrchr(name, '.');
	key = key ? key + 1 : name;
	const char *best = NULL;
	int best_d = 3;
	for (size_t i = 0; i < NSETTINGS; i++) {
		const char *skey = strchr(settings[i].name, '.') + 1;
		int d = distance(name, settings[i].name);
		if (eq_nocase(key, skey) && d > 0)
			d = 1; /* the right key under the wrong section */
		if (d < best_d) {
			best_d = d;
			best = settings[i].name;
		}
	}
	return best;
}

static int ctx_on_value(void *user, const char *section, const char *key, const char *value)
{
	struct ini_ctx *x = user;
	if (x->err_line)
		return 1; /* report only the first problem */
	char name[256];
	int n = snprintf(name, sizeof name, "%s%s%s", section, section[0] ? "." : "", key);
	if (n < 0 || (size_t)n >= sizeof name)
		return ini_fail(x, cadre_err_set(x->err, CADRE_EINVAL, "%s:%d: name too long",
		                                 x->path, x->line));
	/* inih joins an indented line to the value above it; Cadre's values are
	 * one line each, so say so rather than report a strange value */
	bool indented = x->line_start[0] == ' ' || x->line_start[0] == '\t';
	if (indented && x->prev_name && strcmp(x->prev_key, name) == 0)
		return ini_fail(x, cadre_err_set(x->err, CADRE_EINVAL,
		                                 "%s:%d: indented line continues %s; write each "
		                                 "setting on one line, without indentation",
		                                 x->path, x->line, name));
	memcpy(x->prev_key, name, (size_t)n + 1);
	x->prev_name = x->prev_key;
	int i = setting_index(name);
	char q[QUOTE_MAX + 8];
	if (!section[0]) {
		/* Cadre's names are always section.key: "threads" under [server] */
		const char *hint = suggest(name);
		const char *dot = hint ? strchr(hint, '.') : NULL;
		if (dot)
			return ini_fail(
			    x, cadre_err_set(x->err, CADRE_EINVAL,
			                     "%s:%d: '%s' comes before any [section] "
			                     "heading: write it as '%s = ...' under [%.*s]",
			                     x->path, x->line, quote(name, q, sizeof q), dot + 1,
			                     (int)(dot - hint), hint));
		return ini_fail(x, cadre_err_set(x->err, CADRE_EINVAL,
		                                 "%s:%d: '%s' comes before any [section] heading",
		                                 x->path, x->line, quote(name, q, sizeof q)));
	}
	if (i < 0) {
		const char *hint = suggest(name);
		return ini_fail(x, cadre_err_set(x->err, CADRE_EINVAL,
		                                 "%s:%d: unknown setting '%s'%s%s%s", x->path,
		                                 x->line, quote(name, q, sizeof q),
		                                 hint ? " (did you mean '" : "", hint ? hint : "",
		                                 hint ? "'?)" : ""));
	}
	const struct config_setting *s = &settings[i];
	if (s->sensitive && !x->secrets)
		return ini_fail(x,
		                cadre_err_set(x->err, CADRE_EINVAL,
		                              "%s:%d: %s must not be in %s: secrets belong in the "
		                              "secrets file (secrets.file, default secrets.ini), "
		                              "readable by its owner only",
		                              x->path, x->line, s->name, x->path));
	if (!s->sensitive && x->secrets)
		return ini_fail(x,
		                cadre_err_set(x->err, CADRE_EINVAL,
		                              "%s:%d: %s does not belong in the secrets file; put "
		                              "it in cadre.ini",
		                              x->path, x->line, s->name));
	if (x->seen[i])
		return ini_fail(x, cadre_err_set(x->err, CADRE_EINVAL,
		                                 "%s:%d: %s is set twice (first on line %d)",
		                                 x->path, x->line, s->name, x->seen[i]));
	x->seen[i] = x->line;
	struct config_parsed p;
	int rc = parse_value(s, value, &p, x->err);
	if (rc) {
		cadre_err_prefix(x->err, "%s:%d: %s", x->path, x->line, s->name);
		return ini_fail(x, rc);
	}
	value_set(x->c, (size_t)i, LEVEL_FILE, &p, source_text("file", x->path, x->line));
	return 1;
}

/* the text of line `line` (1-based) of text, up to its end, in out */
static void line_text(const char *text, size_t len, int line, char *out, size_t size)
{
	size_t pos = 0;
	for (int l = 1; l < line && pos < len; pos++)
		if (text[pos] == '\n')
			l++;
	size_t n = 0;
	while (pos < len && text[pos] != '\n' && text[pos] != '\r' && n + 1 < size)
		out[n++] = text[pos++];
	out[n] = '\0';
}

/* parse_ini: read the text of one file into c.  secrets selects the secrets
 * file's rules. */
static int parse_ini(struct config *c, const char *path, const char *text, size_t len, bool secrets,
                     struct cadre_err *err)
{
	/* inih stops at a NUL; a file with one is not text */
	const char *nul = memchr(text, '\0', len);
	size_t bad = 0;
	if (nul || !utf8_valid(text, len, &bad)) {
		size_t at = nul ? (size_t)(nul - text) : bad;
		int line = 1;
		for (size_t k = 0; k < at; k++)
			line += text[k] == '\n';
		return cadre_err_set(err, CADRE_EINVAL, "%s:%d: %s", path, line,
		                     nul ? "contains a NUL byte" : "not valid UTF-8");
	}
	struct ini_ctx x = {.c = c,
	                    .path = path,
	                    .secrets = secrets,
	                    .text = text,
	                    .len = len,
	                    .line_start = text,
	                    .err = err};
	int r = ini_parse_stream(ctx_read_line, &x, ctx_on_value, &x);
	if (r == -2)
		return cadre_err_set(err, CADRE_EINTERNAL, "%s: out of memory parsing", path);
	if (r > 0 && (!x.err_line || r < x.err_line)) {
		char raw[64], q[QUOTE_MAX + 8];
		line_text(text, len, r, raw, sizeof raw);
		const char *t = raw + strspn(raw, " \t");
		return cadre_err_set(err, CADRE_EINVAL, "%s:%d: %s, got '%s'", path, r,
		                     t[0] == '[' ? "a section heading needs a closing ']'"
		                                 : "expected 'name = value', '[section]' or a "
		                                   "comment starting with ';' or '#'",
		                     quote(t, q, sizeof q));
	}
	return x.err_line ? x.rc : CADRE_OK;
}

/* ---- loading ----------------------------------------------------------- */

static const char *env_lookup(const char *const *env, const char *name)
{
	if (!env)
		return getenv(name);
	size_t len = strlen(name);
	for (; *env; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

static int load_env(struct config *c, const char *const *env, struct cadre_err *err)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct config_setting *s = &settings[i];
		if (!s->env || s->sensitive)
			continue;
		const char *value = env_lookup(env, s->env);
		if (!value)
			continue;
		struct config_parsed p;
		int rc = parse_value(s, value, &p, err);
		if (rc) {
			cadre_err_prefix(err, "environment %s: %s", s->env, s->name);
			return rc;
		}
		value_set(c, i, LEVEL_ENV, &p, source_text("environment", s->env, 0));
	}
	return CADRE_OK;
}

static int load_secrets(struct config *c, struct cadre_err *err)
{
	const char *path = config_get_str(c, "secrets.file");
	free(c->secrets_path);
	c->secrets_path = xstrdup(path);
	struct buf b;
	buf_init(&b, SECRETS_CAP);
	int rc = read_file(path, SECRETS_CAP, true, &b, &c->secrets_found, err);
	if (rc == CADRE_OK && c->secrets_found)
		rc = parse_ini(c, path, buf_cstr(&b), b.len, true, err);
	if (b.data)
		sodium_memzero(b.data, b.alloc);
	buf_free(&b);
	return rc;
}

int config_load(struct config *c, const char *ini_path, bool ini_explicit, const char *const *env,
                struct cadre_err *err)
{
	free(c->ini_path);
	c->ini_path = xstrdup(ini_path);
	struct buf b;
	buf_init(&b, INI_CAP);
	int rc = read_file(ini_path, INI_CAP, false, &b, &c->ini_found, err);
	if (rc)
		goto fail;
	if (!c->ini_found && ini_explicit) {
		rc = cadre_err_set(err, CADRE_ENOTFOUND,
		                   "configuration file '%s' not found (named by --config or "
		                   "CADRE_CONFIG)",
		                   ini_path);
		goto fail;
	}
	if (c->ini_found) {
		rc = parse_ini(c, ini_path, buf_cstr(&b), b.len, false, err);
		if (rc)
			goto fail;
	}
	rc = load_env(c, env, err);
	if (rc)
		goto fail;
	rc = load_secrets(c, err);
	if (rc)
		goto fail;
	rc = config_check(c, err);
fail:
	buf_free(&b);
	return rc;
}

int config_set_flag(struct config *c, const char *name, const char *value, struct cadre_err *err)
{
	int i = setting_index(name);
	if (i < 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "no setting '%s'", name);
	const struct config_setting *s = &settings[i];
	if (s->sensitive)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s cannot be given on the command line; it is read only "
		                     "from the secrets file",
		                     name);
	if (!s->flag)
		return cadre_err_set(err, CADRE_EINVAL, "%s has no command-line flag", name);
	struct config_parsed p;
	int rc = parse_value(s, value, &p, err);
	if (rc) {
		cadre_err_prefix(err, "flag %s: %s", s->flag, s->name);
		return rc;
	}
	value_set(c, (size_t)i, LEVEL_FLAG, &p, source_text("flag", s->flag, 0));
	return config_check(c, err);
}

/* ---- reading values ---------------------------------------------------- */

const char *config_get_str(const struct config *c, const char *name)
{
	int i = setting_index(name);
	assert(i >= 0 && "no such setting");
	if (i < 0)
		return "";
	assert(settings[i].type != CONFIG_KEY && settings[i].type != CONFIG_INT &&
	       settings[i].type != CONFIG_BOOL);
	return settings[i].type == CONFIG_KEY ? "" : c->v[i].p.text;
}

int64_t config_get_int(const struct config *c, const char *name)
{
	int i = setting_index(name);
	assert(i >= 0 && settings[i].type == CONFIG_INT);
	return i < 0 ? 0 : c->v[i].p.num;
}

bool config_get_bool(const struct config *c, const char *name)
{
	int i = setting_index(name);
	assert(i >= 0 && settings[i].type == CONFIG_BOOL);
	return i < 0 ? false : c->v[i].p.b;
}

const unsigned char *config_get_key(const struct config *c, const char *name)
{
	int i = setting_index(name);
	assert(i >= 0 && settings[i].type == CONFIG_KEY);
	if (i < 0 || !c->v[i].p.key_set)
		return NULL;
	return c->v[i].p.key;
}

const char *config_source(const struct config *c, const char *name)
{
	int i = setting_index(name);
	assert(i >= 0 && "no such setting");
	return i < 0 ? "" : c->v[i].source;
}

int config_require_secrets(const struct config *c, struct cadre_err *err)
{
	const char *path = c->secrets_path ? c->secrets_path : config_get_str(c, "secrets.file");
	if (!c->secrets_found)
		return cadre_err_set(err, CADRE_ENOTFOUND,
		                     "no secrets file '%s' (secrets.file, %s); run `cadre init` to "
		                     "create one",
		                     path, config_source(c, "secrets.file"));
	for (size_t i = 0; i < NSETTINGS; i++)
		if (settings[i].type == CONFIG_KEY && !c->v[i].p.key_set)
			return cadre_err_set(err, CADRE_ENOTFOUND,
			                     "secrets file '%s' does not set %s", path,
			                     settings[i].name);
	return CADRE_OK;
}

/* ---- config show ------------------------------------------------------- */

#define MASK "********"

/* append s with control bytes and backslashes escaped, so a value cannot
 * forge lines of the listing */
static int put_escaped(struct buf *out, const char *s, struct cadre_err *err)
{
	int rc = CADRE_OK;
	for (; *s && rc == CADRE_OK; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f)
			rc = buf_printf(out, err, "\\x%02x", ch);
		else if (ch == '\\')
			rc = buf_puts(out, "\\\\", err);
		else
			rc = buf_putc(out, (char)ch, err);
	}
	return rc;
}

static int show_text(const struct config *c, struct buf *out, struct cadre_err *err)
{
	int rc = buf_puts(out, "# configuration file: ", err);
	if (!rc)
		rc = put_escaped(out, c->ini_path ? c->ini_path : "(none read)", err);
	if (!rc)
		rc = buf_puts(
		    out, c->ini_path && !c->ini_found ? " (not found; defaults apply)\n" : "\n",
		    err);
	if (!rc)
		rc = buf_puts(out, "# secrets file: ", err);
	if (!rc)
		rc = put_escaped(out, c->secrets_path ? c->secrets_path : "(none read)", err);
	if (!rc)
		rc = buf_puts(out, c->secrets_path && !c->secrets_found ? " (not found)\n" : "\n",
		              err);
	for (size_t i = 0; i < NSETTINGS && !rc; i++) {
		const struct config_setting *s = &settings[i];
		const struct config_value *v = &c->v[i];
		rc = buf_printf(out, err, "%s = ", s->name);
		if (rc)
			break;
		if (s->sensitive)
			rc = buf_puts(out, v->p.key_set ? MASK : "(not set)", err);
		else if (!v->p.text[0])
			rc = buf_puts(out, "(not set)", err);
		else
			rc = put_escaped(out, v->p.text, err);
		if (!rc)
			rc = buf_puts(out, "  (", err);
		if (!rc)
			rc = put_escaped(out, v->source, err);
		if (!rc)
			rc = buf_puts(out, ")\n", err);
	}
	return rc;
}

/* a JSON string, or an error when s is not UTF-8 (a path from argv may not
 * be; every value is checked on the way in) */
static int json_str(const char *s, json_t **out, struct cadre_err *err)
{
	*out = json_string(s);
	if (!*out)
		return cadre_err_set(err, CADRE_EINVAL, "'%s' is not valid UTF-8", s);
	return CADRE_OK;
}

static int json_put(json_t *obj, const char *key, json_t *value, struct cadre_err *err)
{
	if (!value || json_object_set_new(obj, key, value) != 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "cannot build JSON for %s", key);
	return CADRE_OK;
}

static int json_file(json_t *root, const char *key, const char *path, bool found,
                     struct cadre_err *err)
{
	json_t *f = json_object();
	json_t *p = NULL;
	int rc = path ? json_str(path, &p, err) : CADRE_OK;
	if (!rc)
		rc = json_put(f, "path", path ? p : json_null(), err);
	if (!rc)
		rc = json_put(f, "found", json_boolean(found), err);
	if (rc) {
		json_decref(f);
		return rc;
	}
	return json_put(root, key, f, err);
}

static int show_json(const struct config *c, struct buf *out, struct cadre_err *err)
{
	json_t *root = json_object();
	json_t *all = json_object();
	int rc = json_file(root, "config_file", c->ini_path, c->ini_found, err);
	if (!rc)
		rc = json_file(root, "secrets_file", c->secrets_path, c->secrets_found, err);
	for (size_t i = 0; i < NSETTINGS && !rc; i++) {
		const struct config_setting *s = &settings[i];
		const struct config_value *v = &c->v[i];
		json_t *one = json_object();
		json_t *value = NULL;
		json_t *src = NULL;
		if (s->sensitive)
			value = v->p.key_set ? json_string(MASK) : json_null();
		else if (s->type == CONFIG_INT)
			value = json_integer((json_int_t)v->p.num);
		else if (s->type == CONFIG_BOOL)
			value = json_boolean(v->p.b);
		else
			rc = json_str(v->p.text, &value, err);
		if (!rc)
			rc = json_put(one, "value", value, err);
		if (!rc)
			rc = json_str(v->source, &src, err);
		if (!rc)
			rc = json_put(one, "source", src, err);
		if (!rc && s->sensitive)
			rc = json_put(one, "sensitive", json_true(), err);
		if (!rc)
			rc = json_put(all, s->name, one, err);
		else
			json_decref(one);
	}
	if (!rc) {
		rc = json_put(root, "settings", all, err);
		all = NULL;
	}
	if (!rc) {
		char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (!text)
			rc = cadre_err_set(err, CADRE_EINTERNAL, "cannot write JSON");
		else
			rc = buf_puts(out, text, err);
		if (!rc)
			rc = buf_putc(out, '\n', err);
		free(text);
	}
	json_decref(all);
	json_decref(root);
	return rc;
}

int config_write_show(const struct config *c, struct buf *out, bool json, struct cadre_err *err)
{
	return json ? show_json(c, out, err) : show_text(c, out, err);
}

/* ---- creating the secrets file ----------------------------------------- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int config_secrets_generate(const char *path, struct cadre_err *err)
{
	if (sodium_init() < 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "libsodium failed to start");
	unsigned char key[CONFIG_KEY_BYTES];
	char hex1[2 * CONFIG_KEY_BYTES + 1], hex2[2 * CONFIG_KEY_BYTES + 1];
	char text[1024];
	int rc = CADRE_OK;
	randombytes_buf(key, sizeof key);
	sodium_bin2hex(hex1, sizeof hex1, key, sizeof key);
	randombytes_buf(key, sizeof key);
	sodium_bin2hex(hex2, sizeof hex2, key, sizeof key);
	int n = snprintf(text, sizeof text,
	                 "; Cadre secrets, made by `cadre init`.  Keep this file private (mode\n"
	                 "; 0600, owned by the user running Cadre) and back it up with the\n"
	                 "; database: without pseudonym_key the pseudonymous person keys cannot\n"
	                 "; be matched again, and without audit_key the audit chain's signatures\n"
	                 "; cannot be checked.\n"
	                 "[secrets]\n"
	                 "pseudonym_key = %s\n"
	                 "audit_key = %s\n",
	                 hex1, hex2);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			rc = cadre_err_set(err, CADRE_ECONFLICT,
			                   "secrets file '%s' already exists; Cadre never replaces "
			                   "keys (move it away first)",
			                   path);
		else
			rc = cadre_err_set(err, errno == EACCES ? CADRE_EPERM : CADRE_EINVAL,
			                   "cannot create secrets file '%s': %s", path,
			                   strerror(errno));
		goto done;
	}
	/* the umask may have taken bits away but never adds them; fchmod makes
	 * the mode exactly 0600 either way */
	if (n < 0 || (size_t)n >= sizeof text || fchmod(fd, 0600) != 0 ||
	    write_all(fd, text, (size_t)n) != 0 || fsync(fd) != 0) {
		rc = cadre_err_set(err, CADRE_EINVAL, "cannot write secrets file '%s': %s", path,
		                   strerror(errno));
		(void)close(fd);
		(void)unlink(path);
		goto done;
	}
	if (close(fd) != 0) {
		rc = cadre_err_set(err, CADRE_EINVAL, "cannot write secrets file '%s': %s", path,
		                   strerror(errno));
		(void)unlink(path);
	}
done:
	sodium_memzero(key, sizeof key);
	sodium_memzero(hex1, sizeof hex1);
	sodium_memzero(hex2, sizeof hex2);
	sodium_memzero(text, sizeof text);
	return rc;
}
