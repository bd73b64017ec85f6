/* session: signing in, staying signed in, and signing out.
 *
 * Design note
 * - A session lives in the database (any number of servers share it).  Its
 *   id is 32 random bytes from libsodium, sent to the browser in a cookie
 *   (base64url, 43 characters); the database holds only their SHA-256, so
 *   a copy of the database (a backup, a replica) signs no one in.
 * - Sign-in always makes a NEW id (a session id offered before sign-in is
 *   ended, never promoted: no fixation).  When an account's privileges
 *   change (a grant added or revoked, disabled and enabled) its epoch goes
 *   up; a session of an older epoch is given a new id on its next request,
 *   the old one ended (session_resume's rotated flag tells the web layer
 *   to replace the cookie).
 * - Expiry: idle (no request for session.idle_minutes) and absolute
 *   (session.absolute_hours after sign-in, however active).  last_seen_at is
 *   written at most once a minute (SESSION_TOUCH_US), so a busy page does
 *   not write on every request; idle expiry is therefore exact to within a
 *   minute.  The clock is injectable, so the tests move time by hand.
 * - CSRF: the synchroniser token of a session is BLAKE2b keyed by the
 *   session's 32 bytes over "cadre-csrf-v1" (hex), so it is tied to the
 *   session, changes with its id, needs no storage, and cannot be made by
 *   anyone who does not hold the cookie.  Before sign-in the same is done
 *   with a random pre-session cookie (the sign-in form's token).
 * - Throttling: each attempt counts against two keys in a fixed window
 *   (signin_throttle, in the database so every server sees it): the
 *   account (the SHA-256 of the email as typed, so addresses without an
 *   account are throttled alike and nothing tells which exist) and the
 *   client's address (which the web layer takes from a trusted proxy only).
 *   Attempts are counted before the password is checked, so concurrent
 *   guesses cannot slip past the limit; a successful sign-in clears the
 *   account's count and gives its own attempt back to the address.  The
 *   password check (Argon2id, ~0.1 s) runs outside any transaction, so no
 *   write lock is held while it runs.  An unknown email is checked against
 *   a dummy hash so that it takes as long as a known one.
 * - Every sign-in, failed sign-in (wrong password, unknown email, disabled,
 *   throttled) and sign-out is audited in the same transaction as its
 *   effect.  A failure is recorded by the system actor "system:web" (no one
 *   is signed in), with the account when the email names one.
 * - session_resume and session_sign_in establish who is asking, so they
 *   take no actor (there is none yet); everything else does. */
#ifndef CADRE_DOMAIN_SESSION_H
#define CADRE_DOMAIN_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/account.h"
#include "domain/actor.h"

struct store;

#define SESSION_ID_BYTES  32
#define SESSION_ID_TEXT   44 /* base64url of 32 bytes (43) and the NUL */
#define SESSION_CSRF_TEXT 65 /* 64 hex digits and the NUL */
#define SESSION_TOUCH_US  (INT64_C(60) * 1000000)
#define SESSION_ADDR_MAX  64

/* throttling: attempts per window */
#define SESSION_THROTTLE_WINDOW_US (INT64_C(15) * 60 * 1000000)
#define SESSION_THROTTLE_ACCOUNT   5
#define SESSION_THROTTLE_ADDRESS   30

struct session_limits {
	int64_t idle_us;     /* session.idle_minutes */
	int64_t absolute_us; /* session.absolute_hours */
};

/* ---- ids and tokens (pure) ------------------------------------------- */

/* session_id_new: 32 random bytes (libsodium). */
void session_id_new(unsigned char id[SESSION_ID_BYTES]);

/* session_id_encode: id as cookie text (base64url, no padding). */
void session_id_encode(const unsigned char id[SESSION_ID_BYTES], char out[SESSION_ID_TEXT]);

/* session_id_decode: cookie text back to 32 bytes; false when text is not
 * exactly that (a forged or damaged cookie). */
bool session_id_decode(const char *text, size_t n, unsigned char id[SESSION_ID_BYTES]);

/* session_csrf_token: the CSRF token tied to id (see the design note). */
void session_csrf_token(const unsigned char id[SESSION_ID_BYTES], char out[SESSION_CSRF_TEXT]);

/* session_csrf_matches: does token (as submitted, any length) equal the
 * token of id?  Constant time in the token's content. */
bool session_csrf_matches(const unsigned char id[SESSION_ID_BYTES], const char *token);

/* ---- resuming -------------------------------------------------------- */

enum session_status {
	SESSION_ACTIVE = 0,
	SESSION_UNKNOWN,  /* no such session (never was, or forged) */
	SESSION_ENDED,    /* signed out, replaced or ended by an administrator */
	SESSION_IDLE,     /* no request for longer than the idle limit */
	SESSION_EXPIRED,  /* older than the absolute limit */
	SESSION_DISABLED, /* the account is disabled */
};

/* session: an active session and who it belongs to. */
struct session {
	struct account_identity who;
	unsigned char id[SESSION_ID_BYTES]; /* its id now (a new one when rotated) */
	bool rotated;                       /* the id changed: replace the cookie */
	int64_t created_at;
	int64_t last_seen_at;
};

/* session_resume: the session whose id the cookie holds.  CADRE_OK with
 * *out filled (free with session_free) when it is active, after writing
 * last_seen_at if a minute has passed and giving it a new id if the
 * account's privileges changed; CADRE_ENOTFOUND with *why saying why not
 * (an expired one is ended).  Uses its own short write transactions: call
 * it outside any transaction. */
int session_resume(struct store *db, const unsigned char id[SESSION_ID_BYTES],
                   const struct session_limits *lim, const struct clock *clk, struct session *out,
                   enum session_status *why, struct cadre_err *err);

/* session_free: release what session_resume filled. */
void session_free(struct session *s);

/* ---- signing in and out ---------------------------------------------- */

struct session_credentials {
	const char *email;
	const char *password;
	const char *client_addr;     /* the real client, for throttling and the trail */
	const unsigned char *old_id; /* a session id the browser had, ended; or NULL */
};

enum session_outcome {
	SESSION_SIGNED_IN = 0,
	SESSION_REFUSED,   /* wrong email or password, no password, or disabled */
	SESSION_THROTTLED, /* too many attempts: wait retry_after_s */
};

struct session_sign_in {
	enum session_outcome outcome;
	int64_t retry_after_s;
	int64_t account_id;
	unsigned char id[SESSION_ID_BYTES]; /* the new session (SIGNED_IN) */
};

/* session_sign_in: check the credentials and start a session, throttled
 * and audited (see the design note).  CADRE_OK with out->outcome for every
 * answer about the credentials; an error only when the database failed. */
int session_sign_in(struct store *db, const unsigned char *audit_key,
                    const struct session_credentials *c, const struct clock *clk,
                    struct session_sign_in *out, struct cadre_err *err);

/* session_sign_out: end actor's session id, audited ("signout"). */
int session_sign_out(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                     const unsigned char id[SESSION_ID_BYTES], const struct clock *clk,
                     struct cadre_err *err);

/* session_throttle_clear: forget the throttling counts (the command line's
 * way to let a locked-out person try again).  System actor only. */
int session_throttle_clear(const struct actor *actor, struct store *db, struct cadre_err *err);

#endif
