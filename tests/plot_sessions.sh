#!/bin/sh
# Plots as a script gets them: text plots, the heat map, the errors, and the
# data tables when gnuplot is missing or stuck.  Only what the plot commands
# print is compared (after an echo marker), so the output of the commands
# that load the data may change freely.  TAP, one line per check.
# Regenerate the expected files from the source tree with
#   top_srcdir=. CEWB=BUILD/cewb sh tests/plot_sessions.sh --regen
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
regen=0
[ "$1" = "--regen" ] && regen=1
NO_COLOR=1
export NO_COLOR
unset DISPLAY WAYLAND_DISPLAY CEWB_PLOT_TIMEOUT COLUMNS LINES
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cewb-plot-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "1..7"

# run NAME GNUPLOT COMMAND...: load the data, then the commands (among them
# `echo ==plots==`); keeps stdout from the marker on in $tmp/NAME.out and the
# plot errors in $tmp/NAME.err.
run() {
	name=$1 gp=$2
	shift 2
	HOME=/nonexistent CEWB_GNUPLOT="$gp" "$CEWB" -k \
		-c 'load lattice examples/agpd/primitive.xyz --species Ag,Pd' -c 'space 8 5' \
		-c 'load structures examples/agpd/structures.xyz --target mixing_energy' \
		"$@" >"$tmp/$name.raw" 2>"$tmp/$name.err.raw"
	sed -n '/^==plots==$/,$p' "$tmp/$name.raw" >"$tmp/$name.out"
	grep '^plot:' "$tmp/$name.err.raw" >"$tmp/$name.err"
}

# check N NAME: compare with tests/data/plot/NAME.out and NAME.err.
check() {
	for kind in out err; do
		exp="tests/data/plot/$2.$kind"
		if [ $regen -eq 1 ]; then
			cp "$tmp/$2.$kind" "$exp"
		fi
		if cmp -s "$exp" "$tmp/$2.$kind"; then
			echo "ok $1 - $2: plot $kind as expected"
		else
			echo "not ok $1 - $2: plot $kind differs"
			diff "$exp" "$tmp/$2.$kind" | sed 's/^/# /' | head -30
		fi
		set -- $(($1 + 1)) "$2"
	done
}

if command -v gnuplot >/dev/null 2>&1; then
	run text "$(command -v gnuplot)" -c 'echo ==plots==' -c 'plot spectrum' \
		-c 'plot correlations' \
		-c "plot spectrum --size 60,16 --title \"it's \\\`touch x\\\` @GPVAL_TERM\"" \
		-c 'plot eci' -c 'plot learning-curve' -c 'plot convergence' \
		-c 'plot spectrum --output spectrum.gif'
	check 1 text
	# After fits (their reports come before the marker).
	run fits "$(command -v gnuplot)" -c 'fit ols' -c 'validate ols' \
		-c 'learning-curve ols --sizes 0.1,0.2,0.4,0.6,0.8' \
		-c 'convergence ols --cutoffs "6 / 8 5 / 10 6"' -c 'echo ==plots==' \
		-c 'plot eci' -c 'plot parity' -c 'plot learning-curve' -c 'plot convergence' \
		-c 'plot path'
	# The fits' numbers may change with the methods: check the plots' shape.
	n=0
	for want in 'ECIs against cluster radius' 'singlets    B      pairs    C   triplets    D' \
		'                                       parity' 'training (RMSE 3.4' \
		'learning curve (ols)' 'training structures' 'convergence with cutoff (ols)' \
		'cutoff (Å)'; do
		grep -qF "$want" "$tmp/fits.out" && n=$((n + 1))
	done
	lines=$(wc -l <"$tmp/fits.out")
	if [ $n -eq 8 ] && [ "$lines" -ge 80 ]; then
		echo "ok 3 - fits: eci, parity, learning-curve and convergence text plots"
	else
		echo "not ok 3 - fits: $n of 8 expected lines, $lines lines"
		sed 's/^/# /' "$tmp/fits.out" | head -40
	fi
	if cmp -s tests/data/plot/fits.err "$tmp/fits.err"; then
		echo "ok 4 - fits: plot errors as expected"
	else
		echo "not ok 4 - fits: plot errors differ"
		diff tests/data/plot/fits.err "$tmp/fits.err" | sed 's/^/# /'
	fi
else
	for i in 1 2 3 4; do
		echo "ok $i - text plots # skip no gnuplot"
	done
fi
run nognuplot /nonexistent/gnuplot -c 'echo ==plots==' -c 'plot spectrum' \
	-c 'plot correlations --output c.png'
check 5 nognuplot

# A gnuplot that never answers: the command fails after the timeout with the table.
printf '#!/bin/sh\nsleep 30\n' >"$tmp/gnuplot"
chmod +x "$tmp/gnuplot"
start=$(date +%s)
out=$(CEWB_GNUPLOT="$tmp/gnuplot" CEWB_PLOT_TIMEOUT=0.5 "$CEWB" \
	-c 'load lattice examples/agpd/primitive.xyz --species Ag,Pd' -c 'space 6' \
	-c 'load structures examples/agpd/structures.xyz --target mixing_energy' \
	-c 'plot spectrum' 2>&1)
rc=$?
end=$(date +%s)
case "$out" in
*"# singular values"*"did not finish within 0.5 s and was stopped"*)
	if [ $rc -eq 1 ] && [ $((end - start)) -lt 10 ]; then
		echo "ok 7 - a stuck gnuplot is stopped and the table shown"
	else
		echo "not ok 7 - a stuck gnuplot: exit $rc after $((end - start)) s"
	fi ;;
*)
	echo "not ok 7 - a stuck gnuplot is stopped and the table shown"
	printf '%s\n' "$out" | sed 's/^/# /' | head -20 ;;
esac
