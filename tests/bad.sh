#!/bin/bash
# Bad input: every case of tests/bad/cases runs in a fresh cewb after a
# setup, and must fail cleanly: the documented exit status (1 a command
# failed, 2 a usage error), exactly one line on standard error holding the
# expected text, no signal and no sanitizer report, and the session goes
# on with its state unchanged (the commands after it print what they print
# without the bad command).  Big inputs (1 MB lines) are written here.
#
# A line of tests/bad/cases is  SETUP|STATUS|EXPECTED|COMMAND  where SETUP
# is none, lat (lattice and cluster space), data (plus 12 structures) or
# fit (plus an OLS fit); STATUS is 1 or 2, or 0 for input that must be
# accepted, followed by '+' when the command may print (a script, a
# replay) and by '*' when its report has several lines by design (the
# differences found by 'replay --check'; 'source' adds the line saying
# where the script stopped); EXPECTED is a substring of the error report
# ('-' for none); in COMMAND, @B@ is tests/bad and @T@ the directory of
# the generated inputs.  Only the output of the bad command and of the
# probe after it are compared (the setup prints timings).
#   BAD_SHOW=1 tests/bad.sh     prints what every case gives
#   BAD_ONLY=PATTERN            runs the cases whose line holds PATTERN
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
HOME=/nonexistent OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 LC_ALL=C
export HOME OPENBLAS_NUM_THREADS OMP_NUM_THREADS LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cewb_bad.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cases=tests/bad/cases
jobs=${BAD_JOBS:-4}

LAT="load lattice examples/agpd/primitive.xyz --species Ag,Pd; space 6"
DATA="$LAT; load structures tests/data/fit/agpd12.xyz"
FIT="$DATA; fit ols"
MARK="echo @@probe@@"
setup_of() {
	case $1 in
	none) echo "echo setup" ;;
	lat) echo "$LAT" ;;
	data) echo "$DATA" ;;
	fit) echo "$FIT" ;;
	esac
}
probe_of() {
	case $1 in
	none) echo "$MARK; set; echo alive" ;;
	lat) echo "$MARK; lattice; orbits; prior show; set; echo alive" ;;
	data) echo "$MARK; lattice; orbits; structures; vectors; prior show; set; echo alive" ;;
	fit) echo "$MARK; lattice; orbits; structures; prior show; eci; set; echo alive" ;;
	esac
}

# Generated inputs: 1 MB lines in every reader, deep JSON.
mb() { head -c 1048576 /dev/zero | tr '\0' "$1"; }
L='Lattice="0 2.045 2.045 2.045 0 2.045 2.045 2.045 0" Properties=species:S:1:pos:R:3 pbc="T T T"'
{ echo 1; printf '%s note="' "$L"; mb x; printf '"\nAg 0 0 0\n'; } > "$tmp/long_comment.xyz"
{ echo 1; echo "$L"; printf 'Ag 0 0 0'; mb ' '; printf '1\n'; } > "$tmp/long_atom.xyz"
{ mb 9; echo; echo "$L"; echo 'Ag 0 0 0'; } > "$tmp/long_count.xyz"
{ mb 1; echo; echo "$L"; echo 'Ag 0 0 0'; } > "$tmp/long_count1.xyz"
{ echo 1; echo "$L"; printf 'Ag 0.'; mb 0; printf '1 0 0\n'; } > "$tmp/long_number.xyz"
{ echo 1; echo "$L"; mb A; printf ' 0 0 0\n'; } > "$tmp/long_species.xyz"
{ mb c; printf '\n 4.0\n 0 .5 .5\n .5 0 .5\n .5 .5 0\n Ag\n 1\nDirect\n 0 0 0\n'; } > "$tmp/long_comment.vasp"
{ printf 'c\n 4.0\n 0 .5 .5\n .5 0 .5\n .5 .5 0\n '; mb A; printf '\n 1\nDirect\n 0 0 0\n'; } \
	> "$tmp/long_species.vasp"
{ printf '{"format": "'; mb f; printf '"}\n'; } > "$tmp/long_string.json"
{ mb '['; } > "$tmp/deep.json"
{ printf 'echo '; mb e; echo; } > "$tmp/long_line.cewb"
{ mb z; echo; } > "$tmp/long_command.cewb"
{ printf '# cewb 0.1.0 session transcript\n# seed: 42\n# format: text\ncewb> echo hi\n'; mb h;
	echo; } > "$tmp/long_output.cewb"
{ printf '# cewb 0.1.0 session transcript\n# seed: 42\n# format: text\ncewb> '; mb q;
	echo; } > "$tmp/long_prompt.cewb"
