// The guest kernel under Disco (guest/images/kernel-disco.elf) running the paper's workloads
// (guest/workloads): each alone in a VM gives the checksum it gives on the bare machine and under
// qemu-mips (guest/workloads/expected.json); four VMs on 4 nodes x 2 CPUs run four different
// workloads at once, in parallel and deterministic mode (with shootdowns of the pages the guests
// free); two VMs keep their results under NUMA page moves and replicas; a hostile program in one VM (stores
// where it owns nothing, privileged instructions, wild system calls) leaves a workload in another
// VM, its result and its disk, untouched.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = process.cwd();
const expected = JSON.parse(readFileSync(join(ROOT, 'guest', 'workloads', 'expected.json'), 'utf8')) as { workloads: Record<string, { test: { args: string[]; checksum: string } }> };
const WORKLOADS = Object.keys(expected.workloads);

let dir = '';
let image = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'disco-wl-'));
  cpSync(join(ROOT, 'guest', 'images', 'workloads'), join(dir, 'root', 'bin'), { recursive: true });
  execFileSync('mips-linux-gnu-gcc', ['-static', '-O2', '-o', join(dir, 'root', 'bin', 'hostile'), join(ROOT, 'guest', 'kernel-tests', 'hostile.c')]);
  image = join(dir, 'root.img');
  execFileSync(process.execPath, ['bin/disco.js', 'mkfs', join(dir, 'root'), image]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Vm { name: string; vcpus: number; memMB: number; argv: string[] }

/** `disco run` with these VMs (each on its own copy of the image); resolves with the consoles, the exit status and the stats. */
function discoRun(tag: string, machine: Record<string, unknown>, vms: Vm[], flags: string[] = []): Promise<{ status: number | null; consoles: Record<string, string>; stats: { disco: { vms: { name: string; exitStatus: number; machinePagesPerNode: number[] }[]; causes: Record<string, { count: number }> } }; stderr: string }> {
  const run = join(dir, tag);
  mkdirSync(run);
  const config = { machine, vms: vms.map((v) => { copyFileSync(image, join(run, `${v.name}.img`)); return { ...v, disk: `${v.name}.img`, cwd: '/tmp' }; }) };
  writeFileSync(join(run, 'run.json'), JSON.stringify(config));
  const child = spawn(process.execPath, ['bin/disco.js', 'run', '-q', ...flags, '--console-dir', join(run, 'console'), '--stats', join(run, 'stats.json'), join(run, 'run.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => { stderr += b; });
  return new Promise((resolve) => child.on('close', (status) => {
    const consoles = Object.fromEntries(vms.map((v) => [v.name, (() => { try { return readFileSync(join(run, 'console', `${v.name}.log`), 'utf8'); } catch { return ''; } })()]));
    const stats = JSON.parse(readFileSync(join(run, 'stats.json'), 'utf8'));
    resolve({ status, consoles, stats, stderr });
  }));
}

const line = (w: string) => `${w} checksum ${expected.workloads[w].test.checksum}`;
const workloadVm = (w: string, vcpus: number, memMB: number, name = w): Vm => ({ name, vcpus, memMB, argv: [`/bin/${w}`, ...expected.workloads[w].test.args] });

describe.concurrent('the workloads under Disco', () => {
  it.each(WORKLOADS)('%s alone in a VM of 2 vCPUs on 2 nodes gives its checksum', async (w) => {
    const r = await discoRun(`alone-${w}`, { nodes: 2, cpusPerNode: 1, memPerNodeMB: 64 }, [workloadVm(w, 2, 96)]);
    expect(r.stderr).toBe('');
    expect(r.consoles[w].split('\n')).toContain(line(w));
    expect(r.status).toBe(0);
  }, 300_000);

  it.each([false, true])('four VMs on 4 nodes x 2 CPUs run four different workloads at once (deterministic %s)', async (det) => {
    const r = await discoRun(`four-${det}`, { nodes: 4, cpusPerNode: 2, memPerNodeMB: 64 }, WORKLOADS.map((w) => workloadVm(w, 2, 56)), det ? ['--deterministic'] : []);
    for (const w of WORKLOADS) expect(r.consoles[w].split('\n')).toContain(line(w));
    expect(r.stats.disco.vms.map((v) => v.exitStatus)).toEqual([0, 0, 0, 0]);
    // the guests hand freed pages back: shootdowns across the workers while all four run
    expect(r.stats.disco.causes.shootdown.count).toBeGreaterThan(0);
    expect(r.status).toBe(0);
  }, 600_000);

  it.each([false, true])('two VMs spanning the nodes keep their results while NUMA moves, replicates and collapses their pages (deterministic %s)', async (det) => {
    const r = await discoRun(`numa-${det}`, { nodes: 4, cpusPerNode: 2, memPerNodeMB: 64, hotPageThreshold: 16 },
      [workloadVm('engineering', 4, 96), workloadVm('database', 4, 96)], ['--numa', ...(det ? ['--deterministic'] : [])]);
    expect(r.consoles.engineering.split('\n')).toContain(line('engineering'));
    expect(r.consoles.database.split('\n')).toContain(line('database'));
    const c = r.stats.disco.causes;
    expect(c['page-move'].count + c['page-replica'].count).toBeGreaterThan(0);
    expect(r.status).toBe(0);
  }, 300_000);

  it('a hostile program in one VM leaves a workload in another untouched', async () => {
    const r = await discoRun('hostile', { nodes: 2, cpusPerNode: 2, memPerNodeMB: 64 },
      [{ name: 'hostile', vcpus: 2, memMB: 48, argv: ['/bin/hostile', '20000'] }, workloadVm('database', 2, 64)]);
    expect(r.consoles.hostile).toMatch(/^hostile: 20000 rounds, \d+ faults caught, \d+ wild system calls\n$/);
    expect(r.consoles.database.split('\n')).toContain(line('database'));
    expect(r.status).toBe(0);
    // the workload's disk is still a sound file system
    const fsck = execFileSync(process.execPath, ['bin/disco.js', 'fsck', join(dir, 'hostile', 'database.img')], { encoding: 'utf8' });
    expect(fsck).toMatch(/^clean/);
  }, 300_000);
});
