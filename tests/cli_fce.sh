#!/bin/sh
# The force-constant family from the command line: the example session
# replayed with --check, the aluminium reference figures, validation over
# whole structures, the mode switch, and the documented answers to bad
# input (one line naming file, frame and atom; exit 1; nothing loaded).
#
# Reference figures (examples/fce-al/README.md): the harmonic model fitted
# to the sigma = 0.01 Å frames misses the EMT forces by 2.5 %, 7.5 % and
# 25.5 % at sigma = 0.01, 0.03, 0.1 Å (checked to 0.2 points: the figures
# are quoted to one decimal, pair cutoffs between 5 and 6 Å change them by
# less than 0.05); phonopy's frequencies at X (5.634, 8.600 THz) and L
# (3.498, 8.559 THz) within 0.5 % with pairs to 6 Å.
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
export HOME=/nonexistent NO_COLOR=1
tmp=${TMPDIR:-/tmp}/cli_fce.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
i=0
ok() { i=$((i + 1)); if [ "$1" -eq 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
# near GOT WANT ABS: |GOT - WANT| <= ABS.
near() { awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d;
	exit !(g != "" && d <= t) }'; }
# num KEY: the first number after "KEY": on standard input.
num() { sed -n "s/.*\"$1\": \\(-\\{0,1\\}[0-9][0-9.e+-]*\\).*/\\1/p" | head -n 1; }
# has TEXT: standard input contains TEXT.
has() { grep -qF -- "$1"; }

LAT='load lattice examples/fce-al/primitive.xyz --species Al'
DATA='load structures examples/fce-al/training_rattled.xyz'

# 1. the example session
HOME=/nonexistent "$CEWB" --replay examples/fce-al.cewb --check >"$tmp/ex.out" 2>&1
ok $? "examples/fce-al.cewb replays with --check"
[ $? -eq 0 ] || sed 's/^/# /' "$tmp/ex.out" | head -20

# 2. harmonic reference figures: force errors by sigma
"$CEWB" -c "$LAT; fce space 5.0; $DATA; fce select sigma=0.01; fit ols; fce errors" \
	>"$tmp/h.out" 2>&1
ok $? "harmonic fit on sigma 0.01"
for pair in 0.01:2.5 0.03:7.5 0.1:25.5; do
	sg=${pair%%:*} want=${pair#*:}
	got=$(awk -v s="$sg" '$1 == s && $NF == "%" { print $(NF - 1) }' "$tmp/h.out")
	near "$got" "$want" 0.2
	ok $? "harmonic relative force error at sigma $sg: $got % (reference $want %)"
done
grep -q '^n_parameters  *9$' "$tmp/h.out"
ok $? "pairs to 5 Å: 9 parameters after the acoustic sum rule"

# 3. third order lowers the error at sigma 0.1 well below 25 %
"$CEWB" -c "$LAT; fce space 5.0 4.0; $DATA; fce select sigma=0.1; fit ols; fce errors" \
	>"$tmp/a.out" 2>&1
got=$(awk '$1 == "0.1" && $NF == "%" { print $(NF - 1) }' "$tmp/a.out")
awk -v g="$got" 'BEGIN { exit !(g != "" && g < 12) }'
ok $? "third order: error at sigma 0.1 $got % (< 12 %, harmonic 25.5 %)"

# 4. phonons of the harmonic fit at X and L
"$CEWB" -c "$LAT; fce space 6.0; $DATA; fce select sigma=0.01; fit ols" \
	-c 'phonons --q 0.5,0,0.5; phonons --q 0.5,0.5,0.5' >"$tmp/ph.out" 2>&1
ok $? "phonons after a force-constant fit"
set -- $(sed -n 's/^frequencies (THz): //p' "$tmp/ph.out" | tr '\n' ' ')
for pair in "$1:5.634" "$3:8.600" "$4:3.498" "$6:8.559"; do
	g=${pair%%:*} w=${pair#*:}
	near "$g" "$w" "$(awk -v w="$w" 'BEGIN { print 0.005 * w }')"
	ok $? "frequency $g THz within 0.5 % of phonopy's $w"
done

# 5. JSON: fit and validate carry force errors; validation over structures
"$CEWB" --json -c "$LAT; fce space 5.0; $DATA; fce select sigma=0.01" \
	-c 'fit ols; validate ols --loo; learning-curve ols --sizes 0.5 --folds 4 --repeat 1' \
	-c 'fce orbits; structures; sensing' >"$tmp/j.out" 2>&1
ok $? "JSON run"
sed -n 5p "$tmp/j.out" >"$tmp/fit.json"
for k in rmse_train relative_error_train rms_force n_rows n_structures eci; do
	has "\"$k\"" <"$tmp/fit.json"
	ok $? "fit --json has \"$k\""
done
sed -n 6p "$tmp/j.out" >"$tmp/val.json"
[ "$(num n_splits <"$tmp/val.json")" = 20 ]
ok $? "leave-one-out holds out structures: 20 splits for 20 structures"
has '"relative_error_validation"' <"$tmp/val.json"
ok $? "validate --json has relative_error_validation"
[ "$(sed -n 7p "$tmp/j.out" | num size)" = 10 ]
ok $? "learning-curve sizes count structures (0.5 of 20 is 10)"
sed -n 8p "$tmp/j.out" | has '"n_orbits_by_order": {"2": 4}'
ok $? "fce orbits --json: 4 pair orbits to 5 Å"
[ "$(sed -n 9p "$tmp/j.out" | grep -o '"used": true' | wc -l)" -eq 20 ]
ok $? "structures --json: 20 of 60 used after fce select"
[ "$(sed -n 10p "$tmp/j.out" | num rows)" = 6480 ]
ok $? "sensing --json: 3 rows per atom of the selected structures"

# 6. displacements from the nearest sites equal the displacement arrays
for f in nodisp withdisp; do
	"$CEWB" --json -c "$LAT; fce space 5 4; load structures tests/data/fce/$f.xyz; fit ols" \
		2>&1 | tail -n 1 | num rmse_train >"$tmp/$f.rmse"
done
# (the positions are written to 1e-8 Å, the arrays are exact: 1e-6 relative)
near "$(cat "$tmp/nodisp.rmse")" "$(cat "$tmp/withdisp.rmse")" \
	"$(awk -v w="$(cat "$tmp/withdisp.rmse")" 'BEGIN { print 1e-6 * w }')"
ok $? "without a displacements array: the same fit ($(cat "$tmp/nodisp.rmse") eV/Å)"

# 7. the mode switch keeps both models (a lattice of two species, so that a
# cluster space can be built too)
"$CEWB" -c "load lattice examples/fce-al/primitive.xyz --species Al,Cu; fce space 5.0" \
	-c 'load structures tests/data/fce/withdisp.xyz; space 5.0; structures' \
	-c 'fce on; structures' >"$tmp/m.out" 2>&1
ok $? "space, fce on"
has 'no structures loaded' <"$tmp/m.out" && has '2 structures with forces' <"$tmp/m.out"
ok $? "space returns to the cluster expansion, fce on to the force data"

# 8. bad input: one line, exit 1, nothing loaded
bad() { # FILE EXPECTED
	out=$("$CEWB" -k -c "$LAT; fce space 5; load structures tests/data/fce/withdisp.xyz" \
		-c "load structures tests/data/fce/$1" -c structures 2>&1)
	rc=$?
	msg=$(printf '%s\n' "$out" | grep '^load structures:')
	[ $rc -eq 1 ] && [ "$(printf '%s\n' "$msg" | wc -l)" -eq 1 ] &&
		printf '%s\n' "$msg" | has "$2" &&
		printf '%s\n' "$out" | has '2 structures with forces'
	ok $? "$1: '$2', the loaded data unchanged"
	[ $rc -eq 1 ] && [ -n "$msg" ] || printf '%s\n' "$out" | sed 's/^/# /'
}
bad noforces.xyz "tests/data/fce/noforces.xyz: frame 1: no 'forces' array"
bad forces2.xyz "frame 0: 'forces' has 2 columns of type R, 3 reals per atom needed"
bad bigdisp.xyz "frame 0, atom 5: displacement 1.49 Å is larger than half the nearest-neighbour distance (1.41 Å)"
bad badcell.xyz "frame 0: not a supercell of the lattice (positions minus displacements): cell vector a"
bad badcell_nodisp.xyz "frame 0: the cell is not a supercell of the lattice (cell vector 1 is off by 0.359 Å)"
bad species.xyz "frame 0, atom 7: Cu is not a species of the lattice"

# 9. commands out of place
fails() { # COMMANDS EXPECTED
	out=$("$CEWB" -c "$1" 2>&1)
	rc=$?
	[ $rc -eq 1 ] && printf '%s\n' "$out" | has "$2"
	ok $? "'${1##*; }' fails: $2"
	[ $rc -eq 1 ] || printf '%s\n' "$out" | sed 's/^/# /' | tail -3
}
F="$LAT; fce space 5; load structures tests/data/fce/withdisp.xyz"
fails "fce space 5" "no lattice: load one first"
fails "$LAT; fce errors" "no force-constant space: build one with 'fce space CUT2"
fails "$LAT; fce space 5; fit ols" "no structures with forces: load some"
fails "$F; fce errors" "no force-constant fit: run 'fit ols'"
fails "$F; fce select sigma" "select by an info value: 'fce select KEY=VALUE"
fails "$F; fce select temperature=300" "no structure has the info key 'temperature'"
fails "$F; fce select sigma=0.5" "'sigma=0.5' selects none of the 2 structures"
fails "$F; load structures tests/data/fce/withdisp.xyz --target energy" \
	"--target is for cluster-expansion data"
fails "$F; fit prior" "the prior is for the cluster expansion"
fails "$F; fit gls --sigma /dev/null" "--sigma is for the cluster expansion"
fails "$F; $LAT; fce on" "no force-constant space: build one"
fails "$F; eci" "eci lists cluster interactions"
fails "$F; predict tests/data/fce/withdisp.xyz" "predict gives cluster-expansion energies"
fails "$F; convergence ols 5,4" "convergence scans cluster spaces"
fails "$F; validate ols --folds 3" "folds must be between 2 and 2, got 3"
out=$("$CEWB" -c "$F; fce space 5 4 3 2" 2>&1)
[ $? -eq 2 ] && printf '%s\n' "$out" | has "too many arguments at '2' (at most 3)"
ok $? "fce space with four cutoffs: a usage error"

# The pairs of the 108-atom cell itself (periodic images identified): the
# README's count of 10 pair orbits and 26 independent parameters, and
# phonopy's frequencies at X and L within 0.5 % from the sigma 0.01 fit.
SC=examples/fce-al/supercell_ideal.xyz
"$CEWB" -c "$LAT; fce space 100 --supercell $SC; $DATA; fce select sigma=0.01; fit ols" \
	-c 'phonons --q 0.5,0,0.5; phonons --q 0.5,0.5,0.5' >"$tmp/sc.out" 2>&1
ok $? "fce space --supercell: every pair of the 108-atom cell"
has "order 2: 10 orbits, 26 independent parameters" <"$tmp/sc.out"
ok $? "10 pair orbits, 26 parameters in the 108-atom cell"
set -- $(sed -n 's/^frequencies (THz): //p' "$tmp/sc.out" | tr '\n' ' ')
res=0
for pair in "$1:5.634" "$3:8.600" "$4:3.498" "$6:8.559"; do
	near "${pair%%:*}" "${pair#*:}" "$(awk -v w="${pair#*:}" 'BEGIN { print 0.005 * w }')" ||
		res=1
done
ok $res "supercell space: X and L within 0.5 % of phonopy ($*)"
out=$("$CEWB" -c "$LAT; fce space 5 --supercell examples/fce-al/primitive.xyz --frame 3" 2>&1)
[ $? -eq 1 ] && printf '%s\n' "$out" | has "primitive.xyz: frame 3 asked for, the file has 1"
ok $? "fce space --supercell with a frame past the end"

echo "1..$i"
