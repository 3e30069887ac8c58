#!/usr/bin/env bash
# Build the CPU benchmark programs (bench/programs/*.c):
#   build/bench/NAME        MIPS, mips-linux-gnu-gcc -O2 -static  (run by qemu-mips and disco)
#   build/bench/host/NAME   host, gcc -O2                           (native baseline)
# Idempotent: skips outputs newer than their source. Usage: bash bench/build.sh [-f]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="$ROOT/build/bench"
MIPS_CC="${MIPS_CC:-mips-linux-gnu-gcc}"
HOST_CC="${HOST_CC:-gcc}"
FORCE=0
[[ "${1:-}" == "-f" ]] && FORCE=1

for cc in "$MIPS_CC" "$HOST_CC"; do
  if ! command -v "$cc" >/dev/null 2>&1; then
    echo "bench/build.sh: ERROR: compiler '$cc' not found in PATH" >&2
    [[ "$cc" == "$MIPS_CC" ]] && echo "  Install: apt-get install gcc-mips-linux-gnu libc6-dev-mips-cross" >&2
    exit 2
  fi
done

mkdir -p "$OUT/host"
built=0
for src in "$HERE"/programs/*.c; do
  name="$(basename "$src" .c)"
  for target in mips host; do
    if [[ $target == mips ]]; then out="$OUT/$name"; cmd=("$MIPS_CC" -O2 -static);
    else out="$OUT/host/$name"; cmd=("$HOST_CC" -O2); fi
    if (( FORCE == 0 )) && [[ -x "$out" && "$out" -nt "$src" && "$out" -nt "${BASH_SOURCE[0]}" ]]; then continue; fi
    "${cmd[@]}" -Wall -o "$out.tmp" "$src" -lm
    mv -f "$out.tmp" "$out"
    built=$((built + 1))
  done
done
echo "bench/build.sh: built $built binaries (build/bench, build/bench/host)" >&2
