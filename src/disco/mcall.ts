// SPDX-License-Identifier: MIT
/**
 * Monitor calls (Disco paper, section 4.2.4): the guest kernel's Disco drivers pass a whole
 * request to the monitor in one trap — `syscall` executed in supervisor mode, call number in v0,
 * arguments in a0..a3, result in v0. Guest physical addresses are translated page by page
 * through the pmap, so a request can reach only the VM's own memory; a bad argument is an
 * error result (-1), never a fault of the monitor.
 */
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeAllSync } from '../shared/io.js';
import { V } from './vcpu.js';
import type { DiscoNode } from './disco.js';
import type { PhysCpu } from './monitor.js';
import { SUBNET_MTU } from './subnet.js';

export const enum Mcall {
  /** a0: 0 this vCPU's index, 1 the VM's vCPUs, 2 its memory in bytes. */
  Info = 1,
  /** Console output: a0 guest physical address, a1 length. */
  ConsoleWrite = 2,
  DiskSectors = 3,
  /** a0 sector, a1 guest physical address, a2 sectors: DMA through the pmap. */
  DiskRead = 4,
  DiskWrite = 5,
  /** Raise the IPI line of vCPU a0. */
  Ipi = 6,
  IpiAck = 7,
  /** Start vCPU a0 at pc a1 with sp a2 and a0 = a3. */
  Start = 8,
  /** The VM powers off with status a0. */
  Halt = 9,
  /** Forget every translation of this vCPU (the HAL's whole-TLB flush). */
  TlbFlush = 10,
  /** The guest's exception vectors are at a0 (the ksseg address of its physical 0). */
  SetVectors = 11,
  /** Take a pending interrupt now (the guest enabled interrupts on its special page). */
  Irq = 12,
  /** The guest's pages whose physical addresses are the a1 words at physical a0 (at most 1024) are free: their contents may go (the next touch reads zeros). */
  FreePages = 13,
  /** The virtual subnet: send a1 bytes at physical a2 to VM a0 (-1: all others); 0, 1 (queues full), -1. */
  EtherSend = 14,
  /** The next frame for this VM into physical a0 (at most a1 bytes): (source VM << 16) | length, or -1. */
  EtherRecv = 15,
  /** The next byte of console input (the machine's, which goes to one VM: `disco run --input`): a byte, -1 none yet, -2 ended. */
  ConsoleRead = 16,
}

const IPI_LINE = 1 << 11;
const SECTOR = 512;

/** One VM's console: whole lines, prefixed with its name on stdout, or appended to DIR/NAME.log. */
export class VmConsole {
  private pending: number[] = [];
  private readonly file: string | null;

  constructor(private readonly name: string, dir: string | null) {
    this.file = dir === null ? null : join(dir, `${name}.log`);
    if (dir !== null) mkdirSync(dir, { recursive: true });
  }

  write(bytes: Uint8Array): void {
    for (const b of bytes) {
      this.pending.push(b);
      if (b === 10) this.flush();
    }
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const line = Uint8Array.from(this.pending);
    this.pending = [];
    if (this.file !== null) appendFileSync(this.file, line);
    else writeAllSync(1, Buffer.concat([Buffer.from(`${this.name}: `), line]));
  }
}

/** A VM's disk as one worker opens it. */
const disks = new Map<string, { fd: number; sectors: number }>();
function openDisk(path: string): { fd: number; sectors: number } {
  let d = disks.get(path);
  if (d === undefined) {
    const fd = openSync(path, 'r+');
    d = { fd, sectors: Math.floor(fstatSync(fd).size / SECTOR) };
    disks.set(path, d);
  }
  return d;
}

export function closeDisks(): void {
  for (const d of disks.values()) closeSync(d.fd);
  disks.clear();
}

