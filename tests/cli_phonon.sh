#!/bin/sh
# The phonon commands: phonons, phonons dispersion|dos|thermal, export
# force-constants and plot dispersion|dos|thermal; their errors; and, with a
# harmonic fit to the aluminium forces of examples/fce-al (the sigma = 0.01 Å
# frames), the reference figures of phonopy from examples/fce-al/README.md.
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
export HOME=/nonexistent
tmp=${TMPDIR:-/tmp}/cli_phonon.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
i=0
skip=""
ok() {
	i=$((i + 1))
	if [ -n "$skip" ]; then echo "ok $i - $2 # SKIP $skip"
	elif [ "$1" -eq 0 ]; then echo "ok $i - $2"
	else echo "not ok $i - $2"; fi
}
# has NAME SUBSTRING TEXT: TEXT contains SUBSTRING.
has() {
	case "$3" in
	*"$2"*) ok 0 "$1" ;;
	*) ok 1 "$1"; [ -n "$skip" ] || echo "# missing '$2' in: $3" | head -8 ;;
	esac
}
# near NAME WANT GOT RELTOL: |GOT - WANT| <= RELTOL |WANT| (or absolute when WANT is 0).
near() {
	awk -v w="$2" -v g="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d;
		s = w < 0 ? -w : w; if (s == 0) s = 1; exit !(g != "" && d <= t * s) }'
	r=$?
	ok $r "$1 (want $2, got $3)"
}
# within NAME WANT GOT TOL: |GOT - WANT| <= TOL.
within() {
	awk -v w="$2" -v g="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d;
		exit !(g != "" && d <= t) }'
	ok $? "$1 (want $2 +- $4, got $3)"
}
echo "1..38"

# Errors without force constants, and bad arguments before anything else.
got=$("$CEWB" -c "phonons" 2>&1)
has "phonons needs a force-constant fit" "phonons: no force-constant fit: build a space with 'fce space CUT2'" "$got"
got=$("$CEWB" -c "phonons dos" 2>&1)
has "phonons dos needs a force-constant fit" "phonons dos: no force-constant fit" "$got"
got=$("$CEWB" -c "phonons --q 1,2" 2>&1)
has "--q needs three numbers" "phonons: --q takes three numbers, QX,QY,QZ" "$got"
got=$("$CEWB" -c "phonons thermal --temperatures 300:100:10" 2>&1)
has "temperatures must ascend" "--temperatures: need 0 <= T0 <= T1 and DT > 0 (got 300:100:10)" "$got"
got=$("$CEWB" -c "phonons thermal --temperatures 0:x:1" 2>&1)
has "temperatures must be numbers" "--temperatures: '0:x:1' is not T0:T1:DT or T" "$got"
got=$("$CEWB" -c "phonons dos --mesh 4,4" 2>&1)
has "a mesh of two numbers" "phonons dos: --mesh takes N or N1,N2,N3" "$got"
got=$("$CEWB" -c "phonons dispersion --points 1" 2>&1)
has "one point per segment" "--points: 1 is out of range (must be between 2 and 10000)" "$got"
got=$("$CEWB" -c "export force-constants $tmp/FC" 2>&1)
has "export needs a supercell" "export force-constants: which supercell? add --supercell FILE" "$got"
got=$("$CEWB" -c "plot dispersion" 2>&1)
has "plot dispersion needs a force-constant fit" "plot: no force-constant fit" "$got"

