// Disco's mechanisms on a small guest kernel (assembled by binutils, not by us): it runs in
// supervisor mode, its privileged instructions are emulated on the virtual CP0, its ksseg map
// is filled from the pmap, a user TLB miss goes to its own refill handler (whose TLBWR Disco
// emulates), a user system call reaches its general vector as a virtual exception, and its
// monitor calls write the VM's console and power the VM off with a status; the special page
// of privileged registers shows the virtual EPC without a trap.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { linkGuest } from '../helpers/guest-asm.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../src/machine/machine.js';
import { makeConfig } from '../../src/shared/config.js';
import { setupDisco } from '../../src/disco/setup.js';
import { DiscoStat } from '../../src/disco/monitor.js';
import { summarise } from '../../src/disco/summary.js';
import { V } from '../../src/disco/vcpu.js';

const GUEST = `
.set noreorder
.set noat
.text
refill:                         # physical 0: the refill vector (reached at ksseg 0xC0000000)
  li $k0, ((0x4000 >> 12) << 6) | 0x1e
  mtc0 $k0, $2
  li $k0, ((0x5000 >> 12) << 6) | 0x1e
  mtc0 $k0, $3
  tlbwr
  eret
.org 0x180
general:                        # a user system call: power off with the user's a0
  mfc0 $k0, $13
  andi $k0, $k0, 0x7c
  li $k1, 8 << 2
  bne $k0, $k1, fail
  nop
  li $v0, 9
  syscall
fail:
  li $a0, 99
  li $v0, 9
  syscall
.org 0x200
.globl _start
_start:
  lui $a0, 0xc000               # SetVectors(0xC0000000)
  li $v0, 11
  syscall
  li $t0, 0x1234                # the virtual EPC keeps what the guest wrote
  mtc0 $t0, $14
  mfc0 $t1, $14
  bne $t0, $t1, fail
  nop
  lui $t3, 0xe000               # and its special page shows it: EPC is word 2 of 0xDFFFF000
  lw $t4, -4096 + 8($t3)
  bne $t0, $t4, fail
  nop
  bal 1f
  nop
1:addiu $a0, $ra, msg - 1b      # ConsoleWrite(physical address of msg, 6)
  lui $t2, 0x4000
  addu $a0, $a0, $t2
  li $a1, 6
  li $v0, 2
  syscall
  lui $t0, 0x0040               # user mode at 0x00400000
  mtc0 $t0, $14
  li $t0, 0x20000012
  mtc0 $t0, $12
  eret
msg: .ascii "hello\\n"
.org 0x4000
user:                           # physical 0x4000, mapped at 0x00400000 by the refill handler
  li $a0, 42
  li $v0, 4001
  syscall
`;

/**
 * A guest whose user program touches 100 page pairs twice: its refill handler maps pair k of
 * 0x10000000 to physical frames 0x100 + 2k (and + 1), so the second pass finds most pairs gone
 * from the 64-entry virtual TLB (TLBWR replaced them at random) and Disco's L2TLB serves them.
 * With FRAME_BASE past the VM's memory, the guest maps a frame it does not have: Disco gives it a
 * bus error, which its general vector reports as status 77.
 */
const L2_GUEST = (frameBase: number) => `
.set noreorder
.set noat
.text
refill:
  mfc0 $k0, $8
  srl $k0, $k0, 13
  andi $k0, $k0, 0xff
  sll $k0, $k0, 7               # pair k -> (frame base + 2k) << 6
  li $k1, (${frameBase} << 6) | 0x1e
  addu $k0, $k0, $k1
  mtc0 $k0, $2
  addiu $k0, $k0, 0x40
  mtc0 $k0, $3
  tlbwr
  eret
.org 0x180
general:
  mfc0 $k0, $13
  andi $k0, $k0, 0x7c
  li $k1, 8 << 2
  bne $k0, $k1, 1f
  nop
  li $v0, 9                     # the user's exit: its a0
  syscall
1:li $a0, 77                    # any other exception (the bus error): 77
  li $v0, 9
  syscall
.org 0x200
.globl _start
_start:
  lui $a0, 0xc000
  li $v0, 11
  syscall
  lui $t0, 0x0040
  mtc0 $t0, $14
  li $t0, 0x20000012
  mtc0 $t0, $12
  eret
.org 0x4000
user:                           # va 0x00400000 (its pair maps frames base+0, base+1: code at 0x4000 must be there)
  li $t2, 2
2:lui $t0, 0x1000
  li $t1, 100
1:lw $t3, 0($t0)
  addiu $t1, $t1, -1
  bnez $t1, 1b
  addiu $t0, $t0, 0x2000
  addiu $t2, $t2, -1
  bnez $t2, 2b
  nop
  li $a0, 42
  li $v0, 4001
  syscall
`;

