#!/usr/bin/env bash
# Build the differential-test corpus (guest/tests/*.c) for the emulated MIPS machine.
#
# Each program is built twice:
#   build/guest-tests/r2/NAME    -O2 -static                      (MIPS32r2, the toolchain default)
#   build/guest-tests/r10k/NAME  -O2 -static -march=r10000 ...     (MIPS IV code for the R10000)
#
# Idempotent: an output is rebuilt only when it is missing or older than its
# source (or than this script).  Usage: bash guest/build-tests.sh [-f]  (-f forces a rebuild)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SRC_DIR="$HERE/tests"
OUT_DIR="$ROOT/build/guest-tests"
CC="${MIPS_CC:-mips-linux-gnu-gcc}"
FORCE=0
[[ "${1:-}" == "-f" ]] && FORCE=1

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "build-tests.sh: ERROR: cross compiler '$CC' not found in PATH." >&2
  echo "  Install the Debian cross toolchain: apt-get install gcc-mips-linux-gnu libc6-dev-mips-cross" >&2
  exit 2
fi

# Warning flags only; the truncations they would flag are deliberate in the tests.
COMMON=(-O2 -static -Wall -Wno-unused-result -Wno-format-truncation -Wno-stringop-truncation)
declare -A VARIANT_FLAGS=(
  [r2]=""
  [r10k]="-march=r10000 -Wl,--no-warn-mismatch"
)

shopt -s nullglob
sources=("$SRC_DIR"/*.c)
if (( ${#sources[@]} == 0 )); then
  echo "build-tests.sh: ERROR: no sources in $SRC_DIR" >&2
  exit 2
fi

built=0; skipped=0; failed=0
for variant in r2 r10k; do
  mkdir -p "$OUT_DIR/$variant"
  # shellcheck disable=SC2206
  vflags=(${VARIANT_FLAGS[$variant]})
  for src in "${sources[@]}"; do
    name="$(basename "$src" .c)"
    out="$OUT_DIR/$variant/$name"
    if (( FORCE == 0 )) && [[ -x "$out" && "$out" -nt "$src" && "$out" -nt "${BASH_SOURCE[0]}" ]]; then
      skipped=$((skipped + 1))
      continue
    fi
    if "$CC" "${COMMON[@]}" "${vflags[@]}" -o "$out.tmp" "$src" -lm; then
      mv -f "$out.tmp" "$out"
      built=$((built + 1))
    else
      rm -f "$out.tmp"
      echo "build-tests.sh: ERROR: failed to build $variant/$name" >&2
      failed=$((failed + 1))
    fi
  done
done

echo "build-tests.sh: built $built, up to date $skipped, failed $failed (output in build/guest-tests/{r2,r10k})"
(( failed == 0 ))
