// SPDX-License-Identifier: MIT
/**
 * Disco's boot on the main thread: the shared tables for the VMs a configuration describes, the
 * placement of their vCPUs on the physical CPUs, and each VM's kernel loaded into its physical
 * memory (backed by machine pages on the node its first vCPU runs on).
 */
import type { MachineConfig } from '../shared/config.js';
import { MachineMemory } from '../shared/memory.js';
import { parseElf, ElfError } from '../exec/elf.js';
import { BOOTCMD_BYTES } from '../shared/bootcmd.js';
import { V, VState, VcpuTable } from './vcpu.js';

/** The memmap's physical page number for a special page (no physical page of the VM). */
const SPECIAL_PPN = 0xfffff;
import { L2Tlb } from './l2tlb.js';
import { Memmap } from './memmap.js';
import { Pmap } from './pmap.js';
import { Subnet } from './subnet.js';
import { VmCtl, resetVcpu, type DiscoShared, type VmSpec } from './disco.js';
import { DiscoStat } from './monitor.js';

/** The ksseg address at which the guest kernel sees its physical address 0. */
export const GUEST_KSEG = 0xc0000000 | 0;

export interface DiscoSetup {
  vms: VmSpec[];
  /** Each VM's kernel image (ELF linked in kseg0 at physical addresses, as the bare machine boots it). */
  kernels: Uint8Array[];
  /** a0..a3 of each VM's first vCPU. */
  bootArgs?: number[][];
  /** Each VM's boot command block (src/shared/bootcmd.ts), or null for the kernel's built-in init. */
  bootCommands?: (Uint8Array | null)[];
  consoleDir?: string | null;
  sliceInstructions?: number;
  /** The VM that reads the machine's console input (default the first). */
  inputVm?: number;
  /** NUMA page migration (numa.ts). */
  numa?: boolean;
}

export function setupDisco(cfg: MachineConfig, memory: MachineMemory, setup: DiscoSetup): DiscoShared {
  const cpus = cfg.nodes * cfg.cpusPerNode, pagesPerNode = (cfg.memPerNodeMB << 20) >>> 12;
  const firstVcpu: number[] = [];
  let total = 0;
  for (const vm of setup.vms) { firstVcpu.push(total); total += vm.vcpus; }
  // vCPUs in order over the physical CPUs: VM i's vCPUs on consecutive CPUs.
  const placement = Array.from({ length: total }, (_, id) => id % cpus);
  const vcpus = VcpuTable.create(total);
  const memmap = Memmap.create(cfg.nodes, pagesPerNode);
  const pmaps = setup.vms.map((vm, i) => Pmap.create(i, (vm.memMB << 20) >>> 12, memmap));
  const vmCtl = new Int32Array(new SharedArrayBuffer(setup.vms.length * VmCtl.WORDS * 4));
  setup.vms.forEach((vm, i) => {
    const first = firstVcpu[i];
    for (let k = 0; k < vm.vcpus; k++) {
      const b = (first + k) * V.WORDS;
      resetVcpu(vcpus.words, b, i, k, vm.memMB);
      vcpus.words[b + V.State] = VState.Off;
      const special = memmap.alloc(Math.floor(placement[first + k] / cfg.cpusPerNode), i, SPECIAL_PPN);
      if (special < 0) throw new Error('no machine memory left for the vCPUs\' special pages');
      vcpus.words[b + V.Special] = special;
      vcpus.words[b + V.Home] = placement[first + k];
    }
    vmCtl[i * VmCtl.WORDS + VmCtl.Vectors] = GUEST_KSEG;
    const node = Math.floor(placement[first] / cfg.cpusPerNode);
    const entry = loadGuest(setup.kernels[i], pmaps[i], memory, node, vm);
    const cmd = setup.bootCommands?.[i] ?? null;
    if (cmd !== null) copyIn(pmaps[i], memory, node, (vm.memMB << 20) - BOOTCMD_BYTES, cmd);
    const b = first * V.WORDS;
    vcpus.words[b + V.Pc] = entry;
    (setup.bootArgs?.[i] ?? []).forEach((v, j) => { vcpus.words[b + V.Regs + 4 + j] = v; });
    vcpus.words[b + V.State] = VState.Runnable;
  });
  return {
    vms: setup.vms, firstVcpu, placement,
    vcpus: vcpus.buffer, l2tlb: L2Tlb.create(total).buffer, memmap: memmap.buffer, pmaps: pmaps.map((p) => p.buffer),
    vmCtl: vmCtl.buffer as SharedArrayBuffer, stats: new SharedArrayBuffer((total + cpus) * DiscoStat.WORDS * 8),
    consoleDir: setup.consoleDir ?? null, sliceInstructions: setup.sliceInstructions ?? 2_000_000, inputVm: setup.inputVm ?? 0, numa: setup.numa ?? false,
    acks: new SharedArrayBuffer(cpus * 4), subnet: Subnet.create(setup.vms.length).buffer,
  };
}

/** Loads a kernel into a VM's physical memory; returns its entry as a ksseg address. */
function loadGuest(bytes: Uint8Array, pmap: Pmap, memory: MachineMemory, node: number, vm: VmSpec): number {
  const image = parseElf(bytes, 'kernel');
  for (const seg of image.segments) {
    const pa = seg.vaddr & 0x1fffffff;
    if (pa + seg.memsz > vm.memMB << 20) throw new ElfError(`segment at 0x${(seg.vaddr >>> 0).toString(16)} does not fit in the ${vm.memMB} MB of VM ${vm.name}`);
    copyIn(pmap, memory, node, pa, image.bytes.subarray(seg.offset, seg.offset + seg.filesz), seg.memsz);
  }
  return (GUEST_KSEG + (image.entry & 0x1fffffff)) | 0;
}

/** Writes bytes (then zeros up to `size`) into a VM's physical memory at pa, backing the pages on `node`. */
function copyIn(pmap: Pmap, memory: MachineMemory, node: number, pa: number, data: Uint8Array, size = data.length): void {
  for (let off = 0; off < size;) {
    const page = pmap.machinePage((pa + off) >>> 12, node, (m) => memory.fill(m * 4096, 4096, 0));
    if (page < 0) throw new Error('no machine memory left to load the VMs');
    const inPage = Math.min(size - off, 4096 - ((pa + off) & 0xfff));
    if (off < data.length) memory.writeBytes(page * 4096 + ((pa + off) & 0xfff), data.subarray(off, Math.min(data.length, off + inPage)));
    off += inPage;
  }
}
