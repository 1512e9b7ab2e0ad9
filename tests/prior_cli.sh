#!/bin/sh
# The prior commands through the real program: the surface example (fewer
# effective parameters and a lower CV error with couple-bulk than with
# unrelated ECIs), files, diff, undo, selectors, JSON, and the errors.
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
tmp=${TMPDIR:-/tmp}/prior_cli.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
i=0
ok() { i=$((i + 1)); if [ "$1" -eq 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
# json_num KEY < document: the number under KEY
json_num() { sed -n "s/.*\"$1\": \([-0-9.e]*\).*/\1/p" | head -1; }
# lt A B: A < B as reals
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

slab="load lattice examples/surface/slab.xyz --species Ag,Pd; space 5.2 4.2; \
load structures examples/surface/structures.xyz --target energy"

# The example: unrelated ECIs, then coupled to the bulk.
"$CEWB" -c "$slab; prior reset ridge --lambda 1e-6; prior status --json; \
prior couple-bulk examples/surface/bulk.xyz --sigma 0.002; prior status --json; \
prior reset ridge --lambda 1e-6; \
prior couple-bulk examples/surface/bulk.xyz --sigma 0.002 --to examples/surface/bulk_eci.txt; \
prior status --json" > "$tmp/surf.out" 2> "$tmp/surf.err"
ok $? "surface example commands run"
grep '^{"n_parameters"' "$tmp/surf.out" > "$tmp/st.json"
e0=$(sed -n 1p "$tmp/st.json" | json_num effective_parameters)
r0=$(sed -n 1p "$tmp/st.json" | json_num rmse_validation)
e1=$(sed -n 2p "$tmp/st.json" | json_num effective_parameters)
r1=$(sed -n 2p "$tmp/st.json" | json_num rmse_validation)
e2=$(sed -n 3p "$tmp/st.json" | json_num effective_parameters)
r2=$(sed -n 3p "$tmp/st.json" | json_num rmse_validation)
echo "# unrelated: $e0 effective, CV $r0; couple-bulk: $e1, CV $r1; pulled to bulk: $e2, CV $r2"
lt "$e1" "$e0"
ok $? "couple-bulk leaves fewer effective parameters ($e1 < $e0)"
lt "$r1" "$r0"
ok $? "couple-bulk lowers the CV error ($r1 < $r0)"
lt "$e2" "$e0" && lt "$r2" "$r0"
ok $? "pulling towards bulk ECIs does too ($e2, $r2)"
grep -q "bulk space: 7 orbits; 17 slab orbits in 5 shared bulk orbits, 14 free" "$tmp/surf.out"
ok $? "deep slab orbits classified onto bulk orbits, surface ones free"
"$CEWB" examples/surface.cewb > "$tmp/ex.out" 2>&1
ok $? "examples/surface.cewb runs"

# Files, diff, undo; the session replays.
"$CEWB" -c "record $tmp/rec.cewb; $slab; prior reset physical; prior merge 4 5; \
prior orbit --order 3 --radius-above 1.8 --sigma 0.001; prior save $tmp/a.json; \
prior pair 2 3 --sigma 0.01; prior diff $tmp/a.json; prior undo; prior diff $tmp/a.json; \
prior redo; prior save $tmp/b.json; prior diff $tmp/a.json $tmp/b.json --json; \
prior load $tmp/a.json; prior show --json; record stop" > "$tmp/f.out" 2> "$tmp/f.err"
ok $? "save, diff, undo, redo, load"
grep -q "pair orbit 2, orbit 3 sigma: none -> 0.01" "$tmp/f.out"
ok $? "diff names the new coupling"
grep -q "^no differences$" "$tmp/f.out"
ok $? "no differences after undo"
grep -q '"n_differences": 1' "$tmp/f.out"
ok $? "diff of two files as JSON"
grep '^{"default"' "$tmp/f.out" | grep -q '"n_free": 30'
ok $? "loaded prior keeps the merge (30 free parameters)"
# The replay writes the same files again: they must not exist (no --force
# in the transcript), and --trust lets it write outside the working directory.
rm -f "$tmp/a.json" "$tmp/b.json"
"$CEWB" --replay "$tmp/rec.cewb" --check --trust > "$tmp/r.out" 2>&1
ok $? "the recorded prior session replays exactly"

# Selectors and couplings.
"$CEWB" -c "$slab; prior merge --order 2 --radius-above 2.4; prior status --json; \
prior split 4; prior couple --similar neighbor --scale 0.01 --order 2; prior show" \
	> "$tmp/s.out" 2> "$tmp/s.err"
ok $? "merge by selection, split, couple by similarity"
grep '^{"n_parameters"' "$tmp/s.out" | grep -q '"n_free": [12][0-9],'
ok $? "merge by selection reduces the free parameters"
grep -q "^couplings (a b sigma lambda):" "$tmp/s.out"
ok $? "couplings listed by prior show"

# Errors.
err() { "$CEWB" -c "$1" > /dev/null 2> "$tmp/e.err"; rc=$?; [ $rc -eq "$2" ] && grep -qF -- "$3" "$tmp/e.err"; }
err "prior show" 1 "prior show: no cluster space (use 'space CUT2 ...' first)"
ok $? "no space"
err "$slab; prior merge 2 2" 1 "prior merge: orbit 2 paired with itself"
ok $? "merge with itself"
err "$slab; prior orbit 99 --sigma 1" 1 "prior orbit: no orbit 99 (there are 31, 0..30)"
ok $? "orbit out of range"
err "$slab; prior orbit 3" 1 "prior orbit: give exactly one of --sigma, --lambda, --free, --remove"
ok $? "width missing"
err "$slab; prior orbit 3 --order 2 --sigma 1" 1 "prior orbit: give orbit indices or a selection, not both"
ok $? "indices and selection"
err "$slab; prior undo" 1 "prior undo: nothing to undo"
ok $? "nothing to undo"
err "$slab; prior load /nonexistent.json" 1 "prior load: cannot open '/nonexistent.json'"
ok $? "missing prior file"
err "$slab; prior couple-bulk examples/surface/bulk.xyz" 1 "prior couple-bulk: --sigma is required"
ok $? "couple-bulk without --sigma"
err "$slab; prior couple --similar order" 1 "prior couple: --scale is required"
ok $? "couple without --scale"
err "$slab; prior reset wide" 1 "prior reset: unknown prior 'wide' (none, ridge, physical)"
ok $? "unknown default"
"$CEWB" -c "$slab; prior status" > "$tmp/st.out" 2>&1 && grep -q "10-fold CV-RMSE" "$tmp/st.out"
ok $? "status with data"
err "load lattice examples/surface/bulk.xyz --species Ag,Pd; space 5; prior couple-bulk examples/surface/bulk.xyz --sigma 1" \
	1 "prior couple-bulk: the current lattice is not a slab (pbc T,T,F)"
ok $? "couple-bulk needs a slab"
err "$slab; prior couple-bulk examples/surface/bulk.xyz --sigma 1 --to examples/surface/README.md" \
	1 "examples/surface/README.md: line 3: expected 'value' or 'index value'"
ok $? "bad bulk ECI file"
err "load lattice examples/surface/slab.xyz --species Ag,Pd; space 5; prior status" 1 \
	"prior status: no training structures"
ok $? "status without data"

echo "1..$i"
