#!/usr/bin/env bash
# Builds the Disco paper's workloads (guest/workloads, README.md there) into guest/images/workloads/
# as static glibc MIPS programs for the R10000: pmake, cc (the compiler pmake's jobs execve),
# engineering, raytrace, database. The binaries are committed so that booting them needs no cross
# toolchain; the build is reproducible (prefix maps, no build id, stripped), and `--check` rebuilds
# into a temporary folder and fails if any differs from the committed one.
# -D_FILE_OFFSET_BITS=64: readdir on 32-bit off_t fails with EOVERFLOW on hosts (qemu-user) whose
# directory offsets need 64 bits. -ffp-contract=off: no fused multiply-adds, so floating point is
# exactly what the C source says.
set -euo pipefail
cd "$(dirname "$0")"
command -v mips-linux-gnu-gcc >/dev/null || { echo "build-workloads: mips-linux-gnu-gcc is missing (apt-get install gcc-mips-linux-gnu)" >&2; exit 1; }
out=images/workloads
[ "${1:-}" = --check ] && out=$(mktemp -d)
mkdir -p "$out"
CFLAGS="-EB -march=r10000 -mabi=32 -O2 -static -pthread -D_FILE_OFFSET_BITS=64 -ffp-contract=off -Wall -Werror -ffile-prefix-map=$PWD=."
LDFLAGS="-Wl,--no-warn-mismatch -Wl,--build-id=none"
build() {   # NAME SOURCES... [EXTRA FLAGS]
  local name=$1; shift
  mips-linux-gnu-gcc $CFLAGS $LDFLAGS -o "$out/$name" "$@" -lm
  mips-linux-gnu-strip --strip-all -R .comment "$out/$name"
}
build cc workloads/cc.c
build pmake workloads/pmake.c workloads/cc.c -DCC_LIBRARY
build engineering workloads/engineering.c
build raytrace workloads/raytrace.c
build database workloads/database.c
if [ "${1:-}" = --check ]; then
  status=0
  for f in "$out"/*; do
    cmp -s "$f" "images/workloads/$(basename "$f")" || { echo "build-workloads: images/workloads/$(basename "$f") differs from a fresh build" >&2; status=1; }
  done
  [ "$(ls images/workloads | wc -l)" = "$(ls "$out" | wc -l)" ] || { echo "build-workloads: images/workloads/ holds other files than a fresh build" >&2; status=1; }
  rm -rf "$out"
  exit $status
fi
