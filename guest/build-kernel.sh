#!/usr/bin/env bash
# Builds the guest kernel (guest/kernel) into guest/images/kernel.elf (the bare machine's HAL,
# kernel/hal_bare.c) and guest/images/kernel-disco.elf (the same kernel with Disco's HAL,
# kernel/disco/hal_disco.c, and -DDISCO for head.S; `disco run` boots it): the first user program
# (kernel/user) is linked in kuseg and embedded; the kernel is linked in ksseg at 0xC0000000,
# flattened, and wrapped in an ELF whose program header loads it at kseg0 0x80000000 (physical
# 0), entry 0x80000200. The image is committed so `disco boot` needs no cross toolchain;
# `--check` rebuilds into a temporary folder and fails if the result differs from the committed one.
set -euo pipefail
cd "$(dirname "$0")"
command -v mips-linux-gnu-gcc >/dev/null || { echo "build-kernel: mips-linux-gnu-gcc is missing (apt-get install gcc-mips-linux-gnu)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=images check=0
[ "${1:-}" = --check ] && { out=$tmp; check=1; }
CFLAGS="-EB -march=r10000 -mabi=32 -mno-abicalls -fno-pic -fno-pie -G0 -O2 -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -nostdlib -Wall -Werror -ffile-prefix-map=$PWD=."
LDFLAGS="-static -no-pie -Wl,-z,max-page-size=0x1000 -Wl,--no-warn-mismatch -Wl,--build-id=none"
mips-linux-gnu-gcc $CFLAGS $LDFLAGS -Wl,-T,kernel/user/user.ld -o "$tmp/init.elf" kernel/user/start.S kernel/user/init.c
mips-linux-gnu-strip --strip-all -R .comment -R .MIPS.abiflags "$tmp/init.elf"
sources=$(LC_ALL=C ls kernel/*.c kernel/*.S | grep -v -e '/head.S$' -e '/initblob.S$' -e '/wrap.S$' -e '/hal_bare.c$')
# build NAME EXTRA-FLAGS HAL: links the kernel with that HAL, flattens it and wraps it as images/NAME.elf
build() {
  local name=$1 flags=$2 hal=$3 dir=$tmp/$1
  mkdir -p "$dir"
  mips-linux-gnu-gcc $CFLAGS $flags $LDFLAGS -Wl,-T,kernel/link.ld -Wa,-I,"$tmp" -o "$dir/kernel.full.elf" \
    kernel/head.S kernel/initblob.S $hal $sources -lgcc
  mips-linux-gnu-objcopy -O binary "$dir/kernel.full.elf" "$dir/kernel.bin"
  mips-linux-gnu-gcc $CFLAGS $LDFLAGS -Wl,-T,kernel/wrap.ld -Wa,-I,"$dir" -o "$out/$name.elf" kernel/wrap.S
  mips-linux-gnu-strip --strip-all -R .comment -R .MIPS.abiflags "$out/$name.elf" 2>/dev/null || true
  if [ "$check" = 1 ]; then
    cmp -s "$out/$name.elf" "images/$name.elf" || { echo "build-kernel: images/$name.elf differs from a fresh build" >&2; exit 1; }
  fi
}
build kernel "" kernel/hal_bare.c
build kernel-disco -DDISCO kernel/disco/hal_disco.c
