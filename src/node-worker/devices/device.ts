// SPDX-License-Identifier: MIT
/** A device register file: 32-bit registers at byte offsets; `cpu` is the global number of the accessing CPU. */
export interface Device {
  read32(offset: number, cpu: number): number;
  write32(offset: number, value: number, cpu: number): void;
}