export function monitorCall(d: DiscoNode, p: PhysCpu, epc: number): void {
  const cpu = p.cpu, r = cpu.regs, w = d.vcpus.words, b = p.vcpuBase;
  const vm = w[b + V.Vm], spec = d.shared.vms[vm];
  const a0 = r[4], a1 = r[5], a2 = r[6], a3 = r[7];
  let ret = 0;
  switch (r[2]) {
    case Mcall.Info: ret = a0 === 0 ? w[b + V.Index] : a0 === 1 ? spec.vcpus : a0 === 2 ? spec.memMB << 20 : -1; break;
    case Mcall.ConsoleWrite: {
      const bytes = copyOut(d, p, vm, a0, a1);
      if (bytes === null) { ret = -1; break; }
      d.consoles[vm].write(bytes);
      ret = a1;
      break;
    }
    case Mcall.DiskSectors: ret = spec.disk === null ? 0 : openDisk(spec.disk).sectors; break;
    case Mcall.DiskRead: case Mcall.DiskWrite: ret = diskTransfer(d, p, vm, r[2] === Mcall.DiskWrite, a0 >>> 0, a1 >>> 0, a2 >>> 0); break;
    case Mcall.Ipi:
      if ((a0 >>> 0) >= spec.vcpus) { ret = -1; break; }
      d.post(cpu, d.shared.firstVcpu[vm] + a0, IPI_LINE);
      break;
    case Mcall.IpiAck: Atomics.and(w, b + V.PendingIp, ~IPI_LINE); break;
    case Mcall.Start: ret = d.startVcpu(cpu, vm, a0, a1, a2, a3) ? 0 : -1; break;
    case Mcall.Halt: d.haltVm(cpu, vm, a0 & 0xff, false); p.retire(); return;
    case Mcall.TlbFlush: p.flushTlb(); break;
    case Mcall.SetVectors: // page aligned, in the ksseg window below the special page
      if ((a0 & 0xfff) !== 0 || (a0 >>> 0) < 0xc0000000 || (a0 >>> 0) >= 0xdfffe000) { ret = -1; break; }
      d.setVectors(vm, a0);
      break;
    case Mcall.Irq: break; // the way back delivers it
    case Mcall.ConsoleRead: ret = d.consoleRead(vm); break;
    case Mcall.FreePages: {
      const list = a1 >= 0 && a1 <= 1024 ? copyOut(d, p, vm, a0, 4 * a1) : null;
      const ppns: number[] = [];
      for (let i = 0; list !== null && i < a1; i++) ppns.push(((list[4 * i] << 24) | (list[4 * i + 1] << 16) | (list[4 * i + 2] << 8) | list[4 * i + 3]) >>> 12);
      ret = list !== null && d.freePages(p, vm, ppns) ? 0 : -1;
      break;
    }
    case Mcall.EtherSend: {
      const frame = a1 >= 0 && a1 <= SUBNET_MTU ? copyOut(d, p, vm, a2, a1) : null;
      ret = frame === null ? -1 : d.subnet.send(vm, a0, frame);
      break;
    }
    case Mcall.EtherRecv: {
      const got = d.subnet.receive(vm, frameBuf);
      if (got === null) { ret = -1; break; }
      const n = Math.min(got[1], Math.max(0, a1));
      ret = copyIn(d, p, vm, a0, frameBuf.subarray(0, n)) ? (got[0] << 16) | n : -1;
      break;
    }
    default: ret = -1;
  }
  r[2] = ret;
  p.returnFromCall(epc);
}

const frameBuf = new Uint8Array(SUBNET_MTU);

/** Copies bytes into guest physical memory at pa (false: outside the VM). */
function copyIn(d: DiscoNode, p: PhysCpu, vm: number, pa: number, bytes: Uint8Array): boolean {
  for (let done = 0; done < bytes.length;) {
    const ma = d.machineAddress(p, vm, (pa + done) >>> 0, true);
    if (ma < 0) return false;
    const n = Math.min(bytes.length - done, 4096 - (ma & 0xfff));
    d.node.memory.writeBytes(ma, bytes.subarray(done, done + n));
    done += n;
  }
  return true;
}

/** Copies len bytes of guest physical memory out (null: outside the VM). */
function copyOut(d: DiscoNode, p: PhysCpu, vm: number, pa: number, len: number): Uint8Array | null {
  if (len < 0 || len > 1 << 20) return null;
  const out = new Uint8Array(len), mem = d.node.memory;
  for (let done = 0; done < len;) {
    const ma = d.machineAddress(p, vm, (pa + done) >>> 0, false);
    if (ma < 0) return null;
    const n = Math.min(len - done, 4096 - (ma & 0xfff));
    for (let i = 0; i < n; i++) out[done + i] = mem.u8[(ma + i) ^ 3];
    done += n;
  }
  return out;
}

/** Disk DMA between the VM's disk and its physical memory, page by page through the pmap. */
function diskTransfer(d: DiscoNode, p: PhysCpu, vm: number, write: boolean, sector: number, pa: number, count: number): number {
  const path = d.shared.vms[vm].disk;
  if (path === null) return -1;
  const disk = openDisk(path);
  if (sector + count > disk.sectors || count > 1 << 16) return -1;
  const mem = d.node.memory, buf = Buffer.alloc(4096);
  for (let done = 0; done < count * SECTOR;) {
    const ma = d.machineAddress(p, vm, (pa + done) >>> 0, !write);
    if (ma < 0) return -1;
    const n = Math.min(count * SECTOR - done, 4096 - (ma & 0xfff)), pos = sector * SECTOR + done;
    if (write) {
      mem.readBytes(ma, n, buf);
      writeSync(disk.fd, buf, 0, n, pos);
    } else {
      readSync(disk.fd, buf, 0, n, pos);
      mem.writeBytes(ma, buf.subarray(0, n));
      d.node.dmaWrote(ma, n);
    }
    done += n;
  }
  return 0;
}
