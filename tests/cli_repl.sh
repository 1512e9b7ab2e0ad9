#!/bin/sh
# Drive the real prompt in tmux as a person would: tab completion of
# commands, subcommands, options, file names, orbit indices and info keys; history kept
# in $HOME across sessions; Ctrl-C interrupting a long command (the
# session stays as before) and clearing a line; Ctrl-D leaving; a replay
# paused by --step.
N=15
NAME=cli_repl PANE=cewb
. "${top_srcdir:-.}/tests/tmux_lib.sh"
# The last line of the screen that is not empty.
last_line() { screen | grep -v '^ *$' | tail -1; }
# expect_screen REGEX: until a line of the screen matches.
expect_screen() {
	n=0
	while [ $n -lt 50 ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
# expect_last REGEX: until the last line matches (the machine may be busy).
expect_last() {
	n=0
	while [ $n -lt 50 ]; do
		last_line | grep -Eq -- "$1" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	echo "# last line: $(last_line)"
	return 1
}
start() {
	T new-session -d -s cewb -x 150 -y 40 \
		"cd '$top_srcdir' && HOME='$tmp/home' NO_COLOR=1 TERM=xterm '$CEWB'"
	wait_for "cewb>" 10
}
lit() { T send-keys -t cewb -l -- "$1"; sleep 0.2; }

echo "1..$N"
start; ok $? "the prompt appears"
lit "vec"; keys Tab
expect_last '^cewb> vectors$'; ok $? "completes a command"
keys C-u; lit "load la"; keys Tab
expect_last '^cewb> load lattice$'; ok $? "completes a subcommand"
lit "examples/agpd/pri"; keys Tab
expect_last 'load lattice examples/agpd/primitive.xyz$'; ok $? "completes a file name"
lit "--spe"; keys Tab
expect_last 'primitive.xyz --species$'; ok $? "completes an option"
lit "Ag,Pd; space 8"; keys Enter
wait_for "9 parameters in 9 orbits"; ok $? "runs the commands"
lit "orbit "; keys Tab Tab
expect_screen '^0 +1 +2 +3 +4 +5 +6 +7 +8 *$'; ok $? "completes orbit indices"
keys C-u
lit "load structures examples/agpd/structures.xyz --target mix"; keys Tab
expect_last '--target mixing_energy$'; ok $? "completes an info key of the file"
keys C-u
lit "space 20 16 13 10 --force"; keys Enter
sleep 1
keys C-c
wait_for "space: interrupted" 20; ok $? "Ctrl-C interrupts a long command"
lit "orbits --order 0"; keys Enter
wait_for "cluster space: 9 parameters" 5 && ! screen | grep -q "17588"; ok $? "the session is as before the interrupted command"
lit "echo never-run"; keys C-c
sleep 0.3
expect_last '^cewb>$' && ! screen | grep -q '^never-run'; ok $? "Ctrl-C clears the line"
keys C-d
sleep 0.5
T kill-session -t cewb 2>/dev/null
grep -q '^orbits --order 0$' "$tmp/home/.cewb_history"; ok $? "Ctrl-D leaves; history written to \$HOME/.cewb_history"
start >/dev/null
keys Up
expect_last '^cewb> orbits --order 0$'; ok $? "history comes back in a new session"

# --step pauses after each command of a replay (teaching).
T kill-session -t cewb 2>/dev/null
T new-session -d -s cewb -x 150 -y 40 \
	"cd '$top_srcdir' && NO_COLOR=1 '$CEWB' --replay tests/sessions/orbit.cewb --step; echo exit=\$?; sleep 5"
wait_for "-- step 1 of" 10; ok $? "--step pauses after the first command"
keys Enter
wait_for "-- step 2 of" 10 && keys q Enter && wait_for "exit=0" 5; ok $? "Enter goes on, q stops"
