// The virtual subnet's queues: unicast, broadcast to every other VM, a full queue, bad destinations.
import { describe, it, expect } from 'vitest';
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
    expect(net.send(0, 0, new Uint8Array(1))).toBe(-1);
    expect(net.send(0, 1, new Uint8Array(SUBNET_MTU + 1))).toBe(-1);
  });
});
