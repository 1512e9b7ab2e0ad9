#!/bin/sh
# Every command of the table has a help page, `help CMD` shows it, and the
# program's --help, --version and manual page are there; pages are installed.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${CEWB:=./cewb}"
list=$("$CEWB" --list-commands) || { echo "1..1"; echo "not ok 1 - --list-commands"; exit 0; }
n=$(printf '%s\n' "$list" | wc -l)
echo "1..$((3 * n + 9))"
i=0
ok() { i=$((i + 1)); if [ "$1" -eq 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
tab=$(printf '\t')
printf '%s\n' "$list" | {
	while IFS="$tab" read -r name page; do
		test -s "$top_srcdir/help/$page.txt"
		ok $? "'$name' has a help page help/$page.txt"
		grep -q "help/$page\.txt" "$top_builddir/Makefile"
		ok $? "help/$page.txt is installed (listed in dist_help_DATA)"
		first=$(sed -n '1p' "$top_srcdir/help/$page.txt")
		out=$("$CEWB" -c "help $name" 2>&1)
		rc=$?
		case "$out" in
		*"usage: $name"*"$first"*) [ $rc -eq 0 ]; ok $? "help $name shows usage and page" ;;
		*) ok 1 "help $name shows usage and page"; printf '%s\n' "$out" | sed 's/^/# /' ;;
		esac
	done
	out=$("$CEWB" -c help 2>&1); rc=$?
	case "$out" in *"model:"*"session:"*) [ $rc -eq 0 ]; ok $? "help lists groups" ;;
	*) ok 1 "help lists groups" ;; esac
	"$CEWB" --help | grep -q -- '--replay FILE'; ok $? "--help describes --replay"
	"$CEWB" --version | grep -q '^cewb [0-9]'; ok $? "--version"
	test -s "$top_srcdir/cewb.1" && grep -q '^\.TH CEWB 1' "$top_srcdir/cewb.1"; ok $? "man page cewb.1"
	out=$("$CEWB" -c 'help language' 2>&1); case "$out" in *"command language"*) ok 0 "help language" ;; *) ok 1 "help language" ;; esac
	out=$("$CEWB" -c 'help nosuch' 2>&1); rc=$?
	[ $rc -eq 1 ] && case "$out" in *"unknown command 'nosuch'"*) true ;; *) false ;; esac
	ok $? "help of an unknown command fails"
	dups=$(printf '%s\n' "$list" | cut -f1 | sort | uniq -d)
	[ -z "$dups" ]; ok $? "command names are unique"
	[ -z "$dups" ] || echo "# twice: $dups"
	out=$("$CEWB" -c 'help cutoffs' 2>&1)
	case "$out" in *"mentioned in the pages of: "*space*) ok 0 "help searches the pages" ;;
	*) ok 1 "help searches the pages"; echo "# $out" ;; esac
	out=$("$CEWB" --json -c 'help space' 2>&1)
	case "$out" in '{"command": "space"'*'"usage": '*) ok 0 "help --json" ;; *) ok 1 "help --json" ;; esac
}
