#!/bin/sh
# enumerate: counts (631 binary fcc structures of sizes 1-8, 1081 ternary of
# 1-6), the written file loads back as ideal supercells, overwriting needs
# --force, --json, Ctrl-C writes nothing, and the error messages.
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
case "$top_srcdir" in /*) ;; *) top_srcdir=$(pwd)/$top_srcdir ;; esac
case "$CEWB" in /*) ;; *) CEWB=$(pwd)/$CEWB ;; esac
export HOME=/nonexistent
tmp=${TMPDIR:-/tmp}/cli_enumerate.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
i=0
ok() { i=$((i + 1)); if [ "$1" -eq 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
# has NAME SUBSTRING TEXT: TEXT contains SUBSTRING.
has() {
	case "$3" in
	*"$2"*) ok 0 "$1" ;;
	*) ok 1 "$1"; echo "# missing '$2' in: $3" | head -5 ;;
	esac
}

P=$top_srcdir/examples/agpd/primitive.xyz
L="load lattice $P --species Ag,Pd"
echo "1..31"

got=$("$CEWB" -c "$L; enumerate --sizes 1-8" 2>&1)
ok $? "enumerate runs"
has "binary fcc 1-8: 631 structures in 55 supercells" " all          55         631" "$got"
has "binary fcc size 8: 20 supercells, 390 structures" "   8          20         390" "$got"
got=$("$CEWB" -c "load lattice $P --species Ag,Pd,Cu; enumerate --sizes 1-6" 2>&1)
has "ternary fcc 1-6: 1081 structures" " all          28        1081" "$got"
got=$("$CEWB" -c "load lattice $P --species Ag,Pd,Cu; enumerate --sizes 1-6 --species Ag,Pd" 2>&1)
has "--species: binary subset of a ternary lattice" " all          28         137" "$got"
got=$("$CEWB" -c "$L; enumerate --sizes 4 --json" 2>&1)
has "--json document" '{"sizes": [4, 4], "species": ["Pd", "Ag"], "n_structures": 19, "n_supercells": 7, "by_size": [{"size": 4, "supercells": 7, "structures": 19}], "file": null' "$got"

# Write, load back (ideal supercells), cluster vectors.
got=$("$CEWB" -c "$L; enumerate --sizes 1-6 --concentration Pd=0.25:0.75 --output e.xyz; load structures e.xyz; structures --json" 2>&1)
ok $? "write and load back"
has "written" "wrote 105 structures to e.xyz" "$got"
has "loaded" "loaded 105 structures from e.xyz" "$got"
n_ideal=$(printf '%s\n' "$got" | grep -o '"status": "ideal"' | wc -l)
[ "$n_ideal" -eq 105 ]; ok $? "all 105 are ideal supercells ($n_ideal)"
has "info keys, reduced cell" 'size=2 hnf="1 0 0 0 1 0 0 0 2" snf="1 1 2" supercell="1 0 0 0 1 0 -1 0 2" hnf_index=0 index=0' "$(sed -n 2p e.xyz)"
# Pd fraction of every frame within [0.25, 0.75]
bad=$(awk 'left == 0 { n = $1; left = -1; pd = 0; next }
	left == -1 { left = n; next }
	{ if ($1 == "Pd") pd++; if (--left == 0 && (pd < 0.25 * n - 1e-9 || pd > 0.75 * n + 1e-9)) b++ }
	END { print b + 0 }' e.xyz)
[ "$bad" -eq 0 ]; ok $? "concentration limits respected in the file ($bad outside)"
got=$("$CEWB" -c "$L; enumerate --sizes 1-3 --output e.xyz" 2>&1)
has "no overwrite without --force" "enumerate: e.xyz exists: add --force to overwrite it" "$got"
got=$("$CEWB" -c "$L; enumerate --sizes 1-3 --output e.xyz --force --hnf-cell" 2>&1)
has "--force overwrites" "wrote 10 structures to e.xyz" "$got"
has "--hnf-cell keeps H" 'Lattice="0.0 2.045 2.045 2.045 0.0 2.045 4.09 4.09 0.0" Properties=species:S:1:pos:R:3 size=2 hnf="1 0 0 0 1 0 0 0 2" snf="1 1 2" supercell="1 0 0 0 1 0 0 0 2"' "$(sed -n 8p e.xyz)"
got=$("$CEWB" -c "$L; space 6.0 4.5; load structures e.xyz; vectors --json" 2>&1)
dups=$(printf '%s\n' "$got" | tr -d ' \n' | sed 's/.*"vectors":\[\[//; s/\]\]}.*//' | sed 's/\],\[/\n/g' | sort | uniq -d | wc -l)
[ "$dups" -eq 0 ]; ok $? "the 10 structures have different cluster vectors"
got=$("$CEWB" -c "$L; enumerate --sizes 1-8 --output big.xyz --max 100" 2>&1)
has "--max" "enumerate: more than 100 structures: narrow the sizes or the concentrations" "$got"
test ! -e big.xyz; ok $? "nothing written over --max"

# Ctrl-C: the command fails, nothing is written.
"$CEWB" -c "$L; enumerate --sizes 22-24 --output int.xyz --max 100000000" >out.txt 2>err.txt &
pid=$!
sleep 2
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 1 ]; ok $? "Ctrl-C: exit status 1 ($rc)"
has "Ctrl-C: message" "enumerate: interrupted: nothing written" "$(cat err.txt)"
test ! -e int.xyz; ok $? "Ctrl-C: no file"

