#!/bin/sh
# The data commands of the program: map (mapping report of a relaxed file),
# sensing (diagnostics of X), export X|y (CSV and JSON), and their errors.
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
export HOME=/nonexistent
tmp=${TMPDIR:-/tmp}/cli_data.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
i=0
ok() { i=$((i + 1)); if [ "$1" -eq 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
# has NAME SUBSTRING TEXT: TEXT contains SUBSTRING.
has() {
	case "$3" in
	*"$2"*) ok 0 "$1" ;;
	*) ok 1 "$1"; echo "# missing '$2' in: $3" | head -5 ;;
	esac
}

L="load lattice examples/agpd/primitive.xyz --species Ag,Pd"
T="load structures examples/agpd/structures.xyz --target mixing_energy"
R=tests/data/relaxed/agpd_relaxed.xyz
echo "1..35"

# map: 22 mapped, frame 5 refused (volume), frame 7 warned (anisotropy)
got=$("$CEWB" -c "$L; map $R" 2>&1)
ok $? "map runs"
has "map: counts" "0 ideal, 22 mapped, 1 warned, 1 refused" "$got"
has "map: refused frame and reason" "refused" "$(echo "$got" | grep '^ *5 ')"
has "map: volumetric reason" "volumetric strain 0.953 beyond 0.400" "$got"
has "map: warned anisotropy" "strain anisotropy 0.090 beyond 0.050" "$got"
got=$("$CEWB" -c "$L; map $R --frame 7 --warn-anisotropy 0.1 --json" 2>&1)
has "map --json: status with a threshold option" '"status": "mapped"' "$got"
has "map --json: supercell matrix" '"P": [[' "$got"
has "map --json: counts" '"counts": {"ideal": 0, "mapped": 1, "warned": 0, "refused": 0}' "$got"
got=$("$CEWB" -c "$L; map $R --frame 24" 2>&1)
has "map: frame out of range" "map: --frame 24: $R has 24 frames" "$got"
got=$("$CEWB" -c "map $R" 2>&1)
has "map: needs a lattice" "map: no lattice: load one first" "$got"

# sensing on the Ag-Pd set (cutoffs 13.5 6.5 6.0: 82 parameters, full rank)
got=$("$CEWB" -c "$L; space 13.5 6.5 6.0; $T; sensing --top 3 --leverage 2" 2>&1)
ok $? "sensing runs"
has "sensing: size and rank" "sensing matrix: 625 rows x 82 columns, rank 82" "$got"
has "sensing: zerolet constant" "constant columns: o0" "$got"
has "sensing: leverage listed" "highest leverage" "$got"
got=$("$CEWB" -c "$L; space 13.5 6.5 6.0; $T; sensing --json" 2>&1)
has "sensing --json: keys" '"rows": 625, "columns": 82, "rank": 82, "condition_number": ' "$got"
has "sensing --json: top correlations" '"top_correlations": [{"a": ' "$got"
got=$("$CEWB" -c "$L; space 13.5 6.5 6.0; $T; sensing --correlations --top 1 --leverage 0" 2>&1)
has "sensing --correlations: heat map" "82 x 82 matrix, one cell per 3 x 3 block" "$got"
has "sensing --correlations: ASCII legend without colour" "|r|: ' '<0.1" "$got"
has "sensing --correlations: pairs still listed" "most correlated columns:" "$got"
got=$("$CEWB" -c "$L; space 13.5 6.5 6.0; load structures tests/data/fit/agpd12.xyz --target mixing_energy; load structures tests/data/fit/agpd12.xyz --target mixing_energy; fit ols" 2>&1)
has "load twice: duplicates reported" "12 structures with the same cluster vector as an earlier one (first: 12 duplicates 0)" "$got"
has "load twice: the first load reports none" "loaded 12 structures from tests/data/fit/agpd12.xyz (12 in the training set); target mixing_energy
loaded 12" "$got"
got=$("$CEWB" -c "$L; sensing" 2>&1)
has "sensing: needs a space" "sensing: no cluster space" "$got"

# export X and y, CSV and JSON
"$CEWB" -c "$L; space 6; $T; export X $tmp/X.csv; export y $tmp/y.json" >/dev/null 2>&1
ok $? "export runs"
head -n 1 "$tmp/X.csv" | grep -q '^id,o0,o1,o2,o3,o4,o5$'
ok $? "export X: header names the orbits"
[ "$(wc -l < "$tmp/X.csv")" -eq 626 ]
ok $? "export X: one line per structure"
grep -q '"y": \[0.0, ' "$tmp/y.json" && grep -q '"weights": \[1.0' "$tmp/y.json"
ok $? "export y: targets and weights in JSON"
"$CEWB" -c "$L; space 6; $T; export X $tmp/X.json" >/dev/null 2>&1
grep -q '^{"columns": \["o0", "o1", "o2", "o3", "o4", "o5"\],' "$tmp/X.json"
ok $? "export X: JSON columns"
got=$("$CEWB" -c "$L; space 6; $T; export X $tmp/missing/X.csv" 2>&1)
has "export: unwritable file" "export: cannot write '$tmp/missing/X.csv'" "$got"
got=$("$CEWB" -c "$L; space 6; $T; export Z $tmp/Z.csv" 2>&1)
ok $(case "$got" in *X*y*) echo 0 ;; *) echo 1 ;; esac) "export: only X or y"

# drop and restore by index and selector; the fit follows
got=$("$CEWB" -c "$L; space 6; $T; drop 3,5,7-10; drop --where 'n_atoms > 6 and x_Pd >= 0.5'" 2>&1)
has "drop: by index" "dropped 6 of 6 chosen structures; 619 of 625 in the fit" "$got"
has "drop: by selector" "dropped 290 of 290 chosen structures; 329 of 625 in the fit" "$got"
got=$("$CEWB" -c "$L; space 6; $T; drop --where all; restore --where 'index < 10'; sensing --top 0 --leverage 0" 2>&1)
has "restore: fit rows follow" "sensing matrix: 10 rows x 6 columns" "$got"
got=$("$CEWB" -c "$L; space 6; $T; drop --where 'natoms > 3'" 2>&1)
has "drop: bad selector names the field" "drop: selector 'natoms > 3': unknown field 'natoms' (column 1)" "$got"
got=$("$CEWB" -c "$L; space 6; $T; restore 999" 2>&1)
has "restore: index out of range" "restore: no structure 999 (there are 625)" "$got"
got=$("$CEWB" -c "$L; space 6; $T; drop --where all; fit ols" 2>&1)
has "fit after dropping everything" "fit: every training structure was refused by the mapping or dropped" "$got"
