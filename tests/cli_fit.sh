#!/bin/sh
# The fit family from the command line: the Ag-Pd reference figures within
# 5%, the JSON keys of fit and validate, identical splits for every method,
# and the documented answers to bad input (one-line message, exit 1, the
# session unchanged).
#
# Reference figures: scikit-learn 1.2 on the same sensing matrix (Ag-Pd
# tutorial set, cutoffs 13.5 6.5 6.0, mixing_energy, 10-fold CV, meV/atom).
# cewb's folds are its own (seeded), not scikit-learn's, so the CV errors
# agree only to a few percent: 5% is the tolerance the figures are quoted
# with.  Counts of nonzero ECIs that a CV choice decides move by a few
# parameters with the folds; their tolerances are given case by case.
: "${top_srcdir:=.}" "${CEWB:=./cewb}"
cd "$top_srcdir" || exit 1
export HOME=/nonexistent
tmp=${TMPDIR:-/tmp}/cli_fit.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
i=0
ok() { i=$((i + 1)); if [ "$1" -eq 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }

LAT='load lattice examples/agpd/primitive.xyz --species Ag,Pd'
LOAD='load lattice examples/agpd/primitive.xyz --species Ag,Pd; space 13.5 6.5 6.0;
load structures examples/agpd/structures.xyz --target mixing_energy'

# num KEY: the first number after "KEY": on standard input.
num() { sed -n "s/.*\"$1\": \\(-\\{0,1\\}[0-9][0-9.e+-]*\\).*/\\1/p" | head -n 1; }
# near GOT WANT REL: |GOT - WANT| <= REL * |WANT|.
near() { awk -v g="$1" -v w="$2" -v r="$3" 'BEGIN { d = g - w; if (d < 0) d = -d;
	a = w < 0 ? -w : w; exit !(g != "" && d <= r * a) }'; }
# within GOT LO HI: LO <= GOT <= HI.
within() { awk -v g="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(g != "" && g >= lo && g <= hi) }'; }

# One run, one JSON document per line: 3 for loading, then one per command.
"$CEWB" --json -c "$LOAD" -c 'fit ols; validate ols; validate bayes;
fit ardr; validate ardr; fit ardr --standardize off;
fit lasso --standardize off --cv-folds 10; validate lasso --standardize off --cv-folds 10;
fit rfe --standardize off --cv-folds 10; validate rfe --standardize off --cv-folds 10' \
	>"$tmp/ref.json" 2>"$tmp/ref.err"
ok $? "Ag-Pd reference run"
line() { sed -n "$(($1 + 3))p" "$tmp/ref.json"; }
mev() { awk -v x="$1" 'BEGIN { if (x != "") printf "%.4f", 1000 * x }'; }

v=$(mev "$(line 1 | num rmse_train)")
near "$v" 1.60 0.05; ok $? "fit ols: rmse_train $v meV/atom within 5% of 1.60"
v=$(mev "$(line 2 | num rmse_validation)")
near "$v" 1.88 0.05; ok $? "validate ols: $v meV/atom within 5% of 1.88"
v=$(mev "$(line 3 | num rmse_validation)")
near "$v" 1.88 0.05; ok $? "validate bayes: $v meV/atom within 5% of 1.88"
# ARD on standardised columns (the default of ardr): 1.91 with 44 nonzero;
# the tutorial's ARDR: 1.89 with 44.  The count is a pruning decision at
# threshold 1e4: allow 44 +- 3.
v=$(line 4 | num n_nonzero)
within "$v" 41 47; ok $? "fit ardr: $v nonzero within 3 of 44"
v=$(mev "$(line 5 | num rmse_validation)")
near "$v" 1.91 0.05; ok $? "validate ardr: $v meV/atom within 5% of 1.91"
near "$v" 1.89 0.05; ok $? "validate ardr: $v meV/atom within 5% of the tutorial's 1.89"
v=$(line 6 | num n_nonzero)
[ "$v" = 6 ]; ok $? "fit ardr --standardize off: $v nonzero (reference 6)"
# LassoCV: alpha at the end of its grid, so the count is stable: 35 +- 2.
v=$(line 7 | num n_nonzero)
within "$v" 33 37; ok $? "fit lasso --standardize off: $v nonzero (LassoCV 35)"
v=$(mev "$(line 8 | num rmse_validation)")
near "$v" 2.23 0.05; ok $? "validate lasso --standardize off: $v meV/atom within 5% of 2.23"
# RFECV: the chosen size is flat near its optimum and depends on the inner
# folds (69 to 79 over fold seeds): allow 71 +- 10.
v=$(line 9 | num n_nonzero)
within "$v" 61 81; ok $? "fit rfe --standardize off: $v features (RFECV 71, +-10)"
v=$(mev "$(line 10 | num rmse_validation)")
near "$v" 1.85 0.05; ok $? "validate rfe --standardize off: $v meV/atom within 5% of 1.85"

# The JSON keys of DESIGN.md.
for k in method n_parameters n_nonzero rmse_train eci hyperparameters seconds; do
	line 1 | grep -q "\"$k\": "; ok $? "fit --json has \"$k\""
done
for k in method scheme folds repeat seed rmse_validation rmse_validation_std rmse_train \
	n_nonzero seconds; do
	line 2 | grep -q "\"$k\": "; ok $? "validate --json has \"$k\""
done

# The same seed gives the same folds for every method: validating one
# method alone or inside --compare gives the same figures, another seed
# other ones.
"$CEWB" --json -c "$LOAD" -c 'validate bayes --seed 7; validate --compare ols,bayes --seed 7;
validate bayes --seed 8' >"$tmp/seed.json" 2>&1
a=$(sed -n 4p "$tmp/seed.json" | num rmse_validation)
b=$(sed -n 5p "$tmp/seed.json" | sed 's/.*"method": "bayes"//' | num rmse_validation)
c=$(sed -n 6p "$tmp/seed.json" | num rmse_validation)
[ -n "$a" ] && [ "$a" = "$b" ]; ok $? "validate bayes alone and in --compare agree ($a, $b)"
[ -n "$c" ] && [ "$a" != "$c" ]; ok $? "another seed gives other splits ($a, $c)"

# Convergence: cutoff sets after the method and from every --cutoffs, in
# order, without a space of the session (8 Å pairs: 9 parameters; 10 6 5:
# 29; 13.5 6.5 6.0: 82, as 'space' gives them).
out=$("$CEWB" --json -c "$LAT; load structures examples/agpd/structures.xyz" \
	-c 'convergence ols 8 --cutoffs "10 6 5" --cutoffs=13.5,6.5,6.0' 2>&1 | tail -n 1)
v=$(printf '%s\n' "$out" | sed 's/"n_parameters": /\n/g' | sed -n '2,$p' | cut -d, -f1 | tr '\n' ' ')
[ "$v" = "9 29 82 " ]; ok $? "convergence over three cutoff sets: $v parameters"

# predict --map: relaxed structures are mapped first; a frame the mapping
# refuses gets its reason instead of a prediction, the others are predicted.
out=$("$CEWB" -c "$LAT; space 8 5; load structures examples/agpd/structures.xyz; fit bayes;
	predict tests/data/relaxed/agpd_relaxed.xyz --map" 2>&1)
r=$?
case "$out" in *"refused by the mapping: "*"rmse "*" meV/atom over "*) ;; *) r=1 ;; esac
ok $r "predict --map: refused frames named, the others predicted"
"$CEWB" -c "$LAT; space 8 5; load structures examples/agpd/structures.xyz; fit bayes;
	predict tests/data/relaxed/agpd_relaxed.xyz" >/dev/null 2>&1
[ $? -eq 1 ]; ok $? "predict without --map refuses a relaxed structure"

# Bad input: one line on stderr, exit 1.
# check NAME WANT-SUBSTRING COMMANDS
check() {
	name=$1 want=$2
	shift 2
	err=$("$CEWB" -c "$*" 2>&1 >/dev/null)
	rc=$?
	n=$(printf '%s\n' "$err" | wc -l)
	case "$err" in
	*"$want"*) [ "$rc" -eq 1 ] && [ "$n" -eq 1 ] ;;
	*) false ;;
	esac
	r=$?
	ok $r "$name"
	[ $r -eq 0 ] || echo "# exit $rc, stderr: $err"
}
SMALL="$LAT; space 13.5 6.5 6.0; load structures tests/data/fit/agpd12.xyz --target mixing_energy"
check "fit without a space" "fit: no cluster space" 'fit ols'
check "fit without structures" "fit: no training structures" "$LAT; space 8; fit ols"
check "fit without targets" "fit: the structures have no targets" \
	"$LAT; space 8; load structures tests/data/fit/agpd12_notarget.xyz; fit ols"