/**
 * Two vCPUs of one VM on two nodes: vCPU 1 reads page P (123, now in its TLBs); vCPU 0 frees P
 * with the FreePages monitor call (Disco shoots the translation down on vCPU 1's node and takes the machine
 * page back); vCPU 1 reads P again and must see a fresh zero page. Status 42 when it did.
 */
/** Halt(a0) at `done`; `bad` halts with 99 instead. */
const HALT = `bad:
  li $a0, 99
done:
  li $v0, 9
  syscall`;

/** The monitor call Start(vCPU 1, label `second`, sp 0xc0030000, a0 0), in a guest's code. */
const START_SECOND = `  li $a0, 1
  bal 1f
  nop
1:addiu $a1, $ra, second - 1b
  lui $a2, 0xc003
  move $a3, $zero
  li $v0, 8
  syscall`;

const SHOOTDOWN_GUEST = `
.set noreorder
.set noat
.macro free_page hi             # FreePages([hi << 16], 1): the list at physical 0x10010
  lui $t0, \\hi
  sw $t0, 16($s0)
  lui $a0, 0x0001
  ori $a0, $a0, 0x10
  li $a1, 1
  li $v0, 13
  syscall
.endm
.text
.org 0x200
.globl _start
_start:
  lui $s0, 0xc001               # flags page: F1 at 0, F2 at 4, R1 at 8, R2 at 12, the free list at 16
  lui $s1, 0xc002               # page P (physical 0x20000)
  li $t0, 123
  sw $t0, 0($s1)
${START_SECOND}
  li $t0, 1
  sw $t0, 0($s0)                # F1 = 1
2:lw $t1, 4($s0)                # wait for F2 = 1
  beqz $t1, 2b
  nop
  lui $s2, 0xc004               # page Q (physical 0x40000): only vCPU 0 maps it
  sw $t1, 0($s2)
  free_page 0x0004              # its backmap names vCPU 0 alone
  free_page 0x0002              # P, which both vCPUs read
  li $t0, 2
  sw $t0, 0($s0)                # F1 = 2
3:lw $t1, 4($s0)
  li $t2, 2
  bne $t1, $t2, 3b
  nop
  lw $t3, 8($s0)                # R1 must be 123, R2 0
  lw $t4, 12($s0)
  li $a0, 42
  li $t5, 123
  bne $t3, $t5, bad
  nop
  beqz $t4, done
  nop
${HALT}
second:
  lui $s0, 0xc001
  lui $s1, 0xc002
4:lw $t1, 0($s0)
  beqz $t1, 4b
  nop
  lw $t0, 0($s1)
  sw $t0, 8($s0)                # R1 = P
  li $t0, 1
  sw $t0, 4($s0)                # F2 = 1
5:lw $t1, 0($s0)
  li $t2, 2
  bne $t1, $t2, 5b
  nop
  lw $t0, 0($s1)
  sw $t0, 12($s0)               # R2 = P after the free
  li $t0, 2
  sw $t0, 4($s0)                # F2 = 2
6:wait
  b 6b
  nop
`;

/**
 * A hostile guest kernel: 3000 rounds of a store of random data to a random ksseg address (its
 * 16 MB wired map reaches well past its 4 MB), a monitor call with a random number and random
 * arguments, and a TLB write of random bits (its code page and wired map left alone, so that it
 * finishes); its general vector steps over whatever faulted.
 * It must hurt only itself: it powers off with status 7 and the other VM is untouched.
 */
