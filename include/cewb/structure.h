/*
 * cewb/structure.h - atomic structures, their metadata, and file formats.
 *
 * Conventions: lengths in Å; the cell is stored with the lattice vectors as
 * ROWS (cell[0] = a, cell[1] = b, cell[2] = c), as ASE does (spglib wants
 * columns: transpose when calling it).  Positions are Cartesian.  Atomic
 * number 0 stands for a vacancy (symbol "X").  Indices are 0-based.
 *
 * Ownership: cewb_structure_alloc/cewb_structure_free; every string and
 * array inside a structure belongs to it.  cewb_frames_release frees the
 * frames it holds.  All readers are all-or-nothing: on error the output is
 * untouched and the message names the file, the frame and the line; on
 * success a cewb_frames output is overwritten (release what it held first).
 *
 * Files: numbers are read and written in the "C" locale whatever LC_NUMERIC
 * the program uses; writers replace files atomically (temporary file in the
 * same directory, fsync, rename).  Readers refuse NaN/inf or |x| > 1e6 Å
 * coordinates, unknown elements, and cells that are degenerate along a
 * periodic direction; left-handed cells are kept as they are.  Info values
 * are typed from their text as ASE does (so a string "12" reads back as an
 * integer).  POSCAR selective dynamics flags live in the per-atom array
 * "selective_dynamics" (L, 3 columns, T = free).
 */
#ifndef CEWB_STRUCTURE_H
#define CEWB_STRUCTURE_H

#include <stddef.h>
#include <stdio.h>
#include "cewb/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Type of a per-frame info value as written in extended XYZ. */
typedef enum {
	CEWB_VALUE_STRING,
	CEWB_VALUE_INT,
	CEWB_VALUE_REAL,
	CEWB_VALUE_BOOL,
	CEWB_VALUE_INT_ARRAY,
	CEWB_VALUE_REAL_ARRAY,
	CEWB_VALUE_BOOL_ARRAY,
	CEWB_VALUE_STRING_ARRAY
} cewb_value_type;

/* One key=value pair of a frame's comment line (ASE's atoms.info). */
typedef struct {
	char *key;
	cewb_value_type type;
	char *text;     /* the value as written, quotes removed; always set */
	size_t n;       /* element count: 1 for scalars */
	double *real;   /* numeric value(s) for INT/REAL/BOOL (and arrays); NULL for strings */
} cewb_info;

/* A per-atom array of the Properties column list (other than species, pos). */
typedef struct {
	char *name;     /* e.g. "forces" */
	char type;      /* 'R' real, 'I' integer, 'L' logical, 'S' string */
	size_t n_cols;
	double *real;   /* n_atoms * n_cols values, row-major, for R, I, L */
	char **str;     /* n_atoms * n_cols strings for S, else NULL */
} cewb_array;

typedef struct {
	size_t n_atoms;
	double cell[3][3];   /* rows: lattice vectors a, b, c (Å) */
	int pbc[3];          /* periodic along a, b, c */
	double (*pos)[3];    /* Cartesian positions (Å), n_atoms rows */
	int *numbers;        /* atomic numbers, 0 = vacancy */
	size_t n_info;
	cewb_info *info;     /* frame metadata in file order */
	size_t n_arrays;
	cewb_array *arrays;  /* extra per-atom arrays in file order */
	char *source;        /* file it came from, or NULL */
	size_t frame;        /* 0-based frame index in that file */
} cewb_structure;

/* A list of frames, e.g. all frames of one file. */
typedef struct {
	size_t n;
	cewb_structure **frames;
} cewb_frames;

/* Allocate a structure of n_atoms atoms at the origin, cell zero, pbc true. */
cewb_structure *cewb_structure_alloc(size_t n_atoms);
/* Free a structure and all it owns; NULL is harmless. */
void cewb_structure_free(cewb_structure *s);
/* Deep copy; NULL when out of memory. */
cewb_structure *cewb_structure_copy(const cewb_structure *s);
/* Free the frames held by f and reset it to empty. */
void cewb_frames_release(cewb_frames *f);
/* Append s to f, which then owns it (CEWB_ENOMEM leaves both unchanged). */
cewb_status cewb_frames_append(cewb_frames *f, cewb_structure *s, cewb_error *err);

