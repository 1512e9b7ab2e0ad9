/*
 * fuzz_poscar.c - fuzz entry point of the POSCAR reader.
 *
 * The input is parsed by cewb_poscar_parse (what cewb_poscar_read calls on
 * the file's text) twice: without a species hint and with one (a VASP 4
 * file needs one).  Success must give a structure; a failure message must
 * be one line.
 */
#include "config.h"
#include "cewb/structure.h"
#include "../src/core/io_util.h"
#include "fuzz.h"

/* Parse the input once with the given species hint. */
static void parse_once(const uint8_t *data, size_t size, const char *hint)
{
	cewb_structure *s = NULL;
	cewb_error err;
	char *text = fuzz_strndup(data, size);
	if (!text)
		return;
	if (cewb_poscar_parse(text, size, "POSCAR", hint, &s, &err) == CEWB_OK) {
		if (!s) {
			fprintf(stderr, "poscar: success without a structure\n");
			abort();
		}
		cewb_structure_free(s);
	} else {
		fuzz_check_message("poscar read", err.message);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_once(data, size, NULL);
	parse_once(data, size, "Ag,Pd,Cu");
	return 0;
}
