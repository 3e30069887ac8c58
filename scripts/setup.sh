#!/usr/bin/env bash
# Installs what Disco-on-FLASH needs on a fresh Debian machine and builds it:
# the MIPS cross toolchain and qemu-mips (guest programs and differential tests), the host's C
# compiler (native references for what qemu-mips cannot show), npm packages, and the TypeScript
# build.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=0
for tool in mips-linux-gnu-gcc mips-linux-gnu-as qemu-mips gcc; do
  command -v "$tool" >/dev/null 2>&1 || missing=1
done
if [ "$missing" = 1 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "setup: installing gcc-mips-linux-gnu, binutils-mips-linux-gnu, qemu-user, gcc" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    gcc-mips-linux-gnu binutils-mips-linux-gnu qemu-user gcc libc6-dev >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build
