// SPDX-License-Identifier: MIT
/**
 * One CPU's view of the node's I/O window (shared/physmap.ts): routes device registers to the
 * devices and tells the accessing CPU's number. Byte and halfword accesses address the
 * register's word; writes carry the low bits, reads return the addressed bytes of the register.
 */
import { DISK_BASE, ETHER_BASE, NODECTL_BASE, PER_NODE_STRIDE, SYS_BASE, UART_BASE, isIo } from '../shared/physmap.js';
import type { PhysicalBus } from './cpu/mmu.js';
import type { Device } from './devices/device.js';

export interface NodeDevices {
  readonly nodeId: number;
  readonly system: Device;
  readonly uart: Device;
  readonly disk: Device | null;
  readonly nodeCtl: Device;
  readonly ether: Device;
}

export class NodeBus implements PhysicalBus {
  constructor(private readonly devices: NodeDevices, private readonly cpu: number) {}

  private route(pa: number): Device | null {
    const page = pa & ~0xfff, d = this.devices;
    if (page === SYS_BASE) return d.system;
    if (page === UART_BASE) return d.uart;
    if (page === DISK_BASE) return d.disk;
    const block = pa & ~(PER_NODE_STRIDE - 1);
    if (block === NODECTL_BASE + d.nodeId * PER_NODE_STRIDE) return d.nodeCtl;
    if (block === ETHER_BASE + d.nodeId * PER_NODE_STRIDE) return d.ether;
    return null;
  }

  claims(pa: number): boolean {
    return isIo(pa) && this.route(pa) !== null;
  }

  read(pa: number, size: number): number {
    const word = this.route(pa)!.read32(registerOffset(pa), this.cpu);
    if (size === 4) return word;
    const shift = size === 2 ? (2 - (pa & 2)) * 8 : (3 - (pa & 3)) * 8;
    return (word >>> shift) & (size === 2 ? 0xffff : 0xff);
  }

  write(pa: number, _size: number, value: number): boolean {
    this.route(pa)!.write32(registerOffset(pa), value, this.cpu);
    return true;
  }
}

/** Register offset within the device's block (blocks are 0x100-aligned; system pages are 0x1000). */
function registerOffset(pa: number): number {
  return pa & 0xfc;
}