# The harmonic fit of aluminium on the sigma = 0.01 Å frames, pairs to 6 Å:
# half the 12 Å training cell (a longer pair meets its own periodic image
# there), and five neighbour shells - with three (5 Å) the transverse
# frequency at L is 1 % low.
D=examples/fce-al
FIT="load lattice $D/primitive.xyz --species Al; fce space 6.0; set tolerance 0.8;
load structures $D/training_rattled.xyz; fce select sigma=0.01; fit ols"
# Without a working force-constant fit (a build without it) the rest is
# skipped.  The fit is made once per program run; each run asks several
# things (-k: on after a refused command), and --json gives one line each.
got=$("$CEWB" -c "$FIT" 2>&1) || skip="no force-constant fit: $(printf '%s' "$got" | tail -1)"
FC=$tmp/FORCE_CONSTANTS
json=$("$CEWB" --json -k -c "$FIT; phonons --q 0.5,0,0.5; phonons --q 0.5,0.5,0.5;
phonons thermal --temperatures 3000 --mesh 8; phonons dispersion --points 3;
phonons dos --mesh 8 --sigma 0.2 --points 5" 2>/dev/null)
text=$("$CEWB" -k -c "$FIT; phonons; phonons thermal --temperatures 0:300:300;
phonons dispersion --points 11; phonons dos --mesh 8 --points 11;
phonons dos --mesh 8 --points 11 --tetrahedron;
export force-constants $FC --supercell $D/supercell_ideal.xyz;
export force-constants $FC --supercell $D/supercell_ideal.xyz;
export force-constants $tmp/FC2 --supercell $D/unitcell.xyz --force;
export force-constants $tmp/FC3 --supercell tests/data/icet/bcc_longedge_binary.xyz;
plot dispersion --text; plot dos --text; plot thermal --text" 2>&1)
# The JSON line that starts with $1.
line() { printf '%s\n' "$json" | grep -F "$1" | head -1; }
# Frequencies of a JSON line, comma-separated.
freqs() { printf '%s' "$1" | sed -n 's/.*"frequencies_thz": \[\([^]]*\)\].*/\1/p' | tr -d ' '; }

# phonopy (finite displacements of 0.01 Å, 108 atoms): X 5.634/8.600 THz, L
# 3.498/8.559 THz to 0.5 %.
got=$(line '{"q": [0.5, 0.0, 0.5]')
has "phonons --json: q and frequencies" '"q": [0.5, 0.0, 0.5], "frequencies_thz": [' "$got"
f=$(freqs "$got")
near "X transverse" 5.634 "$(echo "$f" | cut -d, -f1)" 0.005
near "X transverse, degenerate" 5.634 "$(echo "$f" | cut -d, -f2)" 0.005
near "X longitudinal" 8.600 "$(echo "$f" | cut -d, -f3)" 0.005
f=$(freqs "$(line '{"q": [0.5, 0.5, 0.5]')")
near "L transverse" 3.498 "$(echo "$f" | cut -d, -f1)" 0.005
near "L longitudinal" 8.559 "$(echo "$f" | cut -d, -f3)" 0.005
has "Γ: three zero modes" "frequencies (THz): 0.0000 0.0000 0.0000" "$text"

# Free energy on a 32^3 mesh: phonopy 3.289 (0 K), -1.160 (300 K) kJ/mol
# within 0.02 kJ/mol.
has "thermal: table header" "harmonic thermodynamics per mole of primitive cells (1 atom), 32x32x32 mesh" "$text"
f0=$(printf '%s\n' "$text" | awk '$1 == "0.00" { print $2 }')
f3=$(printf '%s\n' "$text" | awk '$1 == "300.00" { print $2 }')
within "free energy at 0 K (zero point)" 3.289 "$f0" 0.02
within "free energy at 300 K" -1.160 "$f3" 0.02
got=$(line '{"temperatures": [3000.0]')
has "thermal --json: keys" '{"temperatures": [3000.0], "free_energy_kj_per_mol": [' "$got"
c=$(printf '%s' "$got" | sed -n 's/.*"heat_capacity": \[\([^]]*\)\].*/\1/p')
# 3 R = 24.943 J/K/mol, less (h nu / k T)^2 / 12 <= 0.0016 per mode at
# 3000 K (nu <= 8.7 THz) and 1/512 for the three Γ modes left out of 8^3.
near "Dulong-Petit at 3000 K" 24.943 "$c" 0.0036

# Band structure, DOS.
has "dispersion: fcc path" "fcc path G-X-W-K-G-L-U-W-L-K|U-X: 110 points (11 per segment), 3 branches" "$text"
has "dispersion: X row" "X     0.5000 0.0000 0.5000" "$text"
has "dispersion --json" '{"lattice": "fcc", "path": "GXWKGLUWLK|UX", "n_points": 30, "labels": [' "$(line '{"lattice"')"
has "dos: header" "density of states: 8x8x8 mesh, Gaussian smearing" "$text"
has "dos --tetrahedron" "density of states: 8x8x8 mesh, linear tetrahedra, states/THz" "$text"
has "dos --json" '{"mesh": [8, 8, 8], "sigma_thz": 0.2' "$(line '{"mesh"')"

# FORCE_CONSTANTS of the 108-atom cell: 108 x 108 blocks, each 4 lines.
has "export force-constants" "wrote the force constants of 108 atoms (108 x 108 blocks" "$text"
[ "$(head -1 "$FC" 2>/dev/null | tr -s ' ')" = " 108 108" ]
ok $? "FORCE_CONSTANTS starts with '108 108'"
[ "$( (wc -l < "$FC") 2>/dev/null)" = "$((1 + 108 * 108 * 4))" ]
ok $? "FORCE_CONSTANTS has 108 x 108 blocks"
# Sum rule in the file: the blocks of row 1 add up to zero.
s=$(awk 'NR > 1 && NR <= 1 + 108 * 4 && NF == 3 { for (k = 1; k <= 3; k++) t[k] += $k }
	END { m = 0; for (k = 1; k <= 3; k++) { v = t[k] < 0 ? -t[k] : t[k]; if (v > m) m = v }
	printf "%.2e", m }' "$FC" 2>/dev/null)
within "row 1 of FORCE_CONSTANTS sums to zero" 0 "$s" 1e-6
has "no overwrite without --force" "exists: add --force to overwrite it" "$text"
has "the conventional cell is a supercell too" "wrote the force constants of 4 atoms" "$text"
has "a cell that is not a supercell is refused" "export force-constants: tests/data/icet/bcc_longedge_binary.xyz" "$text"
[ ! -e "$tmp/FC3" ]
ok $? "nothing written after a refusal"

# Plots as text.
has "plot dispersion: text plot" "phonon dispersion" "$text"
has "plot dos: text plot" "phonon density of states (Gaussian smearing" "$text"
has "plot thermal: text plot" "harmonic thermodynamics
" "$text"
