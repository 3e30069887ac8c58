// Whole-machine runs through the CLI: bare-metal programs booted on 1, 2 and 8 nodes in
// parallel and deterministic mode; the stress patterns with the invariant checker.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { Machine } from '../../src/machine/machine.js';
import { makeConfig } from '../../src/shared/config.js';

const disco = (...args: string[]) => spawnSync('node', ['bin/disco.js', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('disco boot', () => {
  it.each([
    [1, 1, false], [2, 1, false], [2, 2, true], [8, 1, false], [8, 1, true], [4, 2, false],
  ])('boots the MP hello on %i nodes x %i CPUs (deterministic %s)', (nodes, cpn, det) => {
    const dir = mkdtempSync(join(tmpdir(), 'boot-'));
    const args = ['boot', '--kernel', 'guest/images/hello.elf', '--nodes', String(nodes), '--cpus-per-node', String(cpn), '--mem-per-node', '8', '--stats', join(dir, 's.json')];
    if (det) args.push('--deterministic');
    const r = disco(...args);
    const n = nodes * cpn;
    let tokens = 0;
    for (let c = 1; c < n; c++) tokens += 100 + c;
    expect(r.stdout).toBe(`hello from ${n} cpus on ${nodes} nodes\nsum of cpu ids ${n * (n - 1) / 2}, ipi tokens ${tokens}\n`);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('per node');
    const stats = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(stats.instructions).toBeGreaterThan(0);
    expect(stats.hostSeconds).toBeGreaterThan(0);
    expect(stats.simulatedCycles).toBeGreaterThan(0);
    expect(stats.nodes).toHaveLength(nodes);
    for (const node of stats.nodes) { expect(node.instructions).toBeGreaterThan(0); expect(node.simulatedCycles).toBeGreaterThan(0); }
    expect(stats.cpus.slice(1).every((c: { ipisReceived: number }) => c.ipisReceived === 1)).toBe(true);
  });

  it('gives identical results run after run in deterministic mode', () => {
    const run = () => {
      const r = disco('stress', '--pattern', 'random', '--nodes', '4', '--cpus-per-node', '2', '--mem-per-node', '8', '--deterministic', '--json', '--ops', '500');
      const row = JSON.parse(r.stdout)[0];
      delete row.hostSeconds;
      return row;
    };
    const a = run();
    expect(a.remoteDirty).toBeGreaterThan(0);
    expect(run()).toEqual(a);
  });

  it.each([[2, false], [4, true], [8, false]])('carries Ethernet frames between the ports of %i nodes (deterministic %s)', (nodes, det) => {
    const args = ['boot', '--kernel', 'guest/images/ping.elf', '--nodes', String(nodes), '--cpus-per-node', '2', '--mem-per-node', '8', '-q'];
    if (det) args.push('--deterministic');
    const r = disco(...args);
    expect(r.stdout).toBe(`ping ${nodes} nodes: ${nodes - 1} replies, 0 bad\n`);
    expect(r.status).toBe(0);
  });

  it.each([[false], [true]])('raises the hot-page interrupt at the page\'s home node (deterministic %s)', (det) => {
    const args = ['boot', '--kernel', 'guest/images/hotpage.elf', '--nodes', '2', '--mem-per-node', '8', '--json'];
    if (det) args.push('--deterministic');
    const r = disco(...args);
    expect(r.stdout).toMatch(/^hot page (\d+) from node 1 \(expected page \1 from node 1\), line down after ack\n$/);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stderr).messages.hotPage).toBe(1);
  });

  it('feeds stdin to the console UART, larger than its ring, and signals the end of input', () => {
    const text = Array.from({ length: 9000 }, (_, i) => `line ${i} of the console input\n`).join('');
    const r = spawnSync('node', ['bin/disco.js', 'boot', '--kernel', 'guest/images/echo.elf', '--nodes', '2', '--mem-per-node', '8', '-q'], { input: text, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 24 });
    expect(r.stdout).toBe(text.toUpperCase() + `${text.length} bytes\n`);
    expect(r.status).toBe(0);
  });

  it('reads and writes the disk image by DMA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'disk-'));
    const img = join(dir, 'disk.img');
    const data = Buffer.alloc(64 * 512);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
    writeFileSync(img, data);
    let sum = 0;
    for (let i = 0; i < 8 * 512; i++) sum += data[i];
    const r = disco('boot', '--kernel', 'guest/images/disk.elf', '--disk', img, '--nodes', '2', '--mem-per-node', '8', '-q');
    expect(r.stdout).toBe(`disk 64 sectors, sum of sectors 0-7: ${sum}\nwrite-back ok, out-of-range read refused\n`);
    expect(r.status).toBe(0);
    const want = Buffer.from(data);
    for (let i = 512; i < 1024; i++) want[i] = (want[i] + 1) & 0xff;
    expect(readFileSync(img).equals(want)).toBe(true);
    const bad = disco('boot', '--kernel', 'guest/images/disk.elf', '--disk', join(dir, 'missing.img'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/missing\.img: cannot open disk image/);
  });

  it('stops cleanly on Ctrl-C and prints the statistics so far', async () => {
    const child = spawn('node', ['bin/disco.js', 'boot', '--kernel', 'guest/images/stress.elf', '--args', '0,100000000,1', '--nodes', '2', '--mem-per-node', '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const status = await new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    expect(status).toBe(130);
    expect(stderr).toContain('per node');
    expect(stderr).toMatch(/instructions/);
  });

  it('stops the whole machine when a worker fails, naming the node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fail-'));
    const img = join(dir, 'disk.img');
    writeFileSync(img, Buffer.alloc(4096));
    const m = new Machine(makeConfig({ nodes: 3, memPerNodeMB: 8 }), { disk: img, watchdogMs: 5000 });
    m.loadKernel(await readFile('guest/images/hello.elf'));
    rmSync(img); // each worker opens the disk image: now every node fails on start
    const started = Date.now();
    await expect(m.run()).rejects.toThrow(/^node [0-2]: ENOENT/);
    expect(m.failedNode()).toBeGreaterThanOrEqual(0);
    expect(Date.now() - started).toBeLessThan(5000); // no node waited for the watchdog
  });

  it('rejects a bad kernel or configuration with one line and status 2', () => {
    const r = disco('boot', '--kernel', 'package.json');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('not an ELF file');
    const c = disco('boot', '--kernel', 'guest/images/hello.elf', '--nodes', '40');
    expect(c.status).toBe(2);
    expect(c.stderr).toContain('nodes must be between 1 and 32');
  });
});