const HOSTILE_GUEST = `
.set noreorder
.set noat
.text
.org 0x180
general:                        # step over the faulting instruction (never in a delay slot here)
  mfc0 $k0, $14
  addiu $k0, $k0, 4
  mtc0 $k0, $14
  eret
.org 0x200
.globl _start
_start:
  lui $a0, 0xc000
  li $v0, 11
  syscall
  li $s0, 3000
  li $s1, 0x12345678
1:li $t0, 1103515245            # s1 = s1 * 1103515245 + 12345
  multu $s1, $t0
  mflo $s1
  addiu $s1, $s1, 12345
  srl $t1, $s1, 8               # a ksseg address from 4 KB to 16 MB (its code in page 0 survives)
  lui $t2, 0xff
  ori $t2, $t2, 0xeffc
  and $t1, $t1, $t2
  lui $t2, 0xc000
  addu $t1, $t1, $t2
  addiu $t1, $t1, 0x1000
  sw $s1, 0($t1)
  andi $v0, $s1, 31             # a wild monitor call
  srl $a0, $s1, 3
  sll $a1, $s1, 5
  xori $a2, $s1, 0x5a5a
  move $a3, $s1
  li $t3, 9                     # ... but not Halt, nor Start (which would run random code)
  beq $v0, $t3, 2f
  li $t3, 8
  beq $v0, $t3, 2f
  nop
  syscall
2:mtc0 $s1, $2                  # a TLB write of random bits
  mtc0 $a1, $3
  mtc0 $a2, $10
  andi $t4, $s1, 31              # an entry above the wired one (its code stays mapped)
  addiu $t4, $t4, 8
  mtc0 $t4, $0
  tlbwi
  addiu $s0, $s0, -1
  bnez $s0, 1b
  nop
  li $a0, 7
  li $v0, 9
  syscall
`;

/**
 * Three vCPUs of one VM on two physical CPUs (vCPUs 0 and 2 start on CPU 0): each counts to
 * 300,000 and raises its flag; vCPU 0 powers off with 42 once all three have. The CPU that
 * runs out of work first (on the other node) steals the vCPU waiting on the busy one.
 */
const MIGRATE_GUEST = `
.set noreorder
.set noat
.text
.org 0x200
.globl _start
_start:
  li $s2, 1
1:move $a0, $s2                  # Start(vCPU s2, worker, sp, s2)
  bal 2f
  nop
2:addiu $a1, $ra, worker - 2b
  lui $a2, 0xc003
  move $a3, $s2
  li $v0, 8
  syscall
  addiu $s2, $s2, 1
  li $t0, 3
  bne $s2, $t0, 1b
  nop
  move $a0, $zero
worker:                         # a0 = this vCPU's number
  lui $s0, 0xc001
  lui $t0, 0x4                  # 0x40000 + ...
  ori $t0, $t0, 0x93e0          # = 300000
3:addiu $t0, $t0, -1
  bnez $t0, 3b
  nop
  sll $t1, $a0, 2
  addu $t1, $t1, $s0
  li $t2, 1
  sw $t2, 0($t1)                # flag[a0] = 1
  bnez $a0, 5f
  nop
4:lw $t3, 4($s0)                # vCPU 0: wait for flags 1 and 2
  lw $t4, 8($s0)
  and $t3, $t3, $t4
  beqz $t3, 4b
  nop
  li $a0, 42
  li $v0, 9
  syscall
5:wait
  b 5b
  nop
`;

/**
 * NUMA: vCPU 0 (node 0) touches one line of page P (physical 0x20000), so P is allocated on node
 * 0; vCPU 1 (node 1) then reads all of P's 32 lines, so node 1's misses dominate P's counters
 * and the hot-page notice moves P to node 1; after a while vCPU 1 and then vCPU 0 check that P
 * still holds what vCPU 0 wrote. Powers off with 42 if both saw it.
 */
