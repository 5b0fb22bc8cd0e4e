#include "util/keys.h"

#include <sodium.h>
#include <string.h>

void hash_hex(const void *data, size_t len, char out[KEY_HASH_HEX_LEN + 1])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	sodium_bin2hex(out, KEY_HASH_HEX_LEN + 1, h, sizeof(h));
}

/* n random bytes as base64url into out, which holds size bytes. */
static void random_text(char *out, size_t size, size_t n)
{
	unsigned char rnd[32];
	randombytes_buf(rnd, n);
	sodium_bin2base64(out, size, rnd, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void api_key_new(char out[API_KEY_LEN + 2])
{
	memcpy(out, "kk_", 3);
	random_text(out + 3, API_KEY_LEN - 3 + 2, 32);
}

void tracking_key_new(char out[TRACKING_KEY_LEN + 1])
{
	random_text(out, TRACKING_KEY_LEN + 1, 16);
}

void session_token_new(char out[SESSION_TOKEN_LEN + 1])
{
	random_text(out, SESSION_TOKEN_LEN + 1, 32);
}

void initial_password_new(char out[INITIAL_PASSWORD_LEN + 1])
{
	random_text(out, INITIAL_PASSWORD_LEN + 1, 12);
}
