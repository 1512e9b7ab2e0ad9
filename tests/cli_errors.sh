#!/bin/sh
# The command language: lexer, parser errors with "did you mean", bad
# values, exit codes 0/1/2, --keep-going, scripts, pipes, --json, and that
# a failed command changes nothing.
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
export HOME=/nonexistent
tmp=${TMPDIR:-/tmp}/cli_errors.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
i=0
ok() { i=$((i + 1)); if [ "$1" -eq 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }

# check NAME RC STDERR-SUBSTRING COMMANDS: run cewb -c, compare exit code and message.
check() {
	name=$1 want_rc=$2 want=$3
	shift 3
	err=$("$CEWB" -c "$*" 2>&1 >/dev/null)
	rc=$?
	case "$err" in
	*"$want"*) [ "$rc" -eq "$want_rc" ] ;;
	*) false ;;
	esac
	r=$?
	ok $r "$name"
	[ $r -eq 0 ] || echo "# exit $rc, stderr: $err"
}
# out NAME EXPECTED-STDOUT COMMANDS: compare the whole standard output.
out() {
	name=$1 want=$2
	shift 2
	got=$("$CEWB" -c "$*" 2>&1)
	[ "$got" = "$want" ]
	r=$?
	ok $r "$name"
	[ $r -eq 0 ] || echo "# got: $got"
}

L="load lattice examples/agpd/primitive.xyz --species Ag,Pd"
echo "1..45"
check "unknown command suggests" 2 "unknown command 'orbts'; did you mean 'orbits'?" orbts
check "unknown option suggests" 2 "orbits: unknown option '--ordr'; did you mean '--order'?" "orbits --ordr 2"
check "ambiguous prefix" 2 "ambiguous command 's'" "s"
check "unknown subcommand suggests" 2 "did you mean 'load lattice'?" "load latice x"
check "missing subcommand" 2 "'load' needs a subcommand: lattice, structures" "load"
check "bad number" 2 "space: CUT: 'abc' is not a number" "space abc"
check "out of range" 2 "space: CUT: -1 is out of range" "space -1"
check "integer wanted" 2 "orbits: --order: '1.5' is not an integer" "orbits --order 1.5"
check "integer range" 2 "orbits: --order: 99 is out of range" "orbits --order 99"
check "option needs a value" 2 "orbits: --order needs a value" "orbits --order"
check "flag takes no value" 2 "space: --force takes no value" "space 8 --force=1"
check "too many arguments" 2 "too many arguments" "space 1 2 3 4 5 6 7 8"
check "missing argument" 2 "space: missing CUT" "space"
check "choice suggests" 2 "set format: format: unknown value 'jsn'; did you mean 'json'?" "set format jsn"
check "unterminated quote" 2 "unterminated quote" "echo 'abc"
check "state error exits 1" 1 "orbits: no cluster space" "orbits"
check "missing file exits 1" 1 "load lattice: cannot open 'nofile.xyz'" "load lattice nofile.xyz"
check "no frame" 1 "has 1 frame, no frame 4" "$L --frame 4"
out "quotes, escapes, comments, separators" "a b|c d|e\"f
x
y
'q'" 'echo "a b|c" d\|e\"f # comment ; echo no
echo "x\ny"; echo "'"'q'"'"'
out "separator and second command" "1
2" "echo 1; echo 2"
got=$("$CEWB" -c "set se 9; set" | head -1)
[ "$got" = "seed       9" ]; ok $? "unique prefixes of subcommands"
printf 'echo one\necho "two\nlines"\n# a comment\necho three\n' > "$tmp/s.cewb"
got=$("$CEWB" "$tmp/s.cewb" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$got" = "one
two
lines
three" ]; ok $? "script with a continued quote"
printf 'echo a\norbts\necho b\n' > "$tmp/f.cewb"
got=$("$CEWB" "$tmp/f.cewb" 2>/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$got" = "a" ]; ok $? "script stops at the first error, exit 2"
got=$("$CEWB" -k "$tmp/f.cewb" 2>/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$got" = "a
b" ]; ok $? "--keep-going runs on, exit 2"
got=$(printf 'echo p\norbits\necho q\n' | "$CEWB" 2>/dev/null); rc=$?
[ $rc -eq 1 ] && [ "$got" = "p" ]; ok $? "commands from a pipe, exit 1 at a failure"
got=$(printf 'echo p\necho q\n' | "$CEWB"); rc=$?
[ $rc -eq 0 ] && [ "$got" = "p
q" ]; ok $? "commands from a pipe, exit 0"
"$CEWB" --no-such-option >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "bad program option exits 2"
"$CEWB" --check >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "--check without --replay exits 2"
"$CEWB" "$tmp/missing.cewb" >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "missing script exits 2"

# A failed command changes nothing.
got=$("$CEWB" -c "$L; space 8" -c "space 13 6 6 --max-orbits 10" -k -c "orbits --json" 2>/dev/null | tail -1)
case "$got" in '{"n_parameters": 9,'*) ok 0 "failed space keeps the old space" ;;
*) ok 1 "failed space keeps the old space"; echo "# $got" ;; esac
got=$("$CEWB" -k -c "$L; space 6" -c "load structures examples/agpd/structures.xyz --target mixing_energy" \
	-c "load structures tests/data/icet/fcc_binary.xyz" -c "structures --json" 2>/dev/null | tail -1)
n=$(printf '%s' "$got" | grep -o '"index"' | wc -l)
[ "$n" -eq 625 ]; ok $? "failed load keeps the training set (625)"
got=$("$CEWB" -k -c "$L; space 6; load lattice nofile.xyz; orbits --json" 2>/dev/null | tail -1)
case "$got" in '{"n_parameters": 6,'*) ok 0 "failed load lattice keeps the space" ;; *) ok 1 "failed load lattice keeps the space"; echo "# $got" | cut -c1-200 ;; esac

