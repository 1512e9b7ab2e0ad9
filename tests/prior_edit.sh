#!/bin/sh
# The full-screen prior editor driven through tmux as a person would: the
# grid with orbit labels and the status line, moving, merging, undoing,
# typing a value, help, a resize, leaving; every edit recorded as a prior
# command that replays; the polite refusal without a terminal.
NAME=prior_edit PANE=ed
. "${top_srcdir:-.}/tests/tmux_lib.sh"

setup="load lattice examples/agpd/primitive.xyz --species Ag,Pd; space 8 5; \
load structures examples/agpd/structures.xyz --target mixing_energy"
cat > "$tmp/run.sh" <<EOF
'$CEWB' -c "record $tmp/rec.cewb; $setup; prior edit; record stop"
echo "exit=\$?" > '$tmp/exit'
sleep 30
EOF
T new-session -d -s ed -x 150 -y 40 "NO_COLOR=1 TERM=xterm sh '$tmp/run.sh'"

wait_for "cewb prior editor" 20
ok $? "the editor opens"
wait_for "10-fold CV-RMSE" 10
ok $? "status line with the CV error"
screen | grep -q "eff. params [0-9.]* of [0-9]* free"
ok $? "status line with the effective parameters"
screen | grep -q "order:radius" && screen | grep -q " 2:[0-9.]*"
ok $? "labels give order and radius"

keys Down Down Right Right Right
keys m
wait_for "prior merge 2 3: ok"
ok $? "m merges the orbits of row and column"
screen | grep -q "= merged"
ok $? "merged pair shown in the grid"
ms=$(screen | sed -n 's/.*| \([0-9]*\) ms |.*/\1/p' | tail -1)
[ -n "$ms" ] && [ "$ms" -lt 50 ]
ok $? "status updated after the edit in under 50 ms (${ms:-?} ms)"

keys u
wait_for "prior undo: ok"
ok $? "u undoes"
! screen | grep -q "= merged"
ok $? "the merge is gone after undo"

keys Left
keys 5 Enter
wait_for "prior orbit 2 --lambda 5: ok"
ok $? "typing a value sets lambda of the diagonal cell"
screen | grep -q "Lambda\[2,2\] = 5 "
ok $? "the cell shows the new value"

keys Right
keys c
keys 0.01 Enter
wait_for "prior pair 2 3 --sigma 0.01: ok"
ok $? "c couples row and column"

keys =
keys abc Enter
wait_for "'abc' is not a number"
ok $? "a bad value is refused on the status line"

keys '?'
wait_for "cewb prior editor - keys"
ok $? "? shows the help"
keys Space
wait_for "10-fold CV-RMSE"
ok $? "any key leaves the help"

T resize-window -t ed -x 90 -y 20
sleep 0.5
wait_for "cewb prior editor"
ok $? "the editor redraws after a resize"
[ "$(screen | grep -c 'CV-RMSE')" -eq 1 ] && [ "$(screen | wc -l)" -le 20 ]
ok $? "one status line, screen within the new size"

keys q
n=0
while [ ! -f "$tmp/exit" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
grep -q "exit=0" "$tmp/exit" 2>/dev/null
ok $? "q leaves the editor and the session ends cleanly"

grep -q "^cewb> prior merge 2 3$" "$tmp/rec.cewb" &&
	grep -q "^cewb> prior undo$" "$tmp/rec.cewb" &&
	grep -q "^cewb> prior orbit 2 --lambda 5$" "$tmp/rec.cewb" &&
	grep -q "^cewb> prior pair 2 3 --sigma 0.01$" "$tmp/rec.cewb"
ok $? "every edit is recorded as a prior command"
! grep -q "prior edit" "$tmp/rec.cewb"
ok $? "the editor itself is not recorded"

"$CEWB" --replay "$tmp/rec.cewb" --check > "$tmp/replay.out" 2>&1
ok $? "the recorded edits replay and check"

# colour by magnitude, and none in the monochrome mode
for mode in colour mono; do
	opt=""
	[ $mode = mono ] && opt=" --mono"
	T new-session -d -s $mode -x 120 -y 30 \
		"env -u NO_COLOR TERM=xterm-256color '$CEWB' -c \"$setup; prior reset physical; prior edit$opt\"; sleep 30"
done
n=0
while [ $n -lt 100 ]; do
	T capture-pane -p -t mono | grep -q "CV-RMSE" && T capture-pane -p -t colour | grep -q "CV-RMSE" &&
		break
	sleep 0.1
	n=$((n + 1))
done
T capture-pane -e -p -t colour | grep -q "$(printf '\033')\[3[1-6]m"
ok $? "cells coloured by magnitude"
! T capture-pane -e -p -t mono | grep -q "$(printf '\033')\[3[1-6]m"
ok $? "--mono draws without colour"
T send-keys -t mono NPage; sleep 0.3
T capture-pane -p -t mono | grep -q "Lambda\[10,0\]"
ok $? "PgDn moves a page down (to the last of 11 rows)"
T send-keys -t mono q; T send-keys -t colour q

"$CEWB" -c "$setup; prior edit" < /dev/null > "$tmp/nt.out" 2> "$tmp/nt.err"
[ $? -eq 1 ] && grep -q "prior edit: not a terminal: .*prior orbit, prior pair, prior merge" \
	"$tmp/nt.err"
ok $? "without a terminal the editor refuses and points at the commands"

echo "1..$i"