check "a structure without a target" \
	"fit: structure 12 (tests/data/fit/agpd12_notarget.xyz frame 0) has no finite target" \
	"$LAT; space 8; load structures tests/data/fit/agpd12.xyz;
	load structures tests/data/fit/agpd12_notarget.xyz; fit ols"
check "a NaN target is refused when loading" "is not a number" \
	"$LAT; space 8; load structures tests/data/fit/agpd_nan.xyz --target mixing_energy"
check "threshold 0" "fit: --threshold must be > 0" "$SMALL; fit ardr --threshold 0"
check "threshold < 0" "fit: --threshold must be > 0" "$SMALL; fit ardr --threshold -1e4"
check "sigma not positive definite" "not positive definite" \
	"$SMALL; fit gls --sigma tests/data/fit/sigma_not_pd.txt"
check "sigma of the wrong size" \
	"has 144 numbers; the covariance of 625 structures needs 390625" \
	"$LAT; space 8; load structures examples/agpd/structures.xyz --target mixing_energy;
	fit gls --sigma tests/data/fit/sigma12.txt"
check "sigma with weights" "gls takes --weights or --sigma, not both" \
	"$SMALL; fit gls --weights --sigma tests/data/fit/sigma12.txt"
check "eci without a fit" "eci: no fit" "$SMALL; eci"
check "two schemes" "validate: give one of --loo, --shuffle-split, --bootstrap" \
	"$SMALL; validate ols --loo --bootstrap 10"
