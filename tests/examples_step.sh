#!/bin/sh
# The example sessions replayed with --step as a class would, in tmux: the
# pause after each command, q to stop early, Enter through the whole Ag-Pd
# tutorial (its plots written into the working folder), and -i leaving the
# prompt with the tutorial's session loaded.
NAME=examples_step PANE=ex
case "${CEWB:-}" in "" | /*) ;; *) CEWB=$(pwd)/$CEWB ;; esac
. "${top_srcdir:-.}/tests/tmux_lib.sh"
case "$CEWB" in /*) ;; *) CEWB=$(pwd)/$CEWB ;; esac

echo "1..9"
mkdir -p "$tmp/work" && ln -s "$(pwd)/examples" "$tmp/work/examples" || exit 1
n_surface=$(grep -c '^cewb> ' examples/surface.cewb)
n_tutorial=$(grep -c '^cewb> ' examples/tutorial-agpd.cewb)
cat > "$tmp/run.sh" <<RUN
cd '$tmp/work' || exit 1
unset DISPLAY WAYLAND_DISPLAY
export HOME='$tmp/home' NO_COLOR=1 LANG=C.UTF-8
'$CEWB' --replay examples/surface.cewb --step
echo "surface-exit=\$?"
'$CEWB' -i --replay examples/tutorial-agpd.cewb --step
echo "tutorial-exit=\$?"
sleep 30
RUN
T new-session -d -s ex -x 130 -y 40 "sh $tmp/run.sh"

wait_for "-- step 1 of $n_surface: Enter for the next command, q to stop --" 10
ok $? "surface: a pause after the first command"
keys Enter
wait_for "-- step 2 of $n_surface" && keys Enter && wait_for "-- step 3 of $n_surface"
ok $? "Enter runs the next command"
wait_for "space group P-3m1"
ok $? "the replayed output is shown (the slab lattice)"
keys q Enter
wait_for "surface-exit=0"
ok $? "q stops the replay (exit 0)"

# The tutorial, every step; sensing and the learning curve take a moment.
wait_for "-- step 1 of $n_tutorial" 10
r=$?
k=2
while [ $r -eq 0 ] && [ $k -le $((n_tutorial - 1)) ]; do
	keys Enter
	wait_for "-- step $k of $n_tutorial" 30
	r=$?
	k=$((k + 1))
done
ok $r "tutorial: Enter through all $n_tutorial commands"
keys Enter
wait_for "cewb> " 10 && sleep 0.5
T send-keys -t ex C-l
sleep 0.3
keys 'eci --nonzero' Enter
wait_for "   81    81     4   3.5420     2" 10
ok $? "-i: the prompt follows, with the tutorial's fit in the session"
if command -v gnuplot >/dev/null 2>&1; then
	for f in agpd-learning-curve.png agpd-parity.png agpd-eci.png; do
		[ -s "$tmp/work/$f" ] || r=1
	done
	ok $r "the plots were written into the working folder"
else
	i=$((i + 1))
	echo "ok $i - the plots were written into the working folder # SKIP gnuplot is not installed"
fi
[ ! -e examples/agpd-parity.png ] && [ ! -e agpd-parity.png ]
ok $? "and not into the source tree"
keys quit Enter
wait_for "tutorial-exit=0" 10
ok $? "quit leaves with exit 0"
