#!/bin/sh
# At the real prompt (in tmux): large work is asked about (y/N) and done
# only on yes; long commands show one progress line on standard error;
# Ctrl-C stops them cleanly (the session is as before and goes on), also
# in the middle of a convergence scan and of a plot being written (the
# old file kept, no temporary file left).
N=14
NAME=safety_tmux PANE=cewb
. "${top_srcdir:-.}/tests/tmux_lib.sh"
top=$(pwd)
mkdir -p "$tmp/work"
# expect_screen REGEX [SECONDS]: until a line of the screen matches.
expect_screen() {
	n=0
	lim=$((${2:-5} * 10))
	while [ $n -lt $lim ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	screen | sed 's/^/# /' | grep -v '^# *$'
	return 1
}
lit() { T send-keys -t "$PANE" -l -- "$1"; sleep 0.2; }
# run CMD: type a command and Enter
run() { lit "$1"; keys Enter; }
# A gnuplot that writes half of its output file, then hangs.
cat > "$tmp/gp-half" <<'EOF'
#!/bin/sh
while IFS= read -r l; do
	case $l in "set output '"*) f=${l#set output \'}; f=${f%\'}; echo half > "$f" ;; esac
done
sleep 60
EOF
chmod +x "$tmp/gp-half"
echo old > "$tmp/work/eci.png"

echo "1..$N"
T new-session -d -s "$PANE" -x 160 -y 45 \
	"cd '$tmp/work' && HOME='$tmp/home' NO_COLOR=1 TERM=xterm CEWB_GNUPLOT='$tmp/gp-half' \
CEWB_PLOT_TIMEOUT=60 '$CEWB'"
wait_for "cewb>" 10; ok $? "the prompt appears"
run "load lattice $top/examples/agpd/primitive.xyz --species Ag,Pd"
wait_for "space group Fm-3m"; ok $? "lattice loaded"

# y/N before a large space.
run "space 13 6 6 --max-orbits 10"
wait_for "(more than --max-orbits 10); go on? [y/N]"; ok $? "a large space is asked about"
run "n"
wait_for "space: not confirmed: nothing was done"; ok $? "no: nothing is built"
run "space 13 6 6 --max-orbits 10"
sleep 0.3
run "y"
wait_for "cluster space: 73 parameters" 20; ok $? "yes: the space is built"
run "load structures $top/examples/agpd/structures.xyz --target mixing_energy"
wait_for "loaded 625 structures" 20; ok $? "structures loaded"
T clear-history -t "$PANE"
keys C-l

# Progress and Ctrl-C during a long space build.
run "space 20 16 13 10 --force"
expect_screen "building the cluster space: [0-9.]+ s \(Ctrl-C stops\)" 10
ok $? "a long build shows a progress line"
keys C-c
wait_for "space: interrupted" 20 && sleep 0.3 && ! screen | grep -q "building the cluster"
ok $? "Ctrl-C stops it; the progress line is gone"
run "orbits --order 0"
wait_for "cluster space: 73 parameters in 73 orbits" 10; ok $? "the session is as before"
keys C-l

# Ctrl-C in the middle of a convergence scan.
run "convergence ols --cutoffs '6 / 20 16 13 10' --force"
expect_screen "convergence scan: [0-9.]+ s, 1 of 2 \(Ctrl-C stops\)" 20
ok $? "the scan shows how far it is"
keys C-c
wait_for "convergence: cutoffs 20 16 13 10: interrupted" 20; ok $? "Ctrl-C stops the scan"
run "echo still here"
expect_screen "^still here" 10; ok $? "the session goes on"

# Ctrl-C while gnuplot writes a file: the old one stays.
run "fit ols"
wait_for "rmse_train" 10
run "plot eci --output eci.png --force"
n=0
while [ $n -lt 100 ] && ! ls -A "$tmp/work" | grep -q '\.tmp'; do sleep 0.1; n=$((n + 1)); done
keys C-c
wait_for "plot: interrupted" 20 && [ "$(cat "$tmp/work/eci.png")" = old ] &&
	! ls -A "$tmp/work" | grep -q '\.tmp'
ok $? "Ctrl-C during plot --output: old file kept, temporary file removed"
keys C-d
sleep 0.5
T has-session -t "$PANE" 2>/dev/null
[ $? -ne 0 ]; ok $? "Ctrl-D leaves"
