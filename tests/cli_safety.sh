#!/bin/sh
# What cewb may do ('help safety'): files are never overwritten without
# --force and are written atomically (no half-written or temporary file
# left behind, the old file untouched on failure); a transcript survives
# kill -9 and replays up to its last command; large work is refused in
# scripts without --force; scripts, sourced files and replays run no
# program and write nothing outside the working directory unless given
# --trust, and cannot give themselves trust; text reaching gnuplot runs
# nothing.
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
top=$(cd "$top_srcdir" && pwd) || exit 1
case $CEWB in /*) ;; *) CEWB=$(pwd)/$CEWB ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli_safety.XXXXXX") || exit 1
pids=
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
mkdir "$tmp/work" "$tmp/outside"
cd "$tmp/work" || exit 1
export HOME="$tmp/work"
echo "1..50"
i=0
ok() { i=$((i + 1)); if [ "$1" -eq 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
# has FILE TEXT: the file holds the text (fixed string)
has() { grep -qF -- "$2" "$1" 2>/dev/null; }
# no_temps: no temporary file of an atomic write is left in the folder
no_temps() { ! ls -A . | grep -q '\.tmp'; }
L="load lattice $top/examples/agpd/primitive.xyz --species Ag,Pd"
T="load structures $top/examples/agpd/structures.xyz --target mixing_energy"
S="$L; space 6; $T"

# ---- nothing lost: --force and atomic writes ----
echo old > X.csv
"$CEWB" -c "$S; export X X.csv" >out 2>err
rc=$?
[ $rc -eq 1 ] && has err "export: X.csv exists: add --force to overwrite it" &&
	[ "$(cat X.csv)" = old ]
ok $? "export refuses to overwrite an existing file"
"$CEWB" -c "$S; export X X.csv --force" >out 2>err &&
	head -1 X.csv | grep -q '^id,' && no_temps
ok $? "export --force replaces it, no temporary file left"
"$CEWB" -c "$S; export y X.csv --json --force" >out 2>err && has out '"file": "X.csv"'
ok $? "export --force --json"
echo '{}' > p.json
"$CEWB" -c "$S; prior save p.json" >out 2>err
[ $? -eq 1 ] && has err "prior save: p.json exists: add --force" && [ "$(cat p.json)" = '{}' ]
ok $? "prior save refuses to overwrite"
"$CEWB" -c "$S; prior save p.json --force" >out 2>err && has p.json '"noise"' && no_temps
ok $? "prior save --force replaces it"
mkdir adir
"$CEWB" -c "$S; export X adir --force" >out 2>err
[ $? -eq 1 ] && has err "export: adir is a directory"
ok $? "a directory is never written over"

"$CEWB" -c "$L; enumerate --sizes 1-2 --output e.xyz" >out 2>err && has e.xyz Lattice &&
	"$CEWB" -c "$L; enumerate --sizes 1-2 --output e.xyz" >out 2>err
[ $? -eq 1 ] && has err "enumerate: e.xyz exists: add --force" && no_temps
ok $? "enumerate --output refuses to overwrite"

# record: the command and the program option
"$CEWB" -c "record r.cewb; echo one" >out 2>err && has r.cewb "cewb> echo one"
ok $? "record writes a transcript"
"$CEWB" -c "record r.cewb; echo two" >out 2>err
[ $? -eq 1 ] && has err "record: r.cewb exists: add --force" && ! has r.cewb two
ok $? "record refuses to overwrite a transcript"
"$CEWB" -c "record r.cewb --force; echo three" >out 2>err && has r.cewb three &&
	! has r.cewb one && no_temps
ok $? "record --force replaces it"
"$CEWB" --record r.cewb -c "echo four" >out 2>err
[ $? -eq 1 ] && has err "r.cewb exists: add --force" && ! has r.cewb four
ok $? "cewb --record refuses to overwrite"
"$CEWB" --force --record r.cewb -c "echo five" >out 2>err && has r.cewb five
ok $? "cewb --force --record replaces it"

# plot --output: gnuplot writes a temporary file, renamed when complete.
if command -v gnuplot >/dev/null 2>&1; then
	echo old > eci.png
	"$CEWB" -c "$S; fit ols; plot eci --output eci.png" >out 2>err
	[ $? -eq 1 ] && has err "plot: eci.png exists: add --force" && [ "$(cat eci.png)" = old ]
	ok $? "plot --output refuses to overwrite"
	"$CEWB" -c "$S; fit ols; plot eci --output eci.png --force" >out 2>err &&
		has out "wrote eci.png" && [ "$(head -c 4 eci.png | tail -c 3)" = PNG ] && no_temps
	ok $? "plot --output --force writes the image through a temporary file"
else
	ok 0 "plot --output refuses to overwrite # skip no gnuplot"
	ok 0 "plot --output --force # skip no gnuplot"
fi
# A gnuplot that writes half a file and hangs: stopped, the old file kept.
cat > "$tmp/gp-half" <<'EOF'
#!/bin/sh
while IFS= read -r l; do
	case $l in "set output '"*) f=${l#set output \'}; f=${f%\'}; echo half > "$f" ;; esac
done
sleep 30
EOF
chmod +x "$tmp/gp-half"
echo old > eci.png
CEWB_GNUPLOT="$tmp/gp-half" CEWB_PLOT_TIMEOUT=1 "$CEWB" \
	-c "$S; fit ols; plot eci --output eci.png --force" >out 2>err
[ $? -eq 1 ] && has err "did not finish" && [ "$(cat eci.png)" = old ] && no_temps
ok $? "a failed plot leaves the old file and no temporary file"
CEWB_GNUPLOT=/nonexistent/gnuplot "$CEWB" -c "$S; fit ols; plot eci --output new.png" \
	>out 2>err
[ $? -eq 1 ] && [ ! -e new.png ] && no_temps
ok $? "no gnuplot: no file at all"

# Ctrl-C (SIGINT) during a command that writes: interrupted, old file kept.
echo old > eci.png
CEWB_GNUPLOT="$tmp/gp-half" CEWB_PLOT_TIMEOUT=30 "$CEWB" \
	-c "$S; fit ols; plot eci --output eci.png --force" >out 2>err &
p=$!
pids="$pids $p"
n=0
while [ $n -lt 100 ] && ! ls -A | grep -q '\.tmp'; do sleep 0.1; n=$((n + 1)); done
kill -INT $p
wait $p
rc=$?
[ $rc -eq 1 ] && has err "interrupted" && [ "$(cat eci.png)" = old ] && no_temps
ok $? "Ctrl-C during a write: the old file stays, the temporary file is removed"

# SIGTERM during a write: the temporary file is removed on the way out.
echo old > eci.png
CEWB_GNUPLOT="$tmp/gp-half" CEWB_PLOT_TIMEOUT=30 "$CEWB" \
	-c "$S; fit ols; plot eci --output eci.png --force" >out 2>err &
p=$!
pids="$pids $p"
n=0
while [ $n -lt 100 ] && ! ls -A | grep -q '\.tmp'; do sleep 0.1; n=$((n + 1)); done
kill -TERM $p
wait $p
rc=$?
[ $rc -eq 143 ] && [ "$(cat eci.png)" = old ] && no_temps
ok $? "SIGTERM during a write: old file kept, temporary file removed"

# ---- the transcript survives kill -9 ----
mkfifo cmds
"$CEWB" --record killed.cewb <cmds >out 2>err &
p=$!
pids="$pids $p"
exec 3>cmds
printf '%s\n%s\n%s\n%s\n' "$L" "space 6" "$T" "fit ridge --alpha 1e-3" >&3
n=0
while [ $n -lt 300 ] && ! has killed.cewb "cewb> fit ridge"; do sleep 0.1; n=$((n + 1)); done
# A long command is running when the process is killed.
printf '%s\n' "space 20 16 13 10 --force" >&3
sleep 0.5
kill -9 $p
wait $p 2>/dev/null
exec 3>&-
[ "$(grep -c '^cewb> ' killed.cewb)" -eq 4 ] && has killed.cewb "rmse_train"
ok $? "kill -9: every finished command is in the transcript"
"$CEWB" --replay killed.cewb --check >out 2>err
ok $? "the transcript of a killed cewb replays and checks"

# ---- resource limits ----
"$CEWB" -c "$L; space 13 6 6 --max-orbits 10" >out 2>err
[ $? -eq 1 ] && has err "(more than --max-orbits 10): add --force to go on"
ok $? "a large space is refused in batch mode"
"$CEWB" -c "$L; space 13 6 6 --max-orbits 10 --force" >out 2>err &&
	has out "cluster space: 73 parameters"
ok $? "--force builds it"
"$CEWB" -c "$L; $T; set memory-limit 1K; space 8 6" >out 2>err
[ $? -eq 1 ] && has err "more than the memory limit 1 KB" && has err "add --force"
ok $? "cluster vectors above the memory limit are refused"
"$CEWB" -c "$L; $T; set memory-limit 1K; space 8 6 --force" >out 2>err
ok $? "--force goes past the memory limit"
"$CEWB" -c "$L; $T; set memory-limit 1K; convergence ols 6 8,6" >out 2>err
[ $? -eq 1 ] && has err "convergence: the cluster vectors would take"
ok $? "convergence checks the memory limit"
"$CEWB" -c "set memory-limit 1.5G; set; set memory-limit 0; set --json" >out 2>err &&
	has out "memory-limit 1.5 GB" && has out '"memory_limit": 0'
ok $? "set memory-limit takes sizes, 0 for none"
"$CEWB" -c "set memory-limit -3" >out 2>err
[ $? -ne 0 ]
ok $? "a negative memory limit is an error"

# ---- security: scripts, source, replays ----
printf 'echo start\nshell touch ran-sh\necho end\n' > sh.cewb
"$CEWB" sh.cewb >out 2>err
[ $? -eq 1 ] && [ ! -e ran-sh ] && has err "sh.cewb:2: shell: refused in a script (give it --trust)"
ok $? "cewb FILE.cewb runs no shell command"
"$CEWB" --trust sh.cewb >out 2>err && [ -e ran-sh ] && has out end
ok $? "cewb --trust FILE.cewb does"
rm -f ran-sh
"$CEWB" -c "source sh.cewb" >out 2>err
[ $? -eq 1 ] && [ ! -e ran-sh ]
ok $? "source FILE runs no shell command"
"$CEWB" -c "source sh.cewb --trust" >out 2>err && [ -e ran-sh ]
ok $? "source FILE --trust does"
rm -f ran-sh
printf 'source sh.cewb --trust\n' > esc1.cewb
printf 'replay r.cewb --trust\n' > esc2.cewb
"$CEWB" esc1.cewb >out 2>err
[ $? -eq 1 ] && [ ! -e ran-sh ] && has err "--trust is refused in a file that was not given trust"
ok $? "a script cannot source with --trust"
"$CEWB" -c "source esc2.cewb" >out 2>err
[ $? -eq 1 ] && has err "replay: --trust is refused"
ok $? "a sourced script cannot replay with --trust"
printf 'source sh.cewb\n' > nest.cewb
"$CEWB" --trust nest.cewb >out 2>err
[ $? -eq 1 ] && [ ! -e ran-sh ]
ok $? "a trusted script sourcing another file gives it no trust"
"$CEWB" -c "shell touch ran-sh" >out 2>err && [ -e ran-sh ]
ok $? "-c commands are the user's own: shell runs"
rm -f ran-sh
echo "shell touch ran-sh" | "$CEWB" >out 2>err && [ -e ran-sh ]
ok $? "so are commands piped in"
rm -f ran-sh

# Writes outside the working directory.
printf '%s\nexport X ../outside/a.csv\n' "$S" > w1.cewb
"$CEWB" w1.cewb >out 2>err
[ $? -eq 1 ] && [ ! -e ../outside/a.csv ] && has err "outside the working directory"
ok $? "a script may not write above the working directory"
printf '%s\nenumerate --sizes 1-2 --output ../outside/e.xyz\n' "$L" > w5.cewb
"$CEWB" w5.cewb >out 2>err
[ $? -eq 1 ] && [ ! -e ../outside/e.xyz ] && has err "outside the working directory"
ok $? "nor enumerate --output"
printf '%s\nprior save %s/outside/b.json\n' "$S" "$tmp" > w2.cewb
"$CEWB" w2.cewb >out 2>err
[ $? -eq 1 ] && [ ! -e ../outside/b.json ]
ok $? "nor to an absolute path"
ln -s "$tmp/outside" link
printf '%s\nexport X link/c.csv\n' "$S" > w3.cewb
"$CEWB" w3.cewb >out 2>err
[ $? -eq 1 ] && [ ! -e ../outside/c.csv ]
ok $? "nor through a symbolic link to a folder elsewhere"
mkdir -p sub
printf '%s\nexport X sub/../sub/d.csv\n' "$S" > w4.cewb
"$CEWB" w4.cewb >out 2>err && [ -e sub/d.csv ]
ok $? "below the working directory it may"
"$CEWB" --trust w1.cewb >out 2>err && [ -e ../outside/a.csv ]
ok $? "--trust lets it write elsewhere"
"$CEWB" -c "$S; export X ../outside/e.csv" >out 2>err && [ -e ../outside/e.csv ]
ok $? "-c commands may write anywhere"
"$CEWB" --record rec.cewb -c "$S; export X ../outside/f.csv" >out 2>err && rm ../outside/f.csv
"$CEWB" --replay rec.cewb >out 2>err
[ $? -eq 1 ] && [ ! -e ../outside/f.csv ] && has out "outside the working directory"
ok $? "a replay may not write outside the working directory"
"$CEWB" --replay rec.cewb --trust >out 2>err && [ -e ../outside/f.csv ]
ok $? "a replay with --trust may"
"$CEWB" --record rsh2.cewb -c "shell true" >out 2>err
"$CEWB" -c "replay rsh2.cewb" >out 2>err
[ $? -eq 1 ] && has out "refused while replaying"
ok $? "replay at the prompt refuses shell"

# Text handed to gnuplot: titles and file names run nothing.
if command -v gnuplot >/dev/null 2>&1; then
	"$CEWB" -c "$S; fit ols" \
		-c "plot eci --title \"\\\`touch ran-bq\\\`\"" \
		-c "plot eci --title \"'.system('touch ran-sys').'\"" \
		-c "plot eci --title '\"; system(\"touch ran-dq\"); \"'" \
		-c "plot eci --title 'a
system(\"touch ran-nl\")'" \
		-c "plot eci --title @GPVAL_TERM" >out 2>err
	rc=$?
	[ $rc -eq 0 ] && ! ls | grep -q '^ran-' && has out "touch ran-bq" && has out "@GPVAL_TERM"
	ok $? "plot titles are drawn as written: no backquotes, system(), macros"
	"$CEWB" -c "$S; fit ols" -c "plot eci --output '|touch ran-pipe.png'" >out 2>err
	! ls | grep -q '^ran-' && [ -e '|touch ran-pipe.png' ]
	ok $? "an output name starting with | is a file name, not a pipe"
else
	ok 0 "plot titles # skip no gnuplot"
	ok 0 "output names # skip no gnuplot"
fi
rm -f '|touch ran-pipe.png'
"$CEWB" -c "help safety" >out 2>err && has out "Commands read from a file are" &&
	"$CEWB" -c "help session" | grep -qF "'help safety'"
ok $? "help safety tells the policy; the session page points at it"
no_temps
ok $? "no temporary file left behind by any of the above"