check "too many folds" "folds must be between 2 and 12" "$SMALL; validate ols --folds 20"
check "learning curve beyond the training part" "learning-curve: --sizes: 0.95 gives" \
	"$SMALL; learning-curve ols --sizes 0.95"

# Documented warnings: fewer structures than parameters (rank-deficient X),
# and an iterative method stopped by --max-iter, keep a fit and say so.
out=$("$CEWB" -c "$SMALL; fit ols" 2>&1)
case "$out" in *"warning: fewer structures (12) than parameters (82)"*) r=0 ;; *) r=1 ;; esac
ok $r "fewer structures than parameters: a warning, minimum-norm fit"
out=$("$CEWB" -c "$LOAD; fit bayes --max-iter 1" 2>&1)
case "$out" in *"warning: bayesian ridge did not converge in 1 iterations"*) r=0 ;; *) r=1 ;; esac
ok $r "non-convergence: a warning"
out=$("$CEWB" --json -c "$LOAD; fit bayes --max-iter 1" 2>&1 | tail -n 1)
case "$out" in *'"converged": false'*'"warning": '*) r=0 ;; *) r=1 ;; esac
ok $r "non-convergence in JSON: converged false and a warning"

# A failed fit keeps the previous one.
out=$("$CEWB" -k -c "$SMALL; fit ols; fit ardr --threshold 0; eci --json" 2>/dev/null | tail -n 1)
case "$out" in *'"method": "ols"'*) r=0 ;; *) r=1 ;; esac
ok $r "a failed fit leaves the previous fit in place"

echo "1..$i"
