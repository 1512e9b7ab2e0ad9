# tests/tmux_lib.sh - shared helpers of the tests that drive cewb in tmux,
# sourced by them.  Set NAME (scratch folder and socket name) and PANE (the
# tmux session the test starts) first.  Skips the test without tmux, moves
# to top_srcdir, and defines tmp (a scratch folder removed at exit), T (tmux
# on a private socket), ok (a TAP line), screen, wait_for and keys.
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
cd "$top_srcdir" || exit 1
tmp=${TMPDIR:-/tmp}/$NAME.$$
mkdir -p "$tmp/home" || exit 1
sock="cewb-$NAME-$$"
T() { tmux -L "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
ok() { i=$((i + 1)); if [ "$1" -eq 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
screen() { T capture-pane -p -t "$PANE"; }
# wait_for TEXT [SECONDS]: until TEXT is on the screen (else show it, fail).
wait_for() {
	n=0
	lim=$((${2:-5} * 10))
	while [ $n -lt $lim ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	screen | sed 's/^/# /' | grep -v '^# *$'
	return 1
}
keys() { T send-keys -t "$PANE" "$@"; sleep 0.2; }
