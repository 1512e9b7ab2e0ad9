/*
 * Chemical elements: symbol <-> atomic number for Z = 1..118, plus the
 * vacancy "X" (Z = 0).  Lookups are case-insensitive ("AU", "au" and "Au"
 * are all gold), as extended XYZ readers capitalise species names.
 */
#include "config.h"
#include <stddef.h>
#include <string.h>
#include "cewb/structure.h"

#define N_ELEMENTS 119 /* X (vacancy) and Z = 1..118 */

static const char *const symbols[N_ELEMENTS] = {
	"X",
	"H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne",
	"Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca",
	"Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
	"Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr",
	"Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn",
	"Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
	"Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
	"Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg",
	"Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th",
	"Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm",
	"Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds",
	"Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"
};

/* The same symbols sorted by strcmp, for a binary search. */
static const struct {
	const char *symbol;
	int z;
} sorted[N_ELEMENTS] = {
	{"Ac", 89}, {"Ag", 47}, {"Al", 13}, {"Am", 95}, {"Ar", 18}, {"As", 33}, {"At", 85},
	{"Au", 79}, {"B", 5}, {"Ba", 56}, {"Be", 4}, {"Bh", 107}, {"Bi", 83}, {"Bk", 97},
	{"Br", 35}, {"C", 6}, {"Ca", 20}, {"Cd", 48}, {"Ce", 58}, {"Cf", 98}, {"Cl", 17},
	{"Cm", 96}, {"Cn", 112}, {"Co", 27}, {"Cr", 24}, {"Cs", 55}, {"Cu", 29}, {"Db", 105},
	{"Ds", 110}, {"Dy", 66}, {"Er", 68}, {"Es", 99}, {"Eu", 63}, {"F", 9}, {"Fe", 26},
	{"Fl", 114}, {"Fm", 100}, {"Fr", 87}, {"Ga", 31}, {"Gd", 64}, {"Ge", 32}, {"H", 1},
	{"He", 2}, {"Hf", 72}, {"Hg", 80}, {"Ho", 67}, {"Hs", 108}, {"I", 53}, {"In", 49},
	{"Ir", 77}, {"K", 19}, {"Kr", 36}, {"La", 57}, {"Li", 3}, {"Lr", 103}, {"Lu", 71},
	{"Lv", 116}, {"Mc", 115}, {"Md", 101}, {"Mg", 12}, {"Mn", 25}, {"Mo", 42}, {"Mt", 109},
	{"N", 7}, {"Na", 11}, {"Nb", 41}, {"Nd", 60}, {"Ne", 10}, {"Nh", 113}, {"Ni", 28},
	{"No", 102}, {"Np", 93}, {"O", 8}, {"Og", 118}, {"Os", 76}, {"P", 15}, {"Pa", 91},
	{"Pb", 82}, {"Pd", 46}, {"Pm", 61}, {"Po", 84}, {"Pr", 59}, {"Pt", 78}, {"Pu", 94},
	{"Ra", 88}, {"Rb", 37}, {"Re", 75}, {"Rf", 104}, {"Rg", 111}, {"Rh", 45}, {"Rn", 86},
	{"Ru", 44}, {"S", 16}, {"Sb", 51}, {"Sc", 21}, {"Se", 34}, {"Sg", 106}, {"Si", 14},
	{"Sm", 62}, {"Sn", 50}, {"Sr", 38}, {"Ta", 73}, {"Tb", 65}, {"Tc", 43}, {"Te", 52},
	{"Th", 90}, {"Ti", 22}, {"Tl", 81}, {"Tm", 69}, {"Ts", 117}, {"U", 92}, {"V", 23},
	{"W", 74}, {"X", 0}, {"Xe", 54}, {"Y", 39}, {"Yb", 70}, {"Zn", 30}, {"Zr", 40},
};

/* Atomic number of an element symbol, any letter case ("X" is 0); -1 when unknown. */
int cewb_element_number(const char *symbol)
{
	char key[3];
	size_t lo = 0, hi = N_ELEMENTS;

	if (!symbol || !symbol[0] || (symbol[1] && symbol[2]))
		return -1;
	/* Canonical case: first letter upper, second lower (ASCII only). */
	key[0] = symbol[0];
	if (key[0] >= 'a' && key[0] <= 'z')
		key[0] = (char)(key[0] - 'a' + 'A');
	key[1] = symbol[1];
	if (key[1] >= 'A' && key[1] <= 'Z')
		key[1] = (char)(key[1] - 'A' + 'a');
	key[2] = '\0';
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, sorted[mid].symbol);
		if (c == 0)
			return sorted[mid].z;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Symbol of atomic number z (0 gives "X"); NULL when out of range. */
const char *cewb_element_symbol(int z)
{
	if (z < 0 || z >= N_ELEMENTS)
		return NULL;
	return symbols[z];
}
