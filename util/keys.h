/* The random parts of credentials and how they are kept: merchant API keys, tracking keys and
 * staff session tokens are random base64url text, and the database keeps only the BLAKE2b hash
 * of a key or token. kaeru-fcgi checks them; kaeru-admin makes API keys and prunes sessions.
 * An invited team member's first password is random text too (kept as any password is). */
#ifndef KAERU_UTIL_KEYS_H
#define KAERU_UTIL_KEYS_H

#include <stddef.h>

#define KEY_HASH_HEX_LEN     64          /* hex BLAKE2b-256 */
#define API_KEY_LEN          46          /* "kk_" + base64url of 32 random bytes */
#define TRACKING_KEY_LEN     22          /* base64url of 16 random bytes */
#define SESSION_TOKEN_LEN    43          /* base64url of 32 random bytes */
#define INITIAL_PASSWORD_LEN 16          /* base64url of 12 random bytes (96 bits) */
#define SESSION_IDLE_S       (8 * 3600)  /* unused this long, a staff session is dead */
#define SESSION_MAX_S        (7 * 86400) /* and at this age in any case */

/* Hex BLAKE2b-256 of data into out (NUL-terminated). */
void hash_hex(const void *data, size_t len, char out[KEY_HASH_HEX_LEN + 1]);
/* A new merchant API key into out. */
void api_key_new(char out[API_KEY_LEN + 2]);
/* A new tracking key into out. */
void tracking_key_new(char out[TRACKING_KEY_LEN + 1]);
/* A new staff session token into out. */
void session_token_new(char out[SESSION_TOKEN_LEN + 1]);
/* The one-time password of an invited team member, shown to the owner once, into out. */
void initial_password_new(char out[INITIAL_PASSWORD_LEN + 1]);

#endif
