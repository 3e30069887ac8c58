// `disco run CONFIG.json`: configuration errors are named with status 2; VMs' consoles are
// prefixed lines on stdout or files in --console-dir; --stats writes the summary; the exit status
// is the first failing VM's. The guest is a small kernel assembled by binutils.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { linkGuest } from '../helpers/guest-asm.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes "line one\n" on its console and powers off with `status`. */
const GUEST = (status: number) => `
.set noreorder
.text
.org 0x200
.globl _start
_start:
  bal 1f
  nop
1:addiu $a0, $ra, msg - 1b
  lui $t0, 0x4000
  addu $a0, $a0, $t0
  li $a1, 9
  li $v0, 2
  syscall
  li $a0, ${status}
  li $v0, 9
  syscall
msg: .ascii "line one\\n"
`;

/** Reads its console input to the end (ConsoleRead: a byte, -1 none yet, -2 ended) and powers off with the byte count. */
const READER = `
.set noreorder
.text
.org 0x200
.globl _start
_start:
  move $s0, $zero
1:li $v0, 16
  syscall
  li $t0, -2
  beq $v0, $t0, 2f
  nop
  bltz $v0, 1b
  nop
  b 1b
  addiu $s0, $s0, 1
2:move $a0, $s0
  li $v0, 9
  syscall
`;

const disco = (...args: string[]) => spawnSync('node', ['bin/disco.js', ...args], { encoding: 'utf8', timeout: 60_000 });
const discoWithInput = (input: string, ...args: string[]) => spawnSync('node', ['bin/disco.js', ...args], { encoding: 'utf8', timeout: 60_000, input });

describe('disco run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'disco-run-'));
    linkGuest(dir, 'ok', GUEST(0));
    linkGuest(dir, 'fail', GUEST(3));
    linkGuest(dir, 'reader', READER);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const config = (vms: unknown, machine: unknown = { nodes: 2, cpusPerNode: 1, memPerNodeMB: 16 }) => {
    const f = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, JSON.stringify({ machine, vms }));
    return f;
  };

  it('names every problem of a bad configuration and exits 2', () => {
    const r = disco('run', config([
      { name: 'a', memMB: 600, kernel: 'ok.elf' }, { name: 'a', vcpus: 0, kernel: 'missing.elf' }, { bogus: 1, env: ['NOEQUALS'] },
    ]));
    expect(r.status).toBe(2);
    for (const s of ['vms[0].memMB', 'vms[1].name: "a" is used twice', 'vms[1].vcpus', 'vms[1].kernel: cannot open missing.elf', 'vms[2]: unknown field "bogus"', 'vms[2].env']) {
      expect(r.stderr).toContain(s);
    }
    expect(disco('run', config([])).stderr).toContain('"vms" must be a non-empty array');
    expect(disco('run', config([{ memMB: 32, kernel: 'ok.elf' }, { memMB: 32, kernel: 'ok.elf' }], { nodes: 1, cpusPerNode: 1, memPerNodeMB: 32 })).stderr)
      .toContain('the VMs want 64 MB but the machine has 32 MB');
    const noMachine = join(dir, 'nomachine.json');
    writeFileSync(noMachine, JSON.stringify({ vms: [{ memMB: 4, kernel: 'ok.elf' }] })); // the machine's defaults
    expect(disco('run', '-q', noMachine).status).toBe(0);
    const numa = disco('run', '-q', '--numa', '--functional', noMachine);
    expect([numa.status, numa.stderr]).toEqual([2, 'disco run: --numa needs the timing model, whose miss counters drive it (drop --functional)\n']);
    writeFileSync(noMachine, '[1]');
    expect(disco('run', noMachine).stderr).toContain('must be a JSON object');
    const notJson = join(dir, 'bad.json');
    writeFileSync(notJson, '{');
    expect(disco('run', notJson).status).toBe(2);
  });

  it('prefixes each VM\'s console lines, writes --stats, and exits with the failing VM\'s status', () => {
    const stats = join(dir, 'stats.json');
    const r = disco('run', '-q', '--stats', stats, config([{ name: 'good', kernel: 'ok.elf', memMB: 4 }, { name: 'bad', kernel: 'fail.elf', memMB: 4 }]));
    expect(r.stdout.split('\n').sort()).toEqual(['', 'bad: line one', 'good: line one']);
    expect(r.status).toBe(3);
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect(s.disco.vms.map((v: { name: string; exitStatus: number }) => [v.name, v.exitStatus])).toEqual([['good', 0], ['bad', 3]]);
    expect(s.disco.causes['monitor-call'].count).toBe(2);
    expect(s.machine.exitStatus).toBe(3);
  });

  it('gives standard input to the first VM, or to the one --input names', () => {
    const two = config([{ name: 'a', kernel: 'reader.elf', memMB: 4 }, { name: 'b', kernel: 'reader.elf', memMB: 4 }]);
    const statuses = (file: string) => JSON.parse(readFileSync(file, 'utf8')).disco.vms.map((v: { exitStatus: number }) => v.exitStatus);
    const stats = join(dir, 'input.json');
    expect(discoWithInput('hello', 'run', '-q', '--stats', stats, two).status).toBe(5);
    expect(statuses(stats)).toEqual([5, 0]);
    expect(discoWithInput('hello, b', 'run', '-q', '--input', 'b', '--stats', stats, two).status).toBe(8);
    expect(statuses(stats)).toEqual([0, 8]);
    const bad = disco('run', '-q', '--input', 'c', two);
    expect([bad.status, bad.stderr]).toEqual([2, 'disco run: --input c: no VM of that name (a, b)\n']);
  });

  it('writes consoles unprefixed to --console-dir and prints the summary tables', () => {
    const out = join(dir, 'consoles');
    const r = disco('run', '--console-dir', out, config([{ name: 'x', kernel: 'ok.elf', memMB: 4 }]));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(join(out, 'x.log'), 'utf8')).toBe('line one\n');
    expect(r.stderr).toContain('virtual machines');
    expect(r.stderr).toContain('Disco time by cause');
  });
});
