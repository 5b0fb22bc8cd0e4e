#include "core/rma.h"

#include <string.h>

static const char alphabet[32] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

void rma_from_random(const uint8_t rnd[RMA_RANDOM_BYTES], char out[RMA_LEN + 1])
{
	uint64_t bits = 0;
	for (int i = 0; i < RMA_RANDOM_BYTES; i++)
		bits = bits << 8 | rnd[i];
	int o = 0;
	for (int i = 0; i < 10; i++) {
		if (i == 5)
			out[o++] = '-';
		out[o++] = alphabet[bits & 31];
		bits >>= 5;
	}
	out[o] = '\0';
}

static int alphabet_has(char c)
{
	return c != '\0' && memchr(alphabet, c, sizeof(alphabet)) != NULL;
}

bool rma_normalize(const char *in, char out[RMA_LEN + 1])
{
	if (strncmp(in, "KAERU:", 6) == 0 || strncmp(in, "kaeru:", 6) == 0)
		in += 6;
	char code[10];
	int n = 0;
	bool hyphen = false;
	for (const char *p = in; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '-' && n == 5 && !hyphen) {
			hyphen = true;
			continue;
		}
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!alphabet_has(c) || n == 10)
			return false;
		code[n++] = c;
	}
	if (n != 10)
		return false;
	memcpy(out, code, 5);
	out[5] = '-';
	memcpy(out + 6, code + 5, 5);
	out[RMA_LEN] = '\0';
	return true;
}
