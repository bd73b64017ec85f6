/* rng: a seeded, deterministic random number generator for simulation and
 * demo data (never for secrets: tokens and keys come from libsodium's
 * randombytes).
 *
 * The generator is PCG32 (pcg32_random_r, "XSH RR" output on a 64-bit LCG
 * state with a per-stream odd increment), implemented from M. E. O'Neill,
 * "PCG: A Family of Simple Fast Space-Efficient Statistically Good
 * Algorithms for Random Number Generation", HMC-CS-2014-0905 (2014), and the
 * minimal C implementation at https://www.pcg-random.org/download.html.
 * rng_seed(r, 42, 54) gives the same outputs as the reference pcg32-demo.
 *
 * The same seed gives the same sequence on every machine: nothing depends
 * on the C library's random generator, word size or libm except rng_normal, which uses
 * log and sqrt (results may differ in the last bit between C libraries).
 *
 * Substreams: rng_substream derives an independent generator from a parent
 * seed, a purpose and an id, so the demo generator's stream for organisation
 * RXK and purpose "staff" is the same whether it generates one ICS or the
 * whole country, whatever else was drawn before. */
#ifndef CADRE_BASE_RNG_H
#define CADRE_BASE_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t state;
	uint64_t inc; /* always odd; selects the stream */
};

/* rng_seed: start the generator at seed on stream `stream` (as
 * pcg32_srandom_r(r, seed, stream)).  Different streams with the same seed
 * give different sequences. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);

/* rng_substream: seed r for (parent_seed, purpose, id).  The seed and stream
 * are the first 16 bytes of BLAKE2b (libsodium crypto_generichash, 16-byte
 * output, no key) over the bytes
 *   "cadre-rng-v1" || le64(parent_seed) || le64(strlen(purpose)) || purpose
 *   || le64(id)
 * read as two little-endian 64-bit numbers (seed, then stream).  The layout is
 * fixed: changing it changes every generated data set. */
void rng_substream(struct rng *r, uint64_t parent_seed, const char *purpose, uint64_t id);

/* rng_u32: the next 32 random bits. */
uint32_t rng_u32(struct rng *r);

/* rng_u64: 64 random bits (two outputs, the first in the high half). */
uint64_t rng_u64(struct rng *r);

/* rng_below: uniform in [0, n) without modulo bias (Lemire's multiply and
 * reject, "Fast Random Integer Generation in an Interval", ACM TOMACS 2019).
 * n = 0 returns 0. */
uint32_t rng_below(struct rng *r, uint32_t n);

/* rng_below64: uniform in [0, n) for 64-bit n (rejection below a multiple of
 * n).  n = 0 returns 0. */
uint64_t rng_below64(struct rng *r, uint64_t n);

/* rng_range: uniform in [lo, hi] inclusive; returns lo when hi < lo. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);

/* rng_double: uniform in [0, 1) with 53 random bits. */
double rng_double(struct rng *r);

/* rng_normal: a normal deviate with the given mean and standard deviation
 * (Marsaglia's polar method; the second deviate of each pair is discarded so
 * that the generator's state is all there is to save). */
double rng_normal(struct rng *r, double mean, double sd);

/* rng_weighted: an index i in [0, n) chosen with probability
 * weights[i] / sum(weights).  Returns n when n is 0 or every weight is 0. */
size_t rng_weighted(struct rng *r, const uint32_t *weights, size_t n);

#endif
