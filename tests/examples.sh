#!/bin/sh
# The example sessions: every transcript examples/*.cewb (lines after a
# "cewb> " prompt) is replayed with --check in a scratch folder that links
# examples/, so the files the sessions write (plots, enumerated structures)
# land there and never in the source tree.  One TAP line per transcript,
# one per file it writes (present and not empty), and one that none of
# those files appeared in the source tree.  A transcript that draws
# plots is skipped when gnuplot is missing.
#
# Re-record every transcript after an intended change of the outputs (the
# comment block under the transcript header is kept), or only those named:
#   top_srcdir=. CEWB=BUILD/cewb sh tests/examples.sh --regen [ternary.cewb ...]
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
top=$(cd "$top_srcdir" && pwd) || exit 1
case "$CEWB" in /*) ;; *) CEWB=$(pwd)/$CEWB ;; esac
regen=0
only=""
if [ "$1" = "--regen" ]; then
	regen=1
	shift
	only=" $* "
fi
export HOME=/nonexistent NO_COLOR=1
unset DISPLAY WAYLAND_DISPLAY
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cewb-examples-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/work" && ln -s "$top/examples" "$tmp/work/examples" || exit 1

# The transcripts (a script without prompts is not one); fce-al.cewb is
# checked with the force-constant tests.
list=""
for f in "$top"/examples/*.cewb; do
	[ "$(basename "$f")" = fce-al.cewb ] && continue
	grep -q '^cewb> ' "$f" && list="$list $f"
done
# written FILE: the files a transcript writes (--output FILE, prior save FILE).
written() {
	sed -n -e 's/^cewb> .*--output \([^ ]*\).*/\1/p' \
		-e 's/^cewb> prior save \([^ ]*\).*/\1/p' "$1" | sort -u
}
n_files=0
for f in $list; do
	n_files=$((n_files + $(written "$f" | wc -l)))
done
set -- $list
echo "1..$(($# + n_files + 1))"
# The files the transcripts write, if one appeared in the source tree (at
# the top or in examples/) during the replays.
stray() {
	for f in "$@"; do
		for o in $(written "$f"); do
			for d in "$top" "$top/examples"; do
				[ "$d/$o" -nt "$tmp/stamp" ] && echo "$d/$o"
			done
		done
	done
}
touch "$tmp/stamp"
sleep 1

i=0
for f in "$@"; do
	i=$((i + 1))
	name=examples/$(basename "$f")
	outs=$(written "$f")
	if grep -q '^cewb> plot ' "$f" && ! command -v gnuplot >/dev/null 2>&1; then
		echo "ok $i - $name # SKIP gnuplot is not installed"
		for o in $outs; do
			i=$((i + 1))
			echo "ok $i - $name writes $o # SKIP gnuplot is not installed"
		done
		continue
	fi
	(cd "$tmp/work" && rm -f $outs)
	case "$only" in
	"  " | *" $(basename "$f") "*) do_regen=$regen ;;
	*) do_regen=0 ;;
	esac
	if [ $do_regen -eq 1 ]; then
		(cd "$tmp/work" && "$CEWB" --record "$tmp/new.cewb" --replay "$name" >/dev/null 2>&1)
		# The new header (4 lines), the old comment block, the new body.
		{
			sed -n '1,4p' "$tmp/new.cewb"
			sed -n '5,$p' "$f" | sed '/^cewb> /,$d'
			sed -n '5,$p' "$tmp/new.cewb"
		} >"$tmp/merged.cewb" && cp "$tmp/merged.cewb" "$f"
		rm -f "$tmp/new.cewb"
		(cd "$tmp/work" && rm -f $outs)
	fi
	out=$(cd "$tmp/work" && "$CEWB" --replay "$name" --check 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $i - replay $name --check"
	else
		echo "not ok $i - replay $name --check (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/# /' | head -30
	fi
	for o in $outs; do
		i=$((i + 1))
		if [ -s "$tmp/work/$o" ]; then
			echo "ok $i - $name writes $o"
		else
			echo "not ok $i - $name writes $o"
		fi
	done
done
i=$((i + 1))
changed=$(stray "$@")
if [ -z "$changed" ]; then
	echo "ok $i - the replays write nothing into the source tree"
else
	echo "not ok $i - the replays wrote into the source tree:"
	printf '%s\n' "$changed" | sed 's/^/# /' | head -10
fi
