// SPDX-License-Identifier: MIT
/**
 * The VMs of a `disco run` configuration: `{"machine": {...}, "vms": [{"name", "vcpus", "memMB",
 * "disk", "kernel", "argv", "env", "cwd"}]}`. Every problem is named, all at once.
 */
import { accessSync, constants } from 'node:fs';
import { resolve, dirname } from 'node:path';
import type { MachineConfig } from '../shared/config.js';
import { ConfigError } from '../shared/config.js';

export interface VmConfig {
  name: string;
  vcpus: number;
  memMB: number;
  /** Root file-system image (made by `disco mkfs`), or null. */
  disk: string | null;
  /** Guest kernel image, or null for the shipped Disco build of the guest kernel. */
  kernel: string | null;
  /** The program init runs and its arguments; empty: the kernel's built-in init. */
  argv: string[];
  env: string[];
  cwd: string;
}

const FIELDS = new Set(['name', 'vcpus', 'memMB', 'disk', 'kernel', 'argv', 'env', 'cwd']);
/** The guest's ksseg window ends where Disco maps the special page. */
export const MAX_VM_MB = 511;

/** Validates the "vms" array; paths are relative to the configuration file's folder. */
export function parseVms(json: unknown, machine: MachineConfig, file: string | null): VmConfig[] {
  const problems: string[] = [];
  const base = file === null ? process.cwd() : dirname(resolve(file));
  if (!Array.isArray(json) || json.length === 0) throw new ConfigError(['"vms" must be a non-empty array of VM descriptions']);
  const names = new Set<string>();
  const vms: VmConfig[] = [];
  json.forEach((raw: unknown, i) => {
    const at = `vms[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) { problems.push(`${at}: must be an object`); return; }
    const o = raw as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!FIELDS.has(k)) problems.push(`${at}: unknown field "${k}"`);
    const name = o.name ?? `vm${i}`;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,32}$/.test(name)) problems.push(`${at}.name: 1-32 letters, digits, '.', '_' or '-'`);
    else if (names.has(name)) problems.push(`${at}.name: "${name}" is used twice`);
    else names.add(name);
    const vcpus = o.vcpus ?? 1, memMB = o.memMB ?? 32;
    if (!Number.isInteger(vcpus) || (vcpus as number) < 1 || (vcpus as number) > 64) problems.push(`${at}.vcpus: an integer from 1 to 64`);
    if (!Number.isInteger(memMB) || (memMB as number) < 4 || (memMB as number) > MAX_VM_MB) problems.push(`${at}.memMB: an integer from 4 to ${MAX_VM_MB}`);
    const path = (key: string): string | null => {
      const v = o[key];
      if (v === undefined || v === null) return null;
      if (typeof v !== 'string' || v === '') { problems.push(`${at}.${key}: must be a file path`); return null; }
      const p = resolve(base, v);
      try { accessSync(p, key === 'disk' ? constants.R_OK | constants.W_OK : constants.R_OK); } catch { problems.push(`${at}.${key}: cannot open ${v}`); }
      return p;
    };
    const strings = (key: string, check: (s: string) => boolean, what: string): string[] => {
      const v = o[key];
      if (v === undefined) return [];
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && check(s))) { problems.push(`${at}.${key}: must be an array of ${what}`); return []; }
      return v as string[];
    };
    const argv = strings('argv', (s) => !s.includes('\0'), 'strings');
    const env = strings('env', (s) => /^[^=\0]+=[^\0]*$/.test(s), '"NAME=VALUE" strings');
    const cwd = o.cwd ?? '/';
    if (typeof cwd !== 'string' || !cwd.startsWith('/')) problems.push(`${at}.cwd: an absolute path`);
    vms.push({ name: String(name), vcpus: vcpus as number, memMB: memMB as number, disk: path('disk'), kernel: path('kernel'), argv, env, cwd: String(cwd) });
  });
  const machineMB = machine.nodes * machine.memPerNodeMB;
  const wanted = vms.reduce((s, v) => s + v.memMB, 0);
  if (problems.length === 0 && wanted > machineMB) problems.push(`the VMs want ${wanted} MB but the machine has ${machineMB} MB (nodes x memPerNodeMB)`);
  if (problems.length > 0) throw new ConfigError(problems);
  return vms;
}
