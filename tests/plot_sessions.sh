#!/bin/sh
# Replay the plot transcripts in tests/data/plot with --check: text plots as
# a script gets them, and the data tables when gnuplot is missing.  One TAP
# line each.  Re-record from the source tree with, e.g.
#   NO_COLOR=1 cewb --record tests/data/plot/text.cewb -k -c 'COMMAND' ...
#   CEWB_GNUPLOT=/nonexistent/gnuplot cewb --record tests/data/plot/nognuplot.cewb -k ...
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
echo "1..3"
NO_COLOR=1
export NO_COLOR
unset DISPLAY WAYLAND_DISPLAY CEWB_PLOT_TIMEOUT

# replay N NAME GNUPLOT: replay tests/data/plot/NAME.cewb with CEWB_GNUPLOT set.
replay() {
	out=$(HOME=/nonexistent CEWB_GNUPLOT="$3" "$CEWB" --replay "tests/data/plot/$2.cewb" \
		--check 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $1 - replay $2"
	else
		echo "not ok $1 - replay $2 (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/# /' | head -40
	fi
}

if command -v gnuplot >/dev/null 2>&1; then
	replay 1 text "$(command -v gnuplot)"
else
	echo "ok 1 - replay text # skip no gnuplot"
fi
replay 2 nognuplot /nonexistent/gnuplot

# A gnuplot that never answers: the command fails after the timeout with the table.
dir=$(mktemp -d "${TMPDIR:-/tmp}/cewb-plot-XXXXXX") || exit 1
printf '#!/bin/sh\nsleep 30\n' > "$dir/gnuplot"
chmod +x "$dir/gnuplot"
start=$(date +%s)
out=$(CEWB_GNUPLOT="$dir/gnuplot" CEWB_PLOT_TIMEOUT=0.5 "$CEWB" \
	-c 'load lattice examples/agpd/primitive.xyz --species Ag,Pd' -c 'space 6' \
	-c 'load structures examples/agpd/structures.xyz --target mixing_energy' \
	-c 'plot spectrum' 2>&1)
rc=$?
end=$(date +%s)
rm -rf "$dir"
case "$out" in
*"did not finish within 0.5 s and was stopped"*"# singular values"* | \
*"# singular values"*"did not finish within 0.5 s and was stopped"*)
	if [ $rc -eq 1 ] && [ $((end - start)) -lt 10 ]; then
		echo "ok 3 - a stuck gnuplot is stopped and the table shown"
	else
		echo "not ok 3 - a stuck gnuplot: exit $rc after $((end - start)) s"
	fi ;;
*)
	echo "not ok 3 - a stuck gnuplot is stopped and the table shown"
	printf '%s\n' "$out" | sed 's/^/# /' | head -20 ;;
esac