i=0
while [ $i -lt 2000 ]; do echo "1e-3"; i=$((i + 1)); done > "$tmp/many.eci"
mkdir "$tmp/dir.xyz"

# Baselines: what each setup's probe prints without a bad command.
declare -A probe_base
for s in none lat data fit; do
	out=$("$CEWB" -k -c "$(setup_of $s)" -c "$(probe_of $s)" 2> "$tmp/base_err.$s")
	if [ $? -ne 0 ] || [ -s "$tmp/base_err.$s" ]; then
		echo "Bail out! setup $s fails: $(head -3 "$tmp/base_err.$s")"
		exit 1
	fi
	probe_base[$s]=${out#*@@probe@@$'\n'}
done

# run_case N SETUP STATUS EXPECTED COMMAND: one case, its verdict (empty
# when it passes) and first error lines in $tmp/res.N.
run_case() {
	local n=$1 setup=$2 want=$3 expect=$4 cmd=$5 out rc why="" may_print=no many=no
	local err=$tmp/err.$n errtext mid
	out=$("$CEWB" -k -c "$(setup_of "$setup")" -c "echo @@cmd@@" -c "$cmd" \
		-c "$(probe_of "$setup")" 2> "$err")
	rc=$?
	errtext=$(< "$err")
	mapfile -t errlines < "$err"
	local lines=${#errlines[@]}
	mid=${out#*@@cmd@@$'\n'}
	mid=${mid%%@@probe@@*}
	case $want in *\*) many=yes; want=${want%\*} ;; esac
	case $want in *+) may_print=yes; want=${want%+} ;; esac
	if [ $rc -gt 2 ]; then
		why="exit $rc (signal or crash)"
	elif [[ $errtext == *Sanitizer* || $errtext == *"runtime error:"* ]]; then
		why="sanitizer report"
	elif [ "$want" = 0 ]; then
		[ $rc -eq 0 ] || why="exit $rc, expected 0"
		[ -z "$why" ] && [ "$lines" -ne 0 ] && why="error output on accepted input"
	elif [ $rc -ne "$want" ]; then
		why="exit $rc, expected $want"
	elif [ "$lines" -ne 1 ] && { [ $many = no ] || [ "$lines" -eq 0 ]; }; then
		why="$lines lines on stderr, expected 1"
	elif [[ $errtext != *"$expect"* ]]; then
		why="message does not hold '$expect'"
	elif [ $may_print = no ] && [ -n "$mid" ]; then
		why="the failing command printed: ${mid:0:200}"
	elif [ "${out#*@@probe@@$'\n'}" != "${probe_base[$setup]}" ]; then
		why="state changed (probe output differs)"
	fi
	printf '%s\nexit %s: %s\n' "$why" "$rc" "${errtext:0:600}" > "$tmp/res.$n"
	rm -f "$err"
}

list=()
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	[ -n "${BAD_ONLY:-}" ] && [[ $line != *"$BAD_ONLY"* ]] && continue
	list+=("$line")
done < <(cat "$cases"
	# Every command of the table (new families included) refuses an unknown
	# option as a usage error, naming it.
	"$CEWB" --list-commands | while IFS=$'\t' read -r c page; do
		case $c in echo | shell) continue ;; esac
		echo "none|2|$c: unknown option '--no-such-option'|$c --no-such-option"
	done)

total=${#list[@]}
for ((n = 0; n < total; n++)); do
	IFS='|' read -r setup want expect cmd <<< "${list[n]}"
	cmd=${cmd//@B@/tests/bad}
	cmd=${cmd//@T@/$tmp}
	expect=${expect//@T@/$tmp}
	run_case $n "$setup" "$want" "$expect" "$cmd" &
	(((n + 1) % jobs == 0)) && wait
done
wait

echo "1..$((total + 1))"
for ((n = 0; n < total; n++)); do
	IFS='|' read -r setup want expect cmd <<< "${list[n]}"
	cmd=${cmd//'#'/_}
	{ read -r why; read -r detail; } < "$tmp/res.$n"
	if [ -z "$why" ]; then
		echo "ok $((n + 1)) - $cmd"
	else
		echo "not ok $((n + 1)) - $cmd: $why"
		echo "# $detail"
	fi
	[ -n "${BAD_SHOW:-}" ] && echo "#   $detail"
done
n=$((total + 1))
# No script or transcript ran a shell command or wrote outside the working
# directory on its own.
if [ -e should_not_exist.txt ] || [ -e /tmp/cewb_bad_outside.cewb ]; then
	rm -f should_not_exist.txt /tmp/cewb_bad_outside.cewb
	echo "not ok $n - a sourced or replayed file ran a shell command or wrote outside"
else
	echo "ok $n - no sourced or replayed file ran a shell command or wrote outside"
fi
