#!/bin/sh
# Replay every transcript in tests/sessions with --check: one TAP line each.
# A new transcript is recorded from the source tree with
#   cewb -k --record tests/sessions/NAME.cewb -c 'COMMAND' -c 'COMMAND' ...
# and one whose outputs changed on purpose is re-recorded by replaying it:
#   cewb [--json] --record /tmp/NAME.cewb --replay tests/sessions/NAME.cewb
# (--json for a transcript whose header says "# format: json").
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
set -- tests/sessions/*.cewb
echo "1..$#"
i=0
for f in "$@"; do
	i=$((i + 1))
	out=$(HOME=/nonexistent "$CEWB" --replay "$f" --check 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $i - replay $f"
	else
		echo "not ok $i - replay $f (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/# /' | head -40
	fi
done