/* The info entry named key, or NULL. */
const cewb_info *cewb_structure_info(const cewb_structure *s, const char *key);
/* Read a scalar numeric info value; CEWB_EINVAL if absent or not a number. */
cewb_status cewb_structure_info_real(const cewb_structure *s, const char *key,
				     double *value, cewb_error *err);
/* Set (add or replace) a real-valued info entry. */
cewb_status cewb_structure_set_info_real(cewb_structure *s, const char *key,
					 double value, cewb_error *err);
/* Set (add or replace) a string info entry. */
cewb_status cewb_structure_set_info_string(cewb_structure *s, const char *key,
					   const char *value, cewb_error *err);
/* The per-atom array named name, or NULL. */
const cewb_array *cewb_structure_array(const cewb_structure *s, const char *name);
/* Add (or replace) a per-atom array of n_cols columns of type 'R', 'I', 'L'
 * (values zero) or 'S' (empty strings); the array is owned by s.  NULL with
 * err set on a bad name, type or count, or when out of memory. */
cewb_array *cewb_structure_add_array(cewb_structure *s, const char *name, char type,
				     size_t n_cols, cewb_error *err);

/* Cell volume (signed: negative for a left-handed cell). */
double cewb_cell_volume(const double cell[3][3]);
/* Inverse of a cell (rows); CEWB_EINVAL when singular. */
cewb_status cewb_cell_inverse(const double cell[3][3], double inv[3][3],
			      cewb_error *err);
/* Fractional coordinates of a Cartesian position: frac = pos * inv. */
void cewb_cart_to_frac(const double inv[3][3], const double pos[3], double frac[3]);
/* Cartesian position of fractional coordinates: pos = frac * cell. */
void cewb_frac_to_cart(const double cell[3][3], const double frac[3], double pos[3]);

/* Atomic number of an element symbol ("X" is 0); -1 when unknown. */
int cewb_element_number(const char *symbol);
/* Symbol of atomic number z (0 gives "X"); NULL when out of range. */
const char *cewb_element_symbol(int z);

/* Read every frame of an extended XYZ file (as ASE writes it). */
cewb_status cewb_extxyz_read(const char *path, cewb_frames *out, cewb_error *err);
/* Read extended XYZ frames from a stream; name is used in messages. */
cewb_status cewb_extxyz_read_stream(FILE *fp, const char *name, cewb_frames *out,
				    cewb_error *err);
/* Write frames as extended XYZ, atomically (temporary file + rename). */
cewb_status cewb_extxyz_write(const char *path, cewb_structure *const *frames,
			      size_t n, cewb_error *err);
/* Write one frame as extended XYZ to a stream. */
cewb_status cewb_extxyz_write_stream(FILE *fp, const cewb_structure *s, cewb_error *err);

/* Read a VASP POSCAR/CONTCAR (direct or Cartesian, VASP 4 or 5 format).
 * A VASP 4 file without a species line needs species_hint ("Ag,Pd"),
 * else CEWB_EPARSE; species_hint may be NULL. */
cewb_status cewb_poscar_read(const char *path, const char *species_hint,
			     cewb_structure **out, cewb_error *err);
/* Write a POSCAR (VASP 5, species line, direct coordinates unless cartesian). */
cewb_status cewb_poscar_write(const char *path, const cewb_structure *s,
			      int cartesian, cewb_error *err);

/* Read a structure file of any supported format, chosen by name and content
 * (POSCAR, CONTCAR, *.vasp, *.poscar: VASP; otherwise extended XYZ). */
cewb_status cewb_structure_read_any(const char *path, const char *species_hint,
				    cewb_frames *out, cewb_error *err);

#ifdef __cplusplus
}
#endif
#endif