# Errors.
got=$("$CEWB" -c "enumerate --sizes 1-4" 2>&1)
has "no lattice" "enumerate: no lattice: load one first with 'load lattice FILE --species A,B'" "$got"
got=$("$CEWB" -c "$L; enumerate" 2>&1)
has "no sizes" "enumerate: give the sizes (primitive cells per structure), e.g. --sizes 1-8" "$got"
got=$("$CEWB" -c "$L; enumerate --sizes 4-2" 2>&1)
has "bad sizes" "enumerate: bad --sizes '4-2': expected N or A-B with 1 <= A <= B <= 64" "$got"
got=$("$CEWB" -c "$L; enumerate --sizes 1-3 --concentration Pd" 2>&1)
has "bad concentration form" "enumerate: bad concentration 'Pd': expected SPECIES=LO:HI, e.g. Pd=0.25:0.75" "$got"
got=$("$CEWB" -c "$L; enumerate --sizes 1-3 --concentration Pd=0.5:2" 2>&1)
has "concentration out of [0, 1]" "enumerate: bad concentration 'Pd=0.5:2': limits are fractions in [0, 1], as in Pd=0.25:0.75" "$got"
got=$("$CEWB" -c "$L; enumerate --sizes 1-3 --concentration Pd=0.6:0.2" 2>&1)
has "reversed concentration" "enumerate: bad concentration 'Pd=0.6:0.2': the lower limit exceeds the upper" "$got"
got=$("$CEWB" -c "$L; enumerate --sizes 1-3 --concentration Cu=0.5" 2>&1)
has "concentration of a foreign species" "enumerate: concentration limit on 'Cu', which is not a species of the enumeration" "$got"
got=$("$CEWB" -c "$L; enumerate --sizes 1-3 --species Ag,Cu" 2>&1)
has "species not on the lattice" "enumerate: species 'Cu' is not allowed on any site of the lattice" "$got"
got=$("$CEWB" -c "$L; enumerate --sizes 1-3 --species Ag,Qq" 2>&1)
has "unknown element" "enumerate: unknown species 'Qq' in --species" "$got"
got=$("$CEWB" -c "$L; enumerate --sizes 40" 2>&1)
has "too large" "enumerate: size 40 has more than 1073741824 decorations per supercell: too large to enumerate" "$got"
