// SPDX-License-Identifier: MIT
/**
 * The machine configuration: one typed description of the FLASH machine, validated once with
 * errors that name each bad field. Loaded from JSON and overridden by command-line flags.
 */

export type Topology = 'mesh' | 'hypercube';

export interface CacheConfig {
  /** Per-CPU unified secondary cache. */
  sizeKB: number;
  ways: number;
  lineBytes: number;
}

export interface LatencyConfig {
  /** Minimum local and remote miss latencies, and the cost of each interconnect hop. */
  localNs: number;
  remoteNs: number;
  perHopNs: number;
}

export interface MachineConfig {
  nodes: number;
  cpusPerNode: number;
  memPerNodeMB: number;
  cache: CacheConfig;
  clockMHz: number;
  latency: LatencyConfig;
  topology: Topology;
  /** Simulated cycles a node runs before meeting the others at the barrier. */
  quantumCycles: number;
  /** Misses to one page from one node that raise the hot-page interrupt. */
  hotPageThreshold: number;
  /** The cache and coherence timing model; off is the functional mode. */
  coherence: boolean;
  /** All nodes in one thread, round robin: identical results run after run. */
  deterministic: boolean;
  /**
   * Every guest store is a sequentially consistent atomic store, so the machine is SC across host
   * threads like the R10000. Off, ordering is the host's (TSO on x86) with SYNC a full fence.
   */
  sequentialConsistency: boolean;
}

export const DEFAULT_CONFIG: Readonly<MachineConfig> = Object.freeze({
  nodes: 1,
  cpusPerNode: 1,
  memPerNodeMB: 64,
  cache: Object.freeze({ sizeKB: 1024, ways: 2, lineBytes: 128 }),
  clockMHz: 200,
  latency: Object.freeze({ localNs: 300, remoteNs: 900, perHopNs: 50 }),
  topology: 'mesh' as Topology,
  quantumCycles: 100_000,
  hotPageThreshold: 64,
  coherence: true,
  deterministic: false,
  sequentialConsistency: false,
}) as MachineConfig;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`bad machine configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

type Overrides = { [K in keyof MachineConfig]?: MachineConfig[K] extends object ? Partial<MachineConfig[K]> : MachineConfig[K] };

/** Merges overrides (from JSON, then flags) over the defaults and validates the result. */
export function makeConfig(...layers: unknown[]): MachineConfig {
  const problems: string[] = [];
  const cfg: MachineConfig = { ...DEFAULT_CONFIG, cache: { ...DEFAULT_CONFIG.cache }, latency: { ...DEFAULT_CONFIG.latency } };
  for (const layer of layers) {
    if (layer === undefined || layer === null) continue;
    if (typeof layer !== 'object' || Array.isArray(layer)) { problems.push('configuration must be a JSON object'); continue; }
    merge(cfg, layer as Overrides, problems);
  }
  validate(cfg, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return cfg;
}

const KEYS: ReadonlySet<string> = new Set(Object.keys(DEFAULT_CONFIG));

function merge(cfg: MachineConfig, o: Overrides, problems: string[]): void {
  for (const [key, value] of Object.entries(o)) {
    if (value === undefined) continue;
    if (!KEYS.has(key)) { problems.push(`unknown field "${key}"`); continue; }
    if (key === 'cache' || key === 'latency') {
      if (typeof value !== 'object' || value === null) { problems.push(`"${key}" must be an object`); continue; }
      const target = cfg[key] as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(value)) {
        if (!(k in target)) problems.push(`unknown field "${key}.${k}"`);
        else target[k] = v;
      }
    } else (cfg as unknown as Record<string, unknown>)[key] = value;
  }
}

function validate(c: MachineConfig, p: string[]): void {
  int(p, 'nodes', c.nodes, 1, 32);
  int(p, 'cpusPerNode', c.cpusPerNode, 1, 4);
  int(p, 'memPerNodeMB', c.memPerNodeMB, 1, 1024);
  if (Number.isInteger(c.nodes) && Number.isInteger(c.memPerNodeMB) && c.nodes * c.memPerNodeMB > 1536) {
    p.push(`machine memory nodes*memPerNodeMB = ${c.nodes * c.memPerNodeMB} MB exceeds 1536 MB`);
  }
  int(p, 'cache.sizeKB', c.cache.sizeKB, 1, 16384);
  int(p, 'cache.ways', c.cache.ways, 1, 16);
  int(p, 'cache.lineBytes', c.cache.lineBytes, 16, 4096);
  pow2(p, 'cache.lineBytes', c.cache.lineBytes);
  if (Number.isInteger(c.cache.sizeKB) && Number.isInteger(c.cache.ways) && Number.isInteger(c.cache.lineBytes)) {
    const sets = (c.cache.sizeKB * 1024) / (c.cache.ways * c.cache.lineBytes);
    if (!Number.isInteger(sets) || (sets & (sets - 1)) !== 0) p.push(`cache geometry gives ${sets} sets; it must be a power of two`);
  }
  num(p, 'clockMHz', c.clockMHz, 1, 10000);
  num(p, 'latency.localNs', c.latency.localNs, 0, 1e6);
  num(p, 'latency.remoteNs', c.latency.remoteNs, 0, 1e6);
  num(p, 'latency.perHopNs', c.latency.perHopNs, 0, 1e6);
  if (c.topology !== 'mesh' && c.topology !== 'hypercube') p.push(`topology must be "mesh" or "hypercube", not ${JSON.stringify(c.topology)}`);
  if (c.topology === 'hypercube' && Number.isInteger(c.nodes) && (c.nodes & (c.nodes - 1)) !== 0) p.push(`a hypercube needs a power-of-two node count, not ${c.nodes}`);
  int(p, 'quantumCycles', c.quantumCycles, 100, 1e9);
  int(p, 'hotPageThreshold', c.hotPageThreshold, 1, 1e9);
  if (typeof c.coherence !== 'boolean') p.push('coherence must be true or false');
  if (typeof c.deterministic !== 'boolean') p.push('deterministic must be true or false');
  if (typeof c.sequentialConsistency !== 'boolean') p.push('sequentialConsistency must be true or false');
}

function num(p: string[], name: string, v: unknown, lo: number, hi: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) p.push(`${name} must be a number, not ${JSON.stringify(v)}`);
  else if (v < lo || v > hi) p.push(`${name} must be between ${lo} and ${hi}, not ${v}`);
}

function int(p: string[], name: string, v: unknown, lo: number, hi: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v)) p.push(`${name} must be an integer, not ${JSON.stringify(v)}`);
  else if (v < lo || v > hi) p.push(`${name} must be between ${lo} and ${hi}, not ${v}`);
}

function pow2(p: string[], name: string, v: number): void {
  if (Number.isInteger(v) && v > 0 && (v & (v - 1)) !== 0) p.push(`${name} must be a power of two, not ${v}`);
}

/** Interconnect hops between two nodes: Manhattan distance on a near-square 2D mesh, or Hamming distance on a hypercube. */
export function hops(cfg: MachineConfig, a: number, b: number): number {
  if (cfg.topology === 'hypercube') {
    let x = a ^ b, n = 0;
    while (x !== 0) { n += x & 1; x >>>= 1; }
    return n;
  }
  const w = Math.ceil(Math.sqrt(cfg.nodes));
  return Math.abs((a % w) - (b % w)) + Math.abs(Math.floor(a / w) - Math.floor(b / w));
}