describe('translated code and the coherence model', () => {
  it('charges exactly the misses the interpreter charges (one CPU: misses depend only on the accesses)', () => {
    const run = (translate: string) => {
      const r = spawnSync('node', ['bin/disco.js', 'boot', '--kernel', 'guest/images/scale.elf', '--args', '200', '--mem-per-node', '8', '--json'],
        { encoding: 'utf8', env: { ...process.env, DISCO_TRANSLATE: translate } });
      expect(r.status).toBe(0);
      const s = JSON.parse(r.stderr);
      return { out: r.stdout, instructions: s.instructions, cpus: s.cpus.map((c: Record<string, number>) => [c.localMisses, c.remoteCleanMisses, c.remoteDirtyMisses, c.invalidations]) };
    };
    const interpreted = run('0');
    expect(interpreted.cpus[0][0]).toBeGreaterThan(0);
    expect(run('1')).toEqual(interpreted);
  });
});

describe('disco stress', () => {
  it.each([[false], [true]])('runs every pattern on 4 nodes x 2 CPUs with zero violations (deterministic %s)', (det) => {
    const args = ['stress', '--nodes', '4', '--cpus-per-node', '2', '--mem-per-node', '8', '--check', '--ops', '300', '--json'];
    if (det) args.push('--deterministic');
    const r = disco(...args);
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: { pattern: string }) => x.pattern)).toEqual(
      ['counter', 'spinlock', 'false-sharing', 'migratory', 'prodcons', 'random', 'peterson', ...(det ? ['peterson-nosync'] : [])]);
    for (const row of rows) {
      expect(row.result).toBe('ok');
      expect(row.violations).toBe(0);
      expect(row.operations).toBe(300 * 8);
    }
    expect(rows.find((x: { pattern: string }) => x.pattern === 'counter').invalidations).toBeGreaterThan(0);
  });

  it('Peterson without SYNC never fails on the sequentially consistent machine', () => {
    const r = disco('stress', '--nodes', '2', '--cpus-per-node', '1', '--mem-per-node', '8', '--pattern', 'peterson-nosync', '--ops', '5000', '--sequential-consistency', '--json');
    expect(r.status).toBe(0);
  });

  it('the checker catches a protocol that skips invalidations', async () => {
    const m = new Machine(makeConfig({ nodes: 2, cpusPerNode: 2, memPerNodeMB: 8, quantumCycles: 5000 }), { check: true, skipInvalidation: true });
    m.loadKernel(await readFile('guest/images/stress.elf'));
    m.shared.bootArgs = [0, 300, 1]; // counter: LL/SC traffic on one shared line
    const r = await m.run();
    expect(r.cpus.reduce((a, c) => a + c.violations, 0)).toBeGreaterThan(0);
  });

  it('names an unknown pattern', () => {
    const r = disco('stress', '--pattern', 'bogus');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown pattern "bogus"');
  });
});

describe('shipped images', () => {
  it('rebuild byte for byte from guest/bare', () => {
    const r = spawnSync('bash', ['guest/build-bare.sh', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