const NUMA_GUEST = `
.set noreorder
.set noat
.text
.org 0x200
.globl _start
_start:
  lui $s0, 0xc001               # flags page: F at 0
  lui $s1, 0xc002               # page P
  li $t0, 123
  sw $t0, 0($s1)
${START_SECOND}
2:lw $t1, 0($s0)                # wait for F
  beqz $t1, 2b
  nop
  lw $t3, 0($s1)
  li $a0, 42
  li $t5, 123
  bne $t3, $t5, bad
  nop
  li $t5, 1
  beq $t1, $t5, done            # F = 1: vCPU 1 saw 123 too
  nop
${HALT}
second:
  lui $s0, 0xc001
  lui $s1, 0xc002
  li $t0, 32
3:lw $t1, 0($s1)                # one load per 128-byte line
  addiu $s1, $s1, 128
  addiu $t0, $t0, -1
  bnez $t0, 3b
  nop
  lui $t0, 0x4                  # a while, for node 0 to take the notice
4:addiu $t0, $t0, -1
  bnez $t0, 4b
  nop
  lui $s1, 0xc002
  lw $t1, 0($s1)
  li $t2, 123
  li $t3, 1
  beq $t1, $t2, 5f
  nop
  li $t3, 2
5:sw $t3, 0($s0)                # F = 1 (saw 123) or 2
6:wait
  b 6b
  nop
`;

/**
 * NUMA replication: both vCPUs read all of page R (vCPU 0 wrote it first, so it lives on node 0),
 * so R is read-shared and node 1 gets a read-only replica; vCPU 1 checks the replica holds 123.
 * Then vCPU 0 writes 456, which must collapse the replicas, and vCPU 1 must see 456.
 * Flags page: F (vCPU 1's progress) at 0, G (vCPU 0's) at 4. Powers off with 42 if all went so.
 */
const REPLICA_GUEST = `
.set noreorder
.set noat
.macro read_all               # one load per 128-byte line of R
  lui $s1, 0xc002
  li $t0, 32
9:lw $t1, 0($s1)
  addiu $s1, $s1, 128
  addiu $t0, $t0, -1
  bnez $t0, 9b
  nop
.endm
.macro wait_for off, value   # spin until the flag at off holds value
8:lw $t1, \\off($s0)
  li $t2, \\value
  bne $t1, $t2, 8b
  nop
.endm
.text
.org 0x200
.globl _start
_start:
  lui $s0, 0xc001
  lui $s2, 0xc002               # page R
  li $t0, 123
  sw $t0, 0($s2)
  read_all
${START_SECOND}
  wait_for 0, 1                 # vCPU 1 saw 123 on its replica
  li $t0, 456
  sw $t0, 0($s2)                # a write: the replicas collapse
  li $t0, 1
  sw $t0, 4($s0)                # G = 1
2:lw $t1, 0($s0)                # F = 2: vCPU 1 saw 456; 3: it did not
  li $t2, 1
  beq $t1, $t2, 2b
  nop
  li $a0, 42
  li $t2, 2
  beq $t1, $t2, 3f
  nop
  li $a0, 99
3:li $v0, 9
  syscall
second:
  lui $s0, 0xc001
  lui $s2, 0xc002
  read_all
  lui $t0, 0x4                  # a while, for node 0 to take the notice
4:addiu $t0, $t0, -1
  bnez $t0, 4b
  nop
  lw $t1, 0($s2)
  li $t2, 123
  bne $t1, $t2, 6f
  nop
  li $t0, 1
  sw $t0, 0($s0)                # F = 1
  wait_for 4, 1
  lw $t1, 0($s2)
  li $t2, 456
  bne $t1, $t2, 6f
  nop
  li $t0, 2
  sw $t0, 0($s0)                # F = 2
7:wait
  b 7b
  nop
6:li $t0, 3
  b 7b
  sw $t0, 0($s0)                # F = 3: what it read was wrong
`;

let dir = '';
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'disco-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs Disco on a machine of this shape (16 MB a node) with VMs of 4 MB, each booting its guest. */
async function runVms(shape: Record<string, unknown>, vms: { name: string; vcpus?: number; source: string }[], sliceInstructions?: number, numa = false) {
  const config = makeConfig({ memPerNodeMB: 16, ...shape });
  const machine = new Machine(config, {});
  const disco = setupDisco(config, machine.memory, {
    vms: vms.map((v) => ({ name: v.name, vcpus: v.vcpus ?? 1, memMB: 4, disk: null })), kernels: vms.map((v) => readFileSync(linkGuest(dir, v.name, v.source))),
    consoleDir: join(dir, 'console'), sliceInstructions, numa,
  });
  machine.shared.disco = disco;
  const result = await machine.run();
  return { result, disco, s: new Float64Array(disco.stats), sum: summarise(disco, config.nodes, (config.memPerNodeMB << 20) >>> 12) };
}

