/* fc2.c - the container of second-order force constants (cewb/fc2.h). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "cewb/fc2.h"

/* A new empty set of force constants for n_atoms atoms. */
cewb_fc2 *cewb_fc2_alloc(size_t n_atoms)
{
	cewb_fc2 *fc = calloc(1, sizeof *fc);
	if (!fc)
		return NULL;
	fc->n_atoms = n_atoms;
	fc->pos = calloc(n_atoms ? n_atoms : 1, sizeof *fc->pos);
	fc->numbers = calloc(n_atoms ? n_atoms : 1, sizeof *fc->numbers);
	fc->masses = calloc(n_atoms ? n_atoms : 1, sizeof *fc->masses);
	if (!fc->pos || !fc->numbers || !fc->masses) {
		cewb_fc2_free(fc);
		return NULL;
	}
	return fc;
}

/* Append the block Phi(i 0, j R); the array grows geometrically. */
int cewb_fc2_add(cewb_fc2 *fc, size_t i, size_t j, const int R[3], const double phi[3][3])
{
	size_t n = fc->n_blocks;
	/* Capacity is 16, 32, 64, ...: grow when n reaches one of them (or at 0). */
	if (n == 0 || (n >= 16 && (n & (n - 1)) == 0)) {
		cewb_fc2_block *b = realloc(fc->blocks, (n ? 2 * n : 16) * sizeof *b);
		if (!b)
			return -1;
		fc->blocks = b;
	}
	cewb_fc2_block *b = &fc->blocks[n];
	b->i = i;
	b->j = j;
	memcpy(b->R, R, sizeof b->R);
	memcpy(b->phi, phi, sizeof b->phi);
	fc->n_blocks = n + 1;
	return 0;
}

/* Free the set and its arrays; NULL is harmless. */
void cewb_fc2_free(cewb_fc2 *fc)
{
	if (!fc)
		return;
	free(fc->pos);
	free(fc->numbers);
	free(fc->masses);
	free(fc->blocks);
	free(fc);
}
