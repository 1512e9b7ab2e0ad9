#!/bin/sh
# synth and synth compare from the command line: targets exactly X J
# (recovered by ols to round-off), the noise repeatable with its seed, the
# ECI file forms (text, eci --json, fit --json, a stream of documents), the
# new target key in structures and fit, and every documented error.
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
export HOME=/nonexistent
tmp=${TMPDIR:-/tmp}/cli_synth.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
i=0
ok() { i=$((i + 1)); if [ "$1" -eq 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
# has NAME SUBSTRING TEXT: TEXT contains SUBSTRING.
has() {
	case "$3" in
	*"$2"*) ok 0 "$1" ;;
	*) ok 1 "$1"; printf '# missing "%s" in:\n' "$2"; printf '%s\n' "$3" | sed 's/^/# /' | head -8 ;;
	esac
}
# num KEY: the first number after "KEY": on standard input.
num() { sed -n "s/.*\"$1\": \\(-\\{0,1\\}[0-9][0-9.e+-]*\\).*/\\1/p" | head -n 1; }
# below X LIMIT: |X| <= LIMIT.
below() { awk -v x="$1" -v l="$2" 'BEGIN { if (x < 0) x = -x; exit !(x != "" && x <= l) }'; }

T=tests/data/synth/agpd_truth.txt
L="load lattice examples/agpd/primitive.xyz --species Ag,Pd; space 6 4;
load structures examples/agpd/structures.xyz --target mixing_energy"
echo "1..36"

# Noise-free targets: ols recovers the truth to round-off.  625 structures
# and 7 parameters, |J| <= 0.04 eV: 1e-10 eV is far above the round-off of
# a least-squares solve (~1e-15) and far below any real ECI.
got=$("$CEWB" -c "$L" -c "synth --eci $T" -c 'fit ols' -c "synth compare $T" 2>&1)
ok $? "synth, fit ols, synth compare run"
has "synth report: counts" "synthetic targets 'synthetic' of 625 structures from the 7 ECIs of $T (5 nonzero)" "$got"
has "synth report: no noise" "no noise: the targets are exactly X J" "$got"
has "compare: support of an exact fit" "7 parameters: 5 nonzero in the truth, 5 in the fit: 5 found, 0 missed, 0 spurious" "$got"
v=$("$CEWB" --json -c "$L" -c "synth --eci $T" -c 'fit ols' -c "synth compare $T" 2>&1 | tail -n 1 | num max_error)
below "$v" 1e-10; ok $? "ols on noise-free targets: largest ECI error $v eV <= 1e-10"

# The first target by hand: structure 0 is pure Ag (one atom); Ag has the
# higher atomic number, so every point function is +1 and every entry of
# its cluster vector 1: y = sum of the ECIs = -0.040 + 0.010 + 0.020 +
# 0.003 + 0.001 = -0.006 (printed with 6 digits: exact).
got=$("$CEWB" -c "$L" -c "synth --eci $T" -c 'structures' 2>&1 | grep '^ *0  ')
has "structure 0 (pure Ag): target = sum of the ECIs" " -0.006  ideal" "$got"
got=$("$CEWB" -c "$L" -c "synth --eci $T --key model" -c 'structures' 2>&1)
has "structures: the column is named by --key" "model  mapping" "$(printf '%s\n' "$got" | grep '^ *index')"
has "synth --key in the report" "synthetic targets 'model'" "$got"

# Noise: repeatable with the seed, different with another seed, its rms
# close to the requested sigma (625 draws: the rms of 625 normal numbers is
# within 10% of sigma with overwhelming probability, 2.4 standard errors).
a=$("$CEWB" --json -c "$L" -c "synth --eci $T --noise 0.002 --seed 5" 2>&1 | tail -n 1)
b=$("$CEWB" --json -c "$L" -c "synth --eci $T --noise 0.002 --seed 5" 2>&1 | tail -n 1)
c=$("$CEWB" --json -c "$L" -c "synth --eci $T --noise 0.002 --seed 6" 2>&1 | tail -n 1)
[ -n "$a" ] && [ "$a" = "$b" ]; ok $? "the same seed gives the same targets"
[ "$(printf '%s\n' "$a" | num target_mean)" != "$(printf '%s\n' "$c" | num target_mean)" ]
ok $? "another seed gives other targets"
v=$(printf '%s\n' "$a" | num noise_rms)
awk -v x="$v" 'BEGIN { exit !(x != "" && x > 0.0018 && x < 0.0022) }'
ok $? "noise rms $v within 10% of 0.002"
a=$("$CEWB" --json -c "set seed 5" -c "$L" -c "synth --eci $T --noise 0.002" 2>&1 | tail -n 1)
[ "$(printf '%s\n' "$a" | num target_mean)" = "$(printf '%s\n' "$b" | num target_mean)" ]
ok $? "without --seed the session seed is used"
has "synth --json keys" '"n_parameters": 7, "n_nonzero": 5' "$b"

# The forms of an ECI file: eci --json (with --nonzero: missing are zero),
# fit --json, a stream of documents from a --json run (the last fit, an
# ardr fit that prunes the zeros, counts), a bare array, plain values.
"$CEWB" -c "$L" -c "synth --eci $T" -c 'fit ardr' -c 'eci --json --nonzero' 2>/dev/null |
	tail -n 1 >"$tmp/eci.json"
