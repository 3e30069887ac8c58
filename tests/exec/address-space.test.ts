// SPDX-License-Identifier: MIT
/** The user address space of `disco exec` and its TLB refill handler, on a bare CPU. */
import { describe, expect, it } from 'vitest';
import { C0, Exc, Tlb } from '../../src/node-worker/cpu/cp0.js';
import { Cpu } from '../../src/node-worker/cpu/cpu.js';
import { AddressSpace, Fault, Prot, Pte } from '../../src/exec/address-space.js';
import { SyscallError } from '../../src/exec/errno.js';
import { serviceTlbFault } from '../../src/exec/refill.js';
import { MachineMemory } from '../../src/shared/memory.js';

function setup(mb = 4): { cpu: Cpu; as: AddressSpace } {
  const cpu = new Cpu({ memory: new MachineMemory(mb << 20) });
  return { cpu, as: new AddressSpace(cpu.mem, cpu.mmu) };
}

describe('AddressSpace', () => {
  it('gives demand-zero pages on first touch and copies user memory in and out', () => {
    const { as } = setup();
    as.map(0x10000, 0x3000, Prot.R | Prot.W);
    expect(as.pt[0x10] & Pte.PRESENT).toBe(0);
    as.copyOut(0x10ffe, new Uint8Array([1, 2, 3, 4])); // across a page boundary
    expect(as.frames.used).toBe(2);
    expect([...as.copyIn(0x10ffc, 8)]).toEqual([0, 0, 1, 2, 3, 4, 0, 0]);
    expect(as.read32(0x10ffe)).toBe(0x01020304);
    as.write32(0x12000, -2);
    expect(as.read32(0x12000)).toBe(-2);
    as.copyOut(0x11800, new TextEncoder().encode('path\0'));
    expect(as.readCString(0x11800)).toBe('path');
  });

  it('fails with EFAULT outside mappings, and on writes to read-only pages', () => {
    const { as } = setup();
    as.map(0x10000, 0x1000, Prot.R);
    expect(() => as.copyIn(0x20000, 4)).toThrow(SyscallError);
    expect(() => as.copyIn(0x80000000, 4)).toThrow(SyscallError);
    expect(() => as.write32(0x10000, 1)).toThrow(SyscallError);
    expect(as.read32(0x10000)).toBe(0);
    as.copyOut(0x10000, new Uint8Array([9]), true); // the loader may
    expect(as.copyIn(0x10000, 1)[0]).toBe(9);
  });

  it('moves the break, keeping it off other mappings', () => {
    const { as } = setup();
    as.brkStart = as.brk = 0x500000;
    expect(as.setBrk(0x500123)).toBe(0x500123);
    as.write32(0x500000, 7);
    expect(as.setBrk(0x400000)).toBe(0x500123); // below the start: unchanged
    as.map(0x510000, 0x1000, Prot.R);
    expect(as.setBrk(0x520000)).toBe(0x500123); // would cover a mapping
    expect(as.setBrk(0x501000)).toBe(0x501000);
    expect(as.setBrk(0x500000)).toBe(0x500000);
    expect(as.pt[0x500]).toBe(0);
  });

  it('finds free ranges, protects, unmaps, and remaps in place or by moving frames', () => {
    const { as } = setup();
    const a = as.findFree(0x2000);
    as.map(a, 0x2000, Prot.R | Prot.W);
    as.write32(a + 0x1000, 0x1234);
    const b = as.findFree(0x1000);
    expect(b).toBe(a - 0x1000);
    as.map(b, 0x1000, Prot.R);
    const used = as.frames.used;
    expect(as.remap(b, 0x1000, 0x3000, false)).toBeLessThan(0); // `a` is in the way: ENOMEM
    expect(as.remap(a, 0x2000, 0x4000, false)).toBe(a); // grows in place
    expect(as.remap(a, 0x4000, 0x2000, false)).toBe(a); // shrinks in place
    as.map(a + 0x2000, 0x1000, Prot.R); // now it can only grow by moving
    const moved = as.remap(a, 0x2000, 0x10000, true);
    expect(moved).not.toBe(a);
    expect(as.read32(moved + 0x1000)).toBe(0x1234);
    expect(as.frames.used).toBe(used);
    expect(as.isFree(a, 0x2000)).toBe(true);
    expect(as.protect(moved, 0x1000, Prot.R)).toBe(true);
    expect(() => as.write32(moved, 1)).toThrow(SyscallError);
    expect(as.protect(0x1000, 0x1000, Prot.R)).toBe(false);
    as.unmap(moved, 0x10000);
    expect(as.frames.used).toBe(used - 1);
    expect(as.isFree(moved, 0x10000)).toBe(true);
  });
});