describe('Disco monitor', () => {
  it('runs a guest kernel in supervisor mode: privileged emulation, pmap fills, forwarded refill, virtual syscall, monitor calls', async () => {
    const { result, s } = await runVms({ nodes: 1, cpusPerNode: 1, deterministic: true }, [{ name: 'vm0', source: GUEST }]);
    expect(readFileSync(join(dir, 'console', 'vm0.log'), 'utf8')).toBe('hello\n');
    expect(result.exitStatus).toBe(42);
    expect(s[DiscoStat.ForwardedMisses]).toBe(1);             // the user page: the guest's refill handler
    expect(s[DiscoStat.PmapFills]).toBe(1);                   // ksseg code; the user pair went in when the guest wrote its TLB
    expect(s[DiscoStat.MonitorCalls]).toBe(2);                // SetVectors, ConsoleWrite (Halt does not return)
    expect(s[DiscoStat.VirtualExceptions]).toBe(1);           // the user's syscall
    expect(s[DiscoStat.Privileged]).toBeGreaterThanOrEqual(10);
    expect(s[DiscoStat.UserInstructions]).toBe(3);            // li, li, syscall
  });

  it('serves TLB misses the guest already handled from the L2TLB; a VM that maps a frame it does not have faults alone', async () => {
    const { s, sum } = await runVms({ nodes: 2, cpusPerNode: 1 }, [{ name: 'good', source: L2_GUEST(4) }, { name: 'bad', source: L2_GUEST(0x2000) }]); // 32 MB: past its 4 MB
    expect(sum.vms.map((v) => v.exitStatus)).toEqual([42, 77]);
    expect(s[DiscoStat.ForwardedMisses]).toBeGreaterThanOrEqual(101);   // first pass (+ the code page)
    expect(s[DiscoStat.L2TlbHits]).toBeGreaterThan(20);                   // second pass: pairs the hardware TLB lost
    expect(s[DiscoStat.ForwardedMisses] + s[DiscoStat.L2TlbHits]).toBeGreaterThanOrEqual(200);
    // the pairs the guest's TLBWR evicted at random stayed in the L2TLB: the second pass never reaches the guest
    expect(s[DiscoStat.ForwardedMisses]).toBeLessThanOrEqual(103);
    expect(s[DiscoStat.L2TlbHits]).toBeGreaterThanOrEqual(100);
    // the program's 811 instructions, plus one per user TLB exception (the CPU counts a faulting access)
    expect(s[DiscoStat.UserInstructions]).toBeGreaterThanOrEqual(2 + 2 * (3 + 100 * 4) + 3);
    expect(s[DiscoStat.UserInstructions]).toBeLessThanOrEqual(811 + s[DiscoStat.ForwardedMisses] + s[DiscoStat.L2TlbHits] + s[DiscoStat.PmapFills]);
    // the bad VM never ran a user instruction and got only its own pages
    expect(s[DiscoStat.WORDS + DiscoStat.UserInstructions]).toBe(0);
    expect(sum.vms[1].machinePagesPerNode.reduce((a, b) => a + b)).toBe(5 + 1); // its kernel image and special page
  });

  it.each([false, true])('shoots a freed page down on the other node before it leaves the VM, and only where its backmap says (deterministic %s)', async (det) => {
    const { result, sum } = await runVms({ nodes: 2, cpusPerNode: 1, deterministic: det }, [{ name: 'vm0', vcpus: 2, source: SHOOTDOWN_GUEST }]);
    expect(result.exitStatus).toBe(42);
    expect(sum.causes.shootdown.count).toBe(2);
    // page Q, mapped by vCPU 0 alone, reached no other CPU; page P reached vCPU 1's
    expect(sum.shootdownCpus).toBe(1);
    expect(sum.vms[0].machinePagesPerNode[1]).toBeGreaterThan(0); // vCPU 1 ran on node 1
  });

  it.each([false, true])('moves a page that another node uses to that node, keeping its contents (NUMA, deterministic %s)', async (det) => {
    const { result, sum, disco } = await runVms({ nodes: 2, cpusPerNode: 1, deterministic: det, hotPageThreshold: 4 },
      [{ name: 'vm0', vcpus: 2, source: NUMA_GUEST }], 100_000, true);
    expect(result.exitStatus).toBe(42);
    expect(sum.causes['page-move'].count).toBeGreaterThanOrEqual(1);
    const p = new Int32Array(disco.pmaps[0])[0x20];                 // P's precomputed entry: its machine page
    expect(Math.floor((p >>> 6) / ((16 << 20) >>> 12))).toBe(1);    // on node 1 now
  });

  it.each([false, true])('replicates a page two nodes read, and collapses the replicas when it is written (NUMA, deterministic %s)', async (det) => {
    const { result, sum } = await runVms({ nodes: 2, cpusPerNode: 1, deterministic: det, hotPageThreshold: 4 },
      [{ name: 'vm0', vcpus: 2, source: REPLICA_GUEST }], 100_000, true);
    expect(result.exitStatus).toBe(42);
    expect(sum.causes['page-replica'].count).toBeGreaterThanOrEqual(1);
    expect(sum.causes['page-collapse'].count).toBeGreaterThanOrEqual(1);
  });

  it('leaves pages where first touch put them without --numa', async () => {
    const { result, sum, disco } = await runVms({ nodes: 2, cpusPerNode: 1, hotPageThreshold: 4 }, [{ name: 'vm0', vcpus: 2, source: NUMA_GUEST }], 100_000);
    expect(result.exitStatus).toBe(42);
    expect(sum.causes['page-move'].count).toBe(0);
    expect(Math.floor((new Int32Array(disco.pmaps[0])[0x20] >>> 6) / ((16 << 20) >>> 12))).toBe(0);
  });

  it('contains a hostile guest kernel (random stores, wild monitor calls, random TLB writes) to its own VM', async () => {
    const { sum } = await runVms({ nodes: 2, cpusPerNode: 1 }, [{ name: 'hostile', source: HOSTILE_GUEST }, { name: 'good', source: L2_GUEST(4) }]);
    expect(sum.vms.map((v) => v.exitStatus)).toEqual([7, 42]);
    // every machine page the hostile VM touched is its own: at most its 4 MB and its special page
    expect(sum.vms[0].machinePagesPerNode.reduce((a, b) => a + b)).toBeLessThanOrEqual(1024 + 1);
  });

  it('stops a VM whose exception vector cannot be fetched, saying why, instead of looping', async () => {
    const source = '.set noreorder\n.text\n.org 0x200\n.globl _start\n_start:\n  lui $a0, 0xc100\n  li $v0, 11\n  syscall\n  break\n';
    const { sum } = await runVms({ nodes: 1, cpusPerNode: 1 }, [{ name: 'broken', source }]);
    expect([sum.vms[0].exitStatus, sum.vms[0].faulted]).toEqual([255, true]);
    expect(readFileSync(join(dir, 'console', 'broken.log'), 'utf8')).toContain('broken stopped: exception 6 fetching its exception vector at 0xc1000180');
  });

  it.each([false, true])('moves a waiting vCPU to an idle CPU (deterministic %s)', async (det) => {
    const { result, s, disco } = await runVms({ nodes: 2, cpusPerNode: 1, deterministic: det, quantumCycles: 10_000 },
      [{ name: 'vm0', vcpus: 3, source: MIGRATE_GUEST }], 100_000);
    expect(result.exitStatus).toBe(42);
    // some vCPU changed CPUs (which one depends on when the start IPI landed) and now lives there
    const moved = [0, 1, 2].filter((v) => s[v * DiscoStat.WORDS + DiscoStat.Migrations] > 0);
    expect(moved.length).toBeGreaterThanOrEqual(1);
    const home = new Int32Array(disco.vcpus);
    expect(moved.some((v) => home[v * V.WORDS + V.Home] !== disco.placement[v])).toBe(true);
  });
});
