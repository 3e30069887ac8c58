// SPDX-License-Identifier: MIT
/**
 * The block device ("SCSI disk"): 512-byte sectors of a host image file, moved by DMA to and
 * from machine memory. A request is Sector, Dma (physical address), Count, then Cmd; the
 * transfer completes at once, Status says Done or Error and the Disk interrupt line of the
 * requesting CPU is raised until it writes Ack.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { MachineMemory } from '../../shared/memory.js';
import { Disk, DiskCmd, DiskStatus } from '../../shared/physmap.js';
import type { Device } from './device.js';

export const SECTOR = 512;

export interface InterruptSink { raise(cpu: number, line: number): void; lower(cpu: number, line: number): void }

/** Told of every DMA write into machine memory, so the coherence model drops stale cached copies. */
export interface DmaSink { dmaWrote(pa: number, len: number): void }

export class DiskDevice implements Device {
  private fd = -1;
  private sectors = 0;
  private sector = 0;
  private dma = 0;
  private count = 0;
  private status = DiskStatus.Idle;
  private readonly buf = new Uint8Array(64 * SECTOR);

  constructor(path: string | null, private readonly mem: MachineMemory, private readonly irq: InterruptSink & DmaSink, private readonly line: number) {
    if (path !== null) {
      this.fd = openSync(path, 'r+');
      this.sectors = Math.floor(fstatSync(this.fd).size / SECTOR);
    }
  }

  read32(offset: number): number {
    switch (offset) {
      case Disk.Sector: return this.sector;
      case Disk.Dma: return this.dma;
      case Disk.Count: return this.count;
      case Disk.Status: return this.status;
      case Disk.Sectors: return this.sectors;
      default: return 0;
    }
  }

  write32(offset: number, value: number, cpu: number): void {
    switch (offset) {
      case Disk.Sector: this.sector = value >>> 0; break;
      case Disk.Dma: this.dma = value >>> 0; break;
      case Disk.Count: this.count = value >>> 0; break;
      case Disk.Cmd:
        this.status = this.transfer(value) ? DiskStatus.Done : DiskStatus.Error;
        this.irq.raise(cpu, this.line);
        break;
      case Disk.Ack: this.status = DiskStatus.Idle; this.irq.lower(cpu, this.line); break;
    }
  }

  private transfer(cmd: number): boolean {
    if (this.fd < 0 || (cmd !== DiskCmd.Read && cmd !== DiskCmd.Write)) return false;
    if (this.sector + this.count > this.sectors || this.dma + this.count * SECTOR > this.mem.size) return false;
    for (let done = 0; done < this.count;) {
      const n = Math.min(this.count - done, this.buf.length / SECTOR), bytes = n * SECTOR;
      const pos = (this.sector + done) * SECTOR, pa = this.dma + done * SECTOR;
      if (cmd === DiskCmd.Read) {
        readSync(this.fd, this.buf, 0, bytes, pos);
        this.mem.writeBytes(pa, this.buf.subarray(0, bytes));
        this.irq.dmaWrote(pa, bytes);
      } else {
        this.mem.readBytes(pa, bytes, this.buf);
        writeSync(this.fd, this.buf, 0, bytes, pos);
      }
      done += n;
    }
    return true;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