describe('TLB refill', () => {
  function fault(cpu: Cpu, va: number): void {
    cpu.cp0[C0.BadVAddr] = va;
    cpu.cp0[C0.EntryHi] = va & Tlb.VPN2_MASK;
  }

  it('writes both pages of the pair, valid only where present, dirty only where writable', () => {
    const { cpu, as } = setup();
    as.map(0x400000, 0x1000, Prot.R | Prot.X);
    as.map(0x401000, 0x1000, Prot.R | Prot.W);
    as.copyOut(0x400000, new Uint8Array([0x11]), true);
    fault(cpu, 0x401004);
    expect(serviceTlbFault(cpu, as, Exc.TLBS)).toBe(Fault.OK);
    const i = cpu.mmu.jtlb.probe(0x400000);
    expect(i).toBeGreaterThanOrEqual(0);
    const lo0 = cpu.mmu.jtlb.lo0[i], lo1 = cpu.mmu.jtlb.lo1[i];
    expect(lo0 & (Tlb.V | Tlb.D)).toBe(Tlb.V);
    expect(lo1 & (Tlb.V | Tlb.D)).toBe(Tlb.V | Tlb.D);
    expect((lo0 & Tlb.C_MASK) >>> Tlb.C_SHIFT).toBe(3);
    expect((lo1 >>> Tlb.PFN_SHIFT) << 12).toBe((as.pt[0x401] >>> Pte.FRAME_SHIFT) << 12);
  });

  it('rewrites the same entry when the pair is present (TLB Invalid), and refuses bad accesses', () => {
    const { cpu, as } = setup();
    as.map(0x600000, 0x2000, Prot.R | Prot.W);
    fault(cpu, 0x600000);
    serviceTlbFault(cpu, as, Exc.TLBL);
    const i = cpu.mmu.jtlb.probe(0x600000);
    expect(cpu.mmu.jtlb.lo1[i] & Tlb.V).toBe(0); // the odd page was never touched
    fault(cpu, 0x601000);
    expect(serviceTlbFault(cpu, as, Exc.TLBL)).toBe(Fault.OK);
    expect(cpu.mmu.jtlb.probe(0x600000)).toBe(i);
    expect(cpu.mmu.jtlb.lo1[i] & Tlb.V).toBe(Tlb.V);

    as.map(0x700000, 0x1000, Prot.R);
    fault(cpu, 0x700000);
    expect(serviceTlbFault(cpu, as, Exc.Mod)).toBe(Fault.ACCERR);
    as.map(0x702000, 0x1000, Prot.NONE);
    fault(cpu, 0x702000);
    expect(serviceTlbFault(cpu, as, Exc.TLBL)).toBe(Fault.ACCERR);
    fault(cpu, 0x704000);
    expect(serviceTlbFault(cpu, as, Exc.TLBL)).toBe(Fault.MAPERR);
  });

  it('maps demand-zero memory with large pages and drops smaller entries inside their range', () => {
    const { cpu, as } = setup(8);
    as.map(0x10000000, 0x200000, Prot.R | Prot.W);   // 2 MB: one pair of 1 MB pages
    cpu.mmu.jtlb.write(5, 0, 0x10000000, 0, 0);       // a stale 4 KB entry, both pages invalid
    fault(cpu, 0x10080000);
    expect(serviceTlbFault(cpu, as, Exc.TLBS)).toBe(Fault.OK);
    expect(as.frames.used).toBe(256);                 // one aligned 1 MB group of frames
    const i = cpu.mmu.jtlb.lookup(0x10000000, 0);
    expect(cpu.mmu.jtlb.mask[i]).toBe(0x1fe000);      // the large pair, not the stale entry
    expect(cpu.mmu.jtlb.lo0[i] & (Tlb.V | Tlb.D)).toBe(Tlb.V | Tlb.D);
    expect(cpu.mmu.jtlb.lo1[i] & Tlb.V).toBe(0);      // the odd megabyte is not touched yet
    expect(((cpu.mmu.jtlb.lo0[i] >>> Tlb.PFN_SHIFT) & 255)).toBe(0);
  });

  it('falls back to 4 KB pages where a group is not uniform', () => {
    const { cpu, as } = setup(8);
    as.map(0x20000000, 0x3000, Prot.R | Prot.W);      // three pages: no group fits
    fault(cpu, 0x20001000);
    expect(serviceTlbFault(cpu, as, Exc.TLBL)).toBe(Fault.OK);
    expect(as.frames.used).toBe(1);
    const i = cpu.mmu.jtlb.lookup(0x20001000, 0);
    expect(cpu.mmu.jtlb.mask[i]).toBe(0);
  });
});
