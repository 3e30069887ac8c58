// SPDX-License-Identifier: MIT
/** The machine flags that `disco boot`, `disco stress` and `disco run` share, and the config they build. */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { makeConfig, type MachineConfig } from '../shared/config.js';

export interface MachineFlags {
  config?: string;
  nodes?: number;
  cpusPerNode?: number;
  memPerNode?: number;
  quantum?: number;
  topology?: string;
  hotPageThreshold?: number;
  clock?: number;
  deterministic?: boolean;
  functional?: boolean;
  sequentialConsistency?: boolean;
}

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
};

export function addMachineOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'machine configuration (JSON); flags override it')
    .option('--nodes <n>', 'FLASH nodes, 1-32', int)
    .option('--cpus-per-node <n>', 'R10000 processors per node, 1-4', int)
    .option('--mem-per-node <MB>', 'local memory per node in MB', int)
    .option('--quantum <cycles>', 'simulated cycles between node barriers', int)
    .option('--topology <name>', 'interconnect topology: mesh or hypercube')
    .option('--hot-page-threshold <misses>', 'misses to a page from one node that raise the hot-page interrupt', int)
    .option('--clock <MHz>', 'CPU clock in MHz', int)
    .option('--deterministic', 'run every node in one thread, round robin (identical results run after run)')
    .option('--functional', 'turn the cache and coherence timing model off')
    .option('--sequential-consistency', 'make every guest store a sequentially consistent atomic store');
}

/** The configuration: defaults, then the JSON file (its "machine" object if it has one), then flags. */
export function configFrom(f: MachineFlags, base: Record<string, unknown> = {}): MachineConfig {
  let json: unknown;
  if (f.config !== undefined) {
    let text: string;
    try { text = readFileSync(f.config, 'utf8'); } catch (e) { throw new Error(`${f.config}: ${(e as Error).message}`); }
    try { json = JSON.parse(text); } catch (e) { throw new Error(`${f.config}: not valid JSON (${(e as Error).message})`); }
    if (json !== null && typeof json === 'object' && 'machine' in json) json = (json as { machine: unknown }).machine;
  }
  const flags: Record<string, unknown> = {
    nodes: f.nodes, cpusPerNode: f.cpusPerNode, memPerNodeMB: f.memPerNode, quantumCycles: f.quantum,
    topology: f.topology, hotPageThreshold: f.hotPageThreshold, clockMHz: f.clock,
    deterministic: f.deterministic, sequentialConsistency: f.sequentialConsistency,
    coherence: f.functional ? false : undefined,
  };
  return makeConfig(base, json, flags);
}
