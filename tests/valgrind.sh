#!/bin/bash
# Valgrind over the session transcripts: every tests/sessions/*.cewb and
# examples/*.cewb is replayed with --check under memcheck.  A transcript
# passes when its replay matches and memcheck finds no error: no invalid
# read or write, no use of uninitialised values, no definitely or
# indirectly lost block (still-reachable memory of the libraries is not an
# error).  Known noise of the libraries is in tests/valgrind.supp, with the
# reason for each entry.  The examples run in a scratch folder that links
# examples/, as tests/examples.sh does, so what they write stays there.
#
#   make check-valgrind                       (every transcript)
#   VALGRIND_ONLY='errors json' make check-valgrind   (names holding a word)
#   VALGRIND_JOBS=N                           replays at once (default 2)
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
top=$(cd "$top_srcdir" && pwd) || exit 1
case "$CEWB" in /*) ;; *) CEWB=$(pwd)/$CEWB ;; esac
if ! command -v valgrind > /dev/null; then
	echo "1..0 # SKIP valgrind is not installed (apt-get install valgrind)"
	exit 0
fi
export HOME=/nonexistent NO_COLOR=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
unset DISPLAY WAYLAND_DISPLAY
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cewb-valgrind-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/work" && ln -s "$top/examples" "$tmp/work/examples" || exit 1
jobs=${VALGRIND_JOBS:-2}

list=()
for f in "$top"/tests/sessions/*.cewb "$top"/examples/*.cewb; do
	grep -q '^cewb> ' "$f" || continue
	if [ -n "${VALGRIND_ONLY:-}" ]; then
		hit=0
		for w in $VALGRIND_ONLY; do [[ $(basename "$f") == *"$w"* ]] && hit=1; done
		[ $hit = 1 ] || continue
	fi
	list+=("$f")
done

# run N FILE: replay FILE under memcheck; verdict in $tmp/res.N.
run() {
	local n=$1 f=$2 dir=$top rc
	case $f in "$top"/examples/*) dir=$tmp/work ;; esac
	(cd "$dir" && valgrind -q --error-exitcode=97 --leak-check=full \
		--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--track-origins=yes --num-callers=30 --suppressions="$top/tests/valgrind.supp" \
		--log-file="$tmp/vg.$n" "$CEWB" --replay "$f" --check > "$tmp/out.$n" 2>&1)
	rc=$?
	echo "$rc" > "$tmp/res.$n"
}

echo "1..${#list[@]}"
for ((n = 0; n < ${#list[@]}; n++)); do
	run $n "${list[n]}" &
	(((n + 1) % jobs == 0)) && wait
done
wait
for ((n = 0; n < ${#list[@]}; n++)); do
	read -r rc < "$tmp/res.$n"
	name=${list[n]#"$top"/}
	case $rc in
	0) echo "ok $((n + 1)) - $name" ;;
	97)
		echo "not ok $((n + 1)) - $name: memcheck errors"
		sed 's/^/# /' "$tmp/vg.$n" | head -80
		;;
	*)
		echo "not ok $((n + 1)) - $name: replay exit $rc"
		sed 's/^/# /' "$tmp/out.$n" | head -20
		sed 's/^/# /' "$tmp/vg.$n" | head -40
		;;
	esac
done
