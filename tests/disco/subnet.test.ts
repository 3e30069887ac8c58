// The virtual subnet's queues: unicast, loopback, broadcast to every other VM, a full queue, bad
// destinations; and two VMs talking through /dev/ether.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subnet, SUBNET_MTU } from '../../src/disco/subnet.js';

describe('Disco virtual subnet', () => {
  const out = new Uint8Array(SUBNET_MTU);
  it('delivers a frame to one VM with its source, in order', () => {
    const net = Subnet.create(3);
    expect(net.send(0, 2, Uint8Array.from([1, 2, 3]))).toBe(0);
    expect(net.send(1, 2, Uint8Array.from([9]))).toBe(0);
    expect(net.receive(1, out)).toBeNull();
    expect(net.receive(2, out)).toEqual([0, 3]);
    expect(Array.from(out.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(net.receive(2, out)).toEqual([1, 1]);
    expect(out[0]).toBe(9);
    expect(net.receive(2, out)).toBeNull();
  });
  it('broadcasts to every other VM and reports full queues and bad destinations', () => {
    const net = Subnet.create(3);
    expect(net.send(1, -1, new Uint8Array(SUBNET_MTU))).toBe(0);
    expect(net.receive(0, out)).toEqual([1, SUBNET_MTU]);
    expect(net.receive(2, out)).toEqual([1, SUBNET_MTU]);
    expect(net.receive(1, out)).toBeNull();
    let sent = 0;
    while (net.send(0, 1, Uint8Array.from([sent])) === 0) sent++;
    expect(sent).toBe(16);
    expect(net.send(0, 1, new Uint8Array(1))).toBe(1);
    expect(net.send(0, 3, new Uint8Array(1))).toBe(-1);
    expect(net.send(2, 2, Uint8Array.from([5]))).toBe(0); // loopback
    expect(net.receive(2, out)).toEqual([2, 1]);
    expect(net.send(0, 1, new Uint8Array(SUBNET_MTU + 1))).toBe(-1);
  });

  it('carries frames between two VMs: the guest kernel\'s /dev/ether on the Disco subnet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'disco-net-'));
    try {
      mkdirSync(join(dir, 'root', 'bin'), { recursive: true });
      execFileSync('mips-linux-gnu-gcc', ['-static', '-O2', '-o', join(dir, 'root', 'bin', 'netpair'), 'guest/kernel-tests/netpair.c']);
      execFileSync(process.execPath, ['bin/disco.js', 'mkfs', join(dir, 'root'), join(dir, 'a.img')]);
      copyFileSync(join(dir, 'a.img'), join(dir, 'b.img'));
      writeFileSync(join(dir, 'run.json'), JSON.stringify({
        machine: { nodes: 2, cpusPerNode: 1, memPerNodeMB: 32 },
        vms: [{ name: 'a', memMB: 24, disk: 'a.img', argv: ['/bin/netpair', 'send', '1'] }, { name: 'b', memMB: 24, disk: 'b.img', argv: ['/bin/netpair', 'echo'] }],
      }));
      const r = spawnSync(process.execPath, ['bin/disco.js', 'run', '-q', '--console-dir', join(dir, 'out'), join(dir, 'run.json')], { encoding: 'utf8', timeout: 120_000 });
      expect(r.stderr).toBe('');
      expect(readFileSync(join(dir, 'out', 'b.log'), 'utf8')).toBe('from port 0: hello, port 1\n');
      expect(readFileSync(join(dir, 'out', 'a.log'), 'utf8')).toBe('reply from port 1: got 13 bytes\n');
      expect(r.status).toBe(0);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 120_000);
});
