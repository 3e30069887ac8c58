// SPDX-License-Identifier: MIT
/**
 * The FLASH machine's physical address map. RAM is node 0's slice, then node 1's, and so on from
 * physical 0; node k's local memory is [k*M, (k+1)*M). The I/O window 0x1f000000-0x1fffffff
 * (kseg1 0xbf000000) holds the devices and shadows any RAM behind it. Registers are 32-bit.
 *
 *   0x1f000000 system: MP/IPI and power (registers in Sys)
 *   0x1f001000 console UART (Uart)
 *   0x1f002000 block device with DMA (Disk)
 *   0x1f010000 + node*0x100  node controller (NodeCtl)
 *   0x1f020000 + node*0x100  Ethernet port of each node (Ether)
 */
export const IO_BASE = 0x1f000000;
export const IO_END = 0x20000000;
export const SYS_BASE = 0x1f000000;
export const UART_BASE = 0x1f001000;
export const DISK_BASE = 0x1f002000;
export const NODECTL_BASE = 0x1f010000;
export const ETHER_BASE = 0x1f020000;
export const PER_NODE_STRIDE = 0x100;

/** System device registers (byte offsets). */
export const enum Sys {
  WhoAmI = 0x00, NCpus = 0x04, NNodes = 0x08, CpusPerNode = 0x0c, NodeId = 0x10, MemPerNode = 0x14,
  StartPc = 0x18, StartSp = 0x1c, StartArg = 0x20, StartCpu = 0x24,
  IpiSend = 0x28, IpiData = 0x2c, IpiClear = 0x30, Halt = 0x34, CyclesLo = 0x38, CyclesHi = 0x3c,
}

/**
 * Console UART registers. Rx reads the next input byte, or -1 when none is waiting. Status: bit 0
 * input waiting, bit 1 transmitter ready, bit 2 end of input (nothing waiting and none to come).
 * Input comes to node 0's UART; its line IP2 on CPU 0 is up while input waits or at end of input.
 */
export const enum Uart { Tx = 0x00, Rx = 0x04, Status = 0x08 }
export const enum UartStatus { RxReady = 1, TxReady = 2, RxEnd = 4 }

/** Block device registers: a request is Sector, Dma (physical), Count (512-byte sectors), then Cmd. */
export const enum Disk { Sector = 0x00, Dma = 0x04, Count = 0x08, Cmd = 0x0c, Status = 0x10, Ack = 0x14, Sectors = 0x18 }
export const enum DiskCmd { Read = 1, Write = 2 }
export const enum DiskStatus { Idle = 0, Done = 2, Error = 3 }

/** Node controller registers: FLASH's per-page, per-node miss counters and the hot-page interrupt. */
export const enum NodeCtl { HotPage = 0x00, HotNode = 0x04, Ack = 0x08, ResetPage = 0x0c, Threshold = 0x10 }

/**
 * Ethernet port registers. Send: TxDma, TxLen, TxDst (a port, or -1 for every other port), then
 * TxCmd; TxStatus reads Done or Busy (no free frame buffer yet: retry). Receive: RxDma and RxMax
 * name a buffer, RxCmd arms it; when a frame lands RxLen, RxSrc and RxStatus are set and the
 * Ether line is raised until Ack, which also disarms.
 */
export const enum Ether {
  MacId = 0x00, TxDma = 0x04, TxLen = 0x08, TxDst = 0x0c, TxCmd = 0x10, TxStatus = 0x14,
  RxDma = 0x18, RxMax = 0x1c, RxCmd = 0x20, RxLen = 0x24, RxSrc = 0x28, RxStatus = 0x2c, Ack = 0x30, Dropped = 0x34,
}
export const enum EtherStatus { Idle = 0, Done = 1, Busy = 2, Error = 3, Ready = 1 }
export const MAX_FRAME = 9216;

export function isIo(pa: number): boolean {
  return pa >= IO_BASE && pa < IO_END;
}
