#!/usr/bin/env bash
# One command on a fresh machine: install and build everything, then run the main jobs: Disco
# with two VMs running two of the paper's workloads (`disco run`), a real gcc-compiled MIPS
# program under `disco exec`, the guest kernel booted on 4 nodes x 2 CPUs, and the coherence
# stress patterns with the invariant checker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash bench/build.sh >/dev/null

echo "== disco run: Disco on 4 nodes x 2 CPUs, two VMs running pmake and raytrace side by side =="
npx --no-install disco run
echo
echo "== disco exec: a static MIPS Linux program (integer benchmark) on one R10000 =="
npx --no-install disco exec --stats build/bench/intbench 100
echo
echo "== disco boot: the guest kernel on 4 nodes x 2 CPUs (boot messages on) =="
npx --no-install disco boot --nodes 4 --cpus-per-node 2 --args 1
echo
echo "== disco stress: coherence stress on 4 nodes x 2 CPUs, invariants checked =="
npx --no-install disco stress --nodes 4 --cpus-per-node 2 --check
