/* RMA codes: ten characters from an alphabet without look-alikes (no 0/O, 1/I), grouped
 * 5-5 with a hyphen, e.g. "7KQ2M-XH4RP". 50 random bits: short to read out, unguessable. */
#ifndef KAERU_CORE_RMA_H
#define KAERU_CORE_RMA_H

#include <stdbool.h>
#include <stdint.h>

#define RMA_LEN          11 /* characters, without the NUL */
#define RMA_RANDOM_BYTES 7

/* Writes the code made from 50 bits of rnd into out (NUL-terminated). */
void rma_from_random(const uint8_t rnd[RMA_RANDOM_BYTES], char out[RMA_LEN + 1]);

/* Reads what a person or a scanner typed — any case, with or without the hyphen, with
 * surrounding blanks, or a label's QR text "KAERU:<code>" — into the canonical code.
 * Returns false when it cannot be an RMA code. */
bool rma_normalize(const char *in, char out[RMA_LEN + 1]);

#endif