"$CEWB" --json -c "$L" -c "synth --eci $T" -c 'fit ols' -c 'fit ardr' >"$tmp/stream.json" 2>/dev/null
printf '[-0.040, 0.010, 0.020, 0.003, 0, 0, 0.001]\n' >"$tmp/array.json"
printf '%s\n' -0.040 0.010 0.020 0.003 0 0 0.001 >"$tmp/plain.txt"
for f in eci.json stream.json array.json plain.txt; do
	got=$("$CEWB" -c "$L" -c "synth --eci $T" -c 'fit ols' -c "synth compare $tmp/$f --summary" 2>&1)
	has "ECI file form $f read" "5 nonzero in the truth, 5 in the fit: 5 found, 0 missed, 0 spurious" "$got"
done

# A sparse fit against a sparse truth, with noise: the table marks what
# is missing or spurious; --all lists every parameter.
got=$("$CEWB" -c "$L" -c "synth --eci $T --noise 0.002 --seed 3" -c 'fit ardr' -c "synth compare $T --all" 2>&1)
n=$(printf '%s\n' "$got" | sed -n '/^param/,$p' | wc -l)
[ "$n" -eq 8 ]; ok $? "synth compare --all: a header and 7 rows ($n lines)"

# The targets are used by fit and validate, and a failed synth changes nothing.
got=$("$CEWB" -c "$L" -c "synth --eci $T" -c 'validate ols --folds 5' 2>&1)
has "validate on synthetic targets" "validate ols: 5-fold" "$got"
printf '0 1\n2 3\n' >"$tmp/badidx.txt"
got=$("$CEWB" -k -c "$L" -c "synth --eci $T --key first" -c "synth --eci $tmp/badidx.txt --key second" -c 'structures' 2>&1)
has "a failed synth leaves the targets" "first  mapping" "$got"

# Structures refused by the mapping get no target (their cluster vector is
# unknown) and stay out of the fit; the mapped ones get X J of their ideal
# supercell.
R="load lattice examples/agpd/primitive.xyz --species Ag,Pd; space 6 4;
load structures tests/data/relaxed/agpd_relaxed.xyz --map"
got=$("$CEWB" -c "$R" -c "synth --eci $T" -c 'fit ols' -c 'structures' 2>&1)
has "refused structures: counted apart" "of 23 structures from the 7 ECIs" "$got"
has "refused structures: said so" "1 refused structure left without a target" "$got"
has "refused structures: no target in the table" "Pd2Ag                     -  refused" "$got"
has "refused structures: the fit leaves them out" "23 (1 refused by the mapping left out)" "$got"

# Errors: one line, naming the file and the line.
err() { "$CEWB" -c "$L" -c "$1" 2>&1 >/dev/null | tail -n 1; }
has "error: index out of order" "synth: $tmp/badidx.txt: line 2: index 2, expected 1 (one ECI per parameter, in order)" "$(err "synth --eci $tmp/badidx.txt")"
printf '1\n2\n3\n' >"$tmp/short.txt"
has "error: too few ECIs" "synth: $tmp/short.txt: 3 ECIs (the last on line 3), but the cluster space has 7 parameters" "$(err "synth --eci $tmp/short.txt")"
printf '# header\n1\n2\n3\n4\n5\n6\n7\n8\n' >"$tmp/long.txt"
has "error: too many ECIs" "synth: $tmp/long.txt: line 9: ECI 8, but the cluster space has only 7 parameters" "$(err "synth --eci $tmp/long.txt")"
printf '0.1 0.2 0.3\n' >"$tmp/three.txt"
has "error: three numbers on a line" "synth: $tmp/three.txt: line 1: expected 'value' or 'index value', got '0.3'" "$(err "synth --eci $tmp/three.txt")"
printf '1\n2\nnan\n' >"$tmp/nan.txt"
has "error: not finite" "synth: $tmp/nan.txt: line 3: 'nan' is not a finite number" "$(err "synth --eci $tmp/nan.txt")"
printf '{"eci": [1, 2,\n 3 x]}\n' >"$tmp/broken.json"
has "error: broken JSON names the line" "synth: $tmp/broken.json: line 2:" "$(err "synth --eci $tmp/broken.json")"
printf '{"eci": [1, 2, 3]}\n' >"$tmp/short.json"
has "error: JSON count" "synth: $tmp/short.json: 3 ECIs (the last on line 1), but the cluster space has 7 parameters" "$(err "synth --eci $tmp/short.json")"
printf '{"method": "ols"}\n' >"$tmp/none.json"
has "error: JSON without ECIs" "synth: $tmp/none.json: no ECIs in it" "$(err "synth --eci $tmp/none.json")"
has "error: missing file" "synth: cannot open '$tmp/nope.txt'" "$(err "synth --eci $tmp/nope.txt")"
has "error: no --eci" "synth: give the true ECIs: synth --eci FILE [--noise S]" "$(err "synth --noise 0.1")"
has "error: no space" "synth: no cluster space" "$("$CEWB" -c "synth --eci $T" 2>&1)"
has "error: compare without a fit" "synth compare: no fit: run 'fit METHOD' first" "$(err "synth compare $T")"
