/* Staff passwords: argon2id through libsodium, at OWASP's recommended minimum (19 MiB, 2
 * passes, 1 lane) rather than libsodium's "interactive" 64 MiB, so a check holds 19 MiB for the
 * ~30 ms it runs and kaeru-fcgi stays well under 64 MB resident while staff sign in. A hash
 * records its own parameters: hashes made with others still verify. */
#ifndef KAERU_UTIL_PASSWORD_H
#define KAERU_UTIL_PASSWORD_H

#include <stdbool.h>

#define PASSWORD_HASH_MAX 128  /* crypto_pwhash_STRBYTES, with its NUL */
#define PASSWORD_MIN_LEN  8    /* characters a new staff password needs at least */
#define PASSWORD_MAX_LEN  1024 /* and at most */

/* False only when memory ran out. */
bool password_hash(char out[PASSWORD_HASH_MAX], const char *password);
/* Whether password matches hash. */
bool password_verify(const char *hash, const char *password);

#endif