# --json: one document per command, errors included.
got=$("$CEWB" --json -k -c "$L; space 6; orbits; set seed 3; orbts" 2>/dev/null)
lines=$(printf '%s\n' "$got" | wc -l)
docs=$(printf '%s\n' "$got" | grep -c '^{.*}$')
[ "$lines" -eq 5 ] && [ "$docs" -eq 5 ]; ok $? "--json prints one document per command"
case "$got" in *'"error": "cewb: unknown command '"'orbts'"'; did you mean '"'orbits'"'?"'*) ok 0 "--json error document" ;;
*) ok 1 "--json error document" ;; esac
got=$("$CEWB" -c "$L; space 13.5 6.5 6.0; orbits --json" 2>/dev/null | tail -1)
case "$got" in '{"n_parameters": 82, "n_orbits_by_order": {"0": 1, "1": 1, "2": 25, "3": 20, "4": 35}, "orbits": [{"index": 0, "order": 0, "radius": 0.0'*) ok 0 "orbits --json keys (Ag-Pd: 82 parameters)" ;;
*) ok 1 "orbits --json keys"; echo "# $got" | cut -c1-200 ;; esac
got=$("$CEWB" -c "$L; space 6; load structures examples/agpd/structures.xyz --target mixing_energy; vectors --json --structure 1; structures --json" 2>/dev/null)
case "$got" in *'{"n_parameters": '*', "ids": [1], "vectors": [[1.0, '*) ok 0 "vectors --json keys" ;; *) ok 1 "vectors --json keys" ;; esac
case "$got" in *'{"structures": [{"index": 0, "file": "examples/agpd/structures.xyz", "frame": 0, "n_atoms": 1, '*'"target": 0.0, "mapping": {"status": "ideal"'*) ok 0 "structures --json keys" ;;
*) ok 1 "structures --json keys" ;; esac
# No colour when NO_COLOR is set or output is not a terminal.
got=$(NO_COLOR=1 "$CEWB" -c orbts 2>&1)
case "$got" in *"$(printf '\033')"*) ok 1 "no colour escapes" ;; *) ok 0 "no colour escapes" ;; esac

# shell: runs here, refused in replays without --trust.
got=$("$CEWB" -c "shell echo hi from sh" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$got" = "hi from sh" ]; ok $? "shell runs a command"
"$CEWB" -c "shell exit 3" >/dev/null 2>&1; [ $? -eq 1 ]; ok $? "a failing shell command fails"
"$CEWB" --record "$tmp/sh.cewb" -c "shell echo hi" -c "echo after" >/dev/null 2>&1
err=$("$CEWB" --replay "$tmp/sh.cewb" --check 2>&1); rc=$?
case "$err" in *"refused while replaying (use --trust)"*) [ $rc -eq 1 ] ;; *) false ;; esac
ok $? "replay refuses shell commands"
"$CEWB" --replay "$tmp/sh.cewb" --check --trust >/dev/null 2>&1; [ $? -eq 0 ]
ok $? "replay --trust runs them"

# source: a script inside the session; its commands are recorded one by one.
got=$("$CEWB" -c "source $tmp/s.cewb; echo done" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$got" = "one
two
lines
three
done" ]; ok $? "source runs a script in the session"
err=$("$CEWB" -c "source $tmp/f.cewb" 2>&1 >/dev/null); rc=$?
case "$err" in *"f.cewb:2: cewb: unknown command 'orbts'"*"source: '$tmp/f.cewb' stopped at a failing command"*) [ $rc -eq 1 ] ;; *) false ;; esac
ok $? "source stops at a failure and names the line"
"$CEWB" -c "record $tmp/src.cewb; source $tmp/s.cewb; record stop" >/dev/null 2>&1
[ "$(grep -c '^cewb> ' "$tmp/src.cewb")" -eq 3 ] && ! grep -q '^cewb> source' "$tmp/src.cewb" &&
	"$CEWB" --replay "$tmp/src.cewb" --check >/dev/null 2>&1
ok $? "a sourced script is recorded command by command and replays"
