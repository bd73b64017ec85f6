#include "base/rng.h"

#include <math.h>
#include <string.h>

#include <sodium.h>

#define PCG_MULT UINT64_C(6364136223846793005)

/* pcg32_random_r: advance the LCG, then permute the old state: xorshift the
 * high bits down ("XSH") and rotate by the top 5 bits ("RR"). */
uint32_t rng_u32(struct rng *r)
{
	uint64_t old = r->state;
	r->state = old * PCG_MULT + r->inc;
	uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
	uint32_t rot = (uint32_t)(old >> 59);
	return (xorshifted >> rot) | (xorshifted << ((32 - rot) & 31));
}

/* pcg32_srandom_r */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	r->state = 0;
	r->inc = (stream << 1) | 1;
	rng_u32(r);
	r->state += seed;
	rng_u32(r);
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void rng_substream(struct rng *r, uint64_t parent_seed, const char *purpose, uint64_t id)
{
	static const char tag[] = "cadre-rng-v1";
	unsigned char num[8], out[16];
	size_t plen = strlen(purpose);
	crypto_generichash_state st;
	/* crypto_generichash with a 16-byte output and no key cannot fail; and
	 * it needs no sodium_init (that only picks faster code paths with the
	 * same results and seeds randombytes, which is not used here). */
	crypto_generichash_init(&st, NULL, 0, sizeof out);
	crypto_generichash_update(&st, (const unsigned char *)tag, sizeof tag - 1);
	put_le64(num, parent_seed);
	crypto_generichash_update(&st, num, 8);
	put_le64(num, (uint64_t)plen);
	crypto_generichash_update(&st, num, 8);
	crypto_generichash_update(&st, (const unsigned char *)purpose, plen);
	put_le64(num, id);
	crypto_generichash_update(&st, num, 8);
	crypto_generichash_final(&st, out, sizeof out);
	rng_seed(r, get_le64(out), get_le64(out + 8));
}

uint64_t rng_u64(struct rng *r)
{
	uint64_t hi = rng_u32(r);
	return (hi << 32) | rng_u32(r);
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
	if (n == 0)
		return 0;
	uint64_t m = (uint64_t)rng_u32(r) * n;
	uint32_t low = (uint32_t)m;
	if (low < n) {
		uint32_t threshold = (uint32_t)-n % n; /* 2^32 mod n */
		while (low < threshold) {
			m = (uint64_t)rng_u32(r) * n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

uint64_t rng_below64(struct rng *r, uint64_t n)
{
	if (n == 0)
		return 0;
	if (n <= UINT32_MAX)
		return rng_below(r, (uint32_t)n);
	/* accept x only at or above 2^64 mod n, so that the accepted range is a
	 * whole multiple of n and x % n is uniform */
	uint64_t threshold = -n % n;
	uint64_t x;
	do
		x = rng_u64(r);
	while (x < threshold);
	return x % n;
}

int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = (uint64_t)hi - (uint64_t)lo; /* hi - lo, exact in unsigned */
	uint64_t off = span == UINT64_MAX ? rng_u64(r) : rng_below64(r, span + 1);
	return (int64_t)((uint64_t)lo + off);
}

double rng_double(struct rng *r)
{
	return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

double rng_normal(struct rng *r, double mean, double sd)
{
	double u, v, s;
	do {
		u = 2.0 * rng_double(r) - 1.0;
		v = 2.0 * rng_double(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	return mean + sd * u * sqrt(-2.0 * log(s) / s);
}

size_t rng_weighted(struct rng *r, const uint32_t *weights, size_t n)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += weights[i];
	if (total == 0)
		return n;
	uint64_t x = rng_below64(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n; /* not reached: x < total */
}
