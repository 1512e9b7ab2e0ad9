#!/bin/sh
# setup.sh - set up cewb on a Debian machine and build it (idempotent).
#
#   ./setup.sh          install missing Debian packages, configure, build
#   ./setup.sh demo     ... then replay the Ag-Pd tutorial step by step
#                       (examples/tutorial-agpd.cewb) and stay at the prompt
#   ./setup.sh check    ... then run the whole test suite (make check)
#   ./setup.sh bench    ... then run the benchmarks (make bench)
#   ./setup.sh fuzz     ... also install clang, then run the fuzz targets (make fuzz)
set -e
cd "$(dirname "$0")"

PKGS="build-essential autoconf automake libtool pkg-config libgsl-dev
libsymspg-dev libreadline-dev libncurses-dev libjansson-dev liblapacke-dev
libopenblas-dev gnuplot-nox tmux valgrind"
# make fuzz needs clang and its libFuzzer runtime.
[ "${1:-}" = fuzz ] && PKGS="$PKGS clang libclang-rt-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
	./configure --quiet ${CEWB_CONFIGURE_FLAGS:-}
fi
make -j"$(nproc 2>/dev/null || echo 2)"

case "${1:-}" in
"") ;;
demo)
	# The Ag-Pd tutorial, one command at a time, in a working folder of its
	# own (the plots it writes stay out of this tree); then the prompt.
	top=$(pwd)
	w=${CEWB_DEMO_DIR:-${TMPDIR:-/tmp}/cewb-demo}
	mkdir -p "$w" && ln -sfn "$top/examples" "$w/examples"
	echo "setup: the Ag-Pd tutorial in $w: Enter runs the next command, q stops"
	cd "$w" && exec "$top/cewb" -i --replay examples/tutorial-agpd.cewb --step ;;
check) make -j"$(nproc 2>/dev/null || echo 2)" check ;;
bench) make bench ;;
fuzz) make fuzz ;;
*) echo "usage: ./setup.sh [demo|check|bench|fuzz]" >&2; exit 2 ;;
esac
