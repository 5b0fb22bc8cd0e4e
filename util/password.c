#include "util/password.h"

#include <sodium.h>
#include <string.h>

#define OPSLIMIT 2
#define MEMLIMIT (19u << 20)

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "crypto_pwhash_STRBYTES changed");

bool password_hash(char out[PASSWORD_HASH_MAX], const char *password)
{
	return crypto_pwhash_str(out, password, strlen(password), OPSLIMIT, MEMLIMIT) == 0;
}

bool password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
