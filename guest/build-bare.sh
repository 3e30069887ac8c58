#!/usr/bin/env bash
# Builds the bare-metal guest programs (guest/bare/*.c except lib.c) into guest/images/NAME.elf.
# The images are committed so that `disco boot` and `disco stress` need no cross toolchain;
# `--check` rebuilds into a temporary folder and fails if any differs from the committed one.
set -euo pipefail
cd "$(dirname "$0")"
command -v mips-linux-gnu-gcc >/dev/null || { echo "build-bare: mips-linux-gnu-gcc is missing (apt-get install gcc-mips-linux-gnu)" >&2; exit 1; }
out=images
[ "${1:-}" = --check ] && out=$(mktemp -d)
CFLAGS="-EB -march=r10000 -mabi=32 -mno-abicalls -fno-pic -fno-pie -G0 -O2 -ffreestanding -fno-builtin -nostdlib -Wall -Werror"
LDFLAGS="-static -no-pie -Wl,-z,max-page-size=0x1000 -Wl,--no-warn-mismatch -Wl,--build-id=none -Wl,-T,bare/link.ld"
for src in bare/*.c; do
  name=$(basename "$src" .c)
  [ "$name" = lib ] && continue
  mips-linux-gnu-gcc $CFLAGS $LDFLAGS -o "$out/$name.elf" bare/start.S bare/lib.c "$src" -lgcc
  mips-linux-gnu-strip --strip-all -R .comment -R .MIPS.abiflags "$out/$name.elf" 2>/dev/null || true
done
if [ "${1:-}" = --check ]; then
  status=0
  for f in "$out"/*.elf; do
    cmp -s "$f" "images/$(basename "$f")" || { echo "build-bare: images/$(basename "$f") differs from a fresh build" >&2; status=1; }
  done
  rm -rf "$out"
  exit $status
fi
