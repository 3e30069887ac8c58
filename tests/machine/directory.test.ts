// MESI transitions at the directory, miss classes and latencies, eviction, hot pages, and the
// invariant checker catching a deliberately broken protocol.
import { describe, it, expect } from 'vitest';
import { CacheController, coherenceLayout } from '../../src/node-worker/directory.js';
import { makeConfig } from '../../src/shared/config.js';
import { Stat } from '../../src/shared/layout.js';

function machine(overrides: object = {}) {
  const cfg = makeConfig({ nodes: 2, cpusPerNode: 2, memPerNodeMB: 1, cache: { sizeKB: 4, ways: 2, lineBytes: 128 }, ...overrides });
  const buf = new SharedArrayBuffer(4 * coherenceLayout(cfg).words);
  const stats = new Float64Array(cfg.nodes * cfg.cpusPerNode * Stat.WORDS);
  const hot: [number, number][] = [];
  const sink = { hotPage: (page: number, node: number) => { hot.push([page, node]); } };
  const threshold = { words: Int32Array.of(cfg.hotPageThreshold), index: 0 };
  const cpus = Array.from({ length: 4 }, (_, i) => { const c = new CacheController(i, cfg, buf, stats, sink, threshold); c.check = true; return c; });
  const stat = (cpu: number, s: Stat) => stats[cpu * Stat.WORDS + s];
  return { cfg, cpus, stat, hot };
}

const NODE1 = 1 << 20; // first byte homed on node 1

describe('directory protocol', () => {
  it('a lone reader gets the line Exclusive; a write to it then costs nothing', () => {
    const { cpus, stat } = machine();
    expect(cpus[0].access(0x1000, false)).toBe(60); // 300 ns local at 200 MHz
    expect(stat(0, Stat.LocalMisses)).toBe(1);
    expect(cpus[0].access(0x1000, true)).toBe(0);   // silent E -> M
    expect(cpus[0].violations).toBe(0);
  });

  it('charges remote misses by hop count and classifies them', () => {
    const { cpus, stat } = machine();
    expect(cpus[0].access(NODE1, false)).toBe(180 + 10); // 900 ns + one 50 ns hop
    expect(stat(0, Stat.RemoteCleanMisses)).toBe(1);
  });

  it('a second reader downgrades the owner to Shared', () => {
    const { cpus, stat } = machine();
    cpus[0].access(0x2000, true);                 // CPU 0: Modified
    cpus[2].access(0x2000, false);                // CPU 2 (node 1) reads: dirty in CPU 0's cache
    expect(stat(2, Stat.RemoteDirtyMisses)).toBe(1);
    expect(stat(2, Stat.Downgrades)).toBe(1);
    expect(cpus[0].access(0x2000, false)).toBe(0);        // still readable...
    expect(cpus[0].access(0x2000, true)).toBeGreaterThan(0); // ...but a write is an upgrade
    expect(stat(0, Stat.Upgrades)).toBe(1);
    expect(stat(0, Stat.Invalidations)).toBe(1);
    expect(cpus[2].access(0x2000, false)).toBeGreaterThan(0); // CPU 2 lost its copy
    for (const c of cpus) expect(c.violations).toBe(0);
  });

  it('a writer invalidates every sharer', () => {
    const { cpus, stat } = machine();
    for (const c of cpus) c.access(0x3000, false);
    cpus[3].access(0x3000, true);
    expect(stat(3, Stat.Invalidations)).toBe(3);
    for (const c of [0, 1, 2]) expect(cpus[c].access(0x3000, false)).toBeGreaterThan(0);
    expect(cpus[0].sweep()).toBe(0);
  });

  it('evicts a victim through the directory when a set overflows', () => {
    const { cpus, cfg } = machine();
    const L = coherenceLayout(cfg), stride = L.sets * cfg.cache.lineBytes;
    for (let i = 0; i < 3; i++) cpus[0].access(i * stride, true); // three lines, one 2-way set
    cpus[1].access(0, true);    // whichever way held line 0, the directory must agree
    expect(cpus[0].sweep()).toBe(0);
    expect(cpus.every((c) => c.violations === 0)).toBe(true);
  });

  it('raises the hot-page notice once, at the threshold, naming page and node', () => {
    const { cpus, hot } = machine({ hotPageThreshold: 3 });
    for (let i = 0; i < 2; i++) cpus[2].access(0x1000 + i * 128, true); // two misses to page 1 from node 1
    expect(hot).toEqual([]);
    cpus[2].access(0x1000 + 2 * 128, true);                              // the third reaches the threshold
    expect(hot).toEqual([[1, 1]]);
    cpus[2].access(0x1000 + 3 * 128, true);                              // and it is raised only once
    expect(hot).toEqual([[1, 1]]);
  });

  it('the checker catches a protocol that skips invalidations', () => {
    const { cpus } = machine();
    cpus[0].access(0x4000, false);
    cpus[1].access(0x4000, false);
    cpus[1].skipInvalidation = true;
    cpus[1].access(0x4000, true);   // Modified in CPU 1 while CPU 0 still holds it Shared
    expect(cpus[1].violations).toBeGreaterThan(0);
    expect(cpus[0].sweep()).toBeGreaterThan(0);
  });
});

describe('DMA', () => {
  it('a DMA write invalidates every cached copy of the lines it covers', () => {
    const { cpus, stat } = machine();
    cpus[0].access(0x5000, true);
    cpus[1].access(0x5080, false);
    cpus[2].access(0x5080, false);
    cpus[3].dmaWrite(0x5000, 256);
    expect(stat(3, Stat.Invalidations)).toBe(3);
    for (const [c, a] of [[0, 0x5000], [1, 0x5080], [2, 0x5080]]) expect(cpus[c].access(a, false)).toBeGreaterThan(0);
    expect(cpus[0].sweep()).toBe(0);
  });
});
