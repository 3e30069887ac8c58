// Rings, the network and the quantum barrier, including across real worker threads.
import { describe, it, expect } from 'vitest';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Ring, ringWords, MSG_WORDS } from '../../src/interconnect/ring.js';
import { Network, Word, newMessage } from '../../src/interconnect/network.js';
import { Barrier, WatchdogError } from '../../src/shared/barrier.js';
import { makeConfig, hops, ConfigError } from '../../src/shared/config.js';

const dist = (p: string) => pathToFileURL(join(process.cwd(), 'dist', p)).href;

describe('ring', () => {
  it('is FIFO, reports full (backpressure) and wraps its indices', () => {
    const ring = new Ring(new Int32Array(new SharedArrayBuffer(4 * ringWords(4))), 0, 4);
    const m = new Int32Array(MSG_WORDS), out = new Int32Array(MSG_WORDS);
    let next = 0, expect0 = 0;
    for (let round = 0; round < 50; round++) {
      while (true) { m[0] = next; if (!ring.push(m)) break; next++; }
      expect(ring.length).toBe(4);
      for (let k = 0; k < 3; k++) { expect(ring.pop(out)).toBe(true); expect(out[0]).toBe(expect0++); }
    }
    while (ring.pop(out)) expect(out[0]).toBe(expect0++);
    expect(expect0).toBe(next);
  });
});

describe('network', () => {
  it('delivers by destination, stamps hop latency and counts by type', () => {
    const net = Network.create({ nodes: 4, capacity: 8 }, (a, b) => 10 * Math.abs(a - b));
    const m = newMessage(), out = newMessage();
    m[Word.Type] = 1; m[Word.Src] = 0; m[Word.Dst] = 3; m[Word.A0] = 42;
    expect(net.send(m, 1000)).toBe(true);
    expect(net.receive(2, out)).toBe(false);
    expect(net.receive(3, out)).toBe(true);
    expect(out[Word.A0]).toBe(42);
    expect(out[Word.DeliverAt]).toBe(1030);
    expect(net.sent(0, 1)).toBe(1);
    expect(net.received(3, 1)).toBe(1);
  });
});

describe('barrier', () => {
  it('runs quanta in lockstep across real workers while they exchange IPIs', async () => {
    const nodes = 4, rounds = 200;
    const net = Network.create({ nodes, capacity: 4 }, () => 1);
    const sab = new SharedArrayBuffer(4 * (Barrier.words(nodes) + 4 * nodes));
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      (async () => {
        const { Network, newMessage } = await import(workerData.net);
        const { Barrier } = await import(workerData.barrier);
        const { node, nodes, rounds, netBuf, sab } = workerData;
        const net = new Network({ nodes, capacity: 4 }, netBuf, () => 1);
        const w = new Int32Array(sab);
        const counters = ${0} + ${'Barrier.words(nodes)'};
        const bar = new Barrier(w, 0, nodes, net, 10000);
        const m = newMessage(), out = newMessage();
        let got = 0, bad = 0;
        const mailbox = { service() { while (net.receive(node, out)) got++; } };
        for (let r = 0; r < rounds; r++) {
          m[0] = 1; m[1] = node; m[2] = (node + 1) % nodes; m[4] = r;
          while (!net.send(m, r)) mailbox.service();      // backpressure: drain while retrying
          Atomics.add(w, counters, 1);
          bar.arrive(node, mailbox, 'round ' + r);
          if (Atomics.load(w, counters) < nodes * (r + 1)) bad++;
          bar.arrive(node, mailbox, 'check ' + r);
        }
        bar.arrive(node, mailbox, 'end');
        mailbox.service();
        parentPort.postMessage({ got, bad });
      })().catch((e) => parentPort.postMessage({ error: String(e) }));
    `;
    const results = await Promise.all(Array.from({ length: nodes }, (_, node) => new Promise<{ got: number; bad: number; error?: string }>((resolve, reject) => {
      const wk = new Worker(code, { eval: true, workerData: { node, nodes, rounds, netBuf: net.buffer, sab, net: dist('interconnect/network.js'), barrier: dist('shared/barrier.js') } });
      wk.once('message', (v) => { resolve(v); void wk.terminate(); });
      wk.once('error', reject);
    })));
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.bad).toBe(0);
      expect(r.got).toBe(rounds);
    }
  });

  it('the watchdog names the node that never arrives', () => {
    const net = Network.create({ nodes: 2, capacity: 4 }, () => 1);
    const bar = new Barrier(new Int32Array(new SharedArrayBuffer(4 * Barrier.words(2))), 0, 2, net, 50);
    let serviced = 0;
    const err = (() => { try { bar.arrive(0, { service() { serviced++; } }, 'quantum 7'); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(WatchdogError);
    expect((err as Error).message).toMatch(/node 0 waited 50 ms at quantum 7; nodes not arrived: 1$/);
    expect(serviced).toBeGreaterThan(1); // the mailbox was serviced while waiting
  });
});

describe('machine configuration', () => {
  it('has the paper\'s defaults and takes overrides in layers', () => {
    const c = makeConfig({ nodes: 4, cpusPerNode: 2 }, { latency: { remoteNs: 1200 } });
    expect(c.cache).toEqual({ sizeKB: 1024, ways: 2, lineBytes: 128 });
    expect(c.latency).toEqual({ localNs: 300, remoteNs: 1200, perHopNs: 50 });
    expect(c.nodes * c.cpusPerNode).toBe(8);
  });

  it('names every bad field at once', () => {
    try {
      makeConfig({ nodes: 33, cpusPerNode: 0, topology: 'ring', cache: { lineBytes: 100 }, bogus: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      for (const part of ['nodes must be between 1 and 32', 'cpusPerNode must be between 1 and 4', 'topology must be', 'cache.lineBytes must be a power of two', 'unknown field "bogus"']) expect(msg).toContain(part);
    }
  });

  it('counts hops on a mesh and a hypercube', () => {
    const mesh = makeConfig({ nodes: 16 }), cube = makeConfig({ nodes: 16, topology: 'hypercube' });
    expect(hops(mesh, 0, 15)).toBe(6);
    expect(hops(mesh, 5, 6)).toBe(1);
    expect(hops(cube, 0, 15)).toBe(4);
    expect(hops(cube, 3, 3)).toBe(0);
  });
});
