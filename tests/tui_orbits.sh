#!/bin/sh
# The orbit browser (`orbits --browse`) driven through tmux as a person
# would: the list and the detail pane, moving, sorting by |ECI|, filtering
# by order, help, a resize, leaving back to the commands; and the polite
# refusal without a terminal.
NAME=tui_orbits PANE=ob
. "${top_srcdir:-.}/tests/tmux_lib.sh"

echo "1..11"
setup="load lattice examples/agpd/primitive.xyz --species Ag,Pd; space 8 6 5; \
load structures examples/agpd/structures.xyz --target mixing_energy; fit ardr"
cat > "$tmp/run.sh" <<RUN
LANG=C.UTF-8 '$CEWB' -c "$setup; orbits --browse; echo BROWSER-LEFT"
echo "exit=\$?" > '$tmp/exit'
sleep 30
RUN
T new-session -d -s ob -x 130 -y 30 "sh $tmp/run.sh"
wait_for "orbits  sort: index" 20
ok $? "the browser opens with its status line"
wait_for "|ECI| eV"
ok $? "the list shows the ECIs of the last fit"
wait_for "orbit 0"
ok $? "the detail pane shows the selected orbit"
keys Down Down
wait_for "representative cluster"
ok $? "moving down selects a pair: its representative cluster is shown"
wait_for "distances 2.892"
ok $? "the nearest-neighbour pair distance is shown"
keys s s
wait_for "sort: |ECI|"
ok $? "s cycles the sort to |ECI|"
keys 3
wait_for "order: 3"
ok $? "3 shows only triplets"
keys '?'
wait_for "only orbits of that order"
ok $? "? shows the help"
keys x
T resize-window -t ob -x 90 -y 24 2>/dev/null || T refresh-client -t ob 2>/dev/null
wait_for "q quit"
ok $? "the screen is redrawn after a resize"
keys q
wait_for "BROWSER-LEFT" 10
ok $? "q leaves the browser and the commands go on"
out=$("$CEWB" -c "$setup; orbits --browse" 2>&1 </dev/null)
echo "$out" | grep -qF "the orbit browser needs a terminal"
ok $? "without a terminal the browser refuses and points at the table"
