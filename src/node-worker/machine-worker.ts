// SPDX-License-Identifier: MIT
/**
 * The worker-thread entry of the FLASH machine (one piscina task per node, long-running): build
 * the node, then loop: service the mailbox, run a quantum, publish counters, meet the other
 * nodes at the barrier; stop when the machine halts. In deterministic mode one task runs every
 * node round robin in one thread, with identical results run after run.
 */
import { Barrier } from '../shared/barrier.js';
import { Ctl } from '../shared/layout.js';
import { FlashNode, makeNetwork, type MachineShared } from './node.js';

export interface NodeTask {
  shared: MachineShared;
  /** Nodes this task runs: one in parallel mode, all in deterministic mode. */
  nodes: number[];
}

/** `seconds`: host time of the quantum loop alone (without starting the worker and building the node). */
export interface NodeTaskResult { nodes: number[]; quanta: number; seconds: number }

export default function runNodes(task: NodeTask): NodeTaskResult {
  const { shared } = task;
  const cfg = shared.config, ctl = new Int32Array(shared.ctl);
  const net = makeNetwork(shared);
  const nodes: FlashNode[] = [];
  let current = task.nodes[0];
  try {
    for (const id of task.nodes) { current = id; nodes.push(new FlashNode(shared, id, net)); }
    const parallel = task.nodes.length < cfg.nodes;
    const barrier = parallel
      ? new Barrier(new Int32Array(shared.barrier), 0, cfg.nodes, net, shared.watchdogMs, { words: ctl, index: Ctl.Halted })
      : null;
    let quanta = 0;
    const start = performance.now();
    for (;;) {
      for (const node of nodes) {
        current = node.nodeId;
        node.service();
        node.runQuantum(cfg.quantumCycles);
        node.publish();
      }
      quanta++;
      if (task.nodes[0] === 0) Atomics.store(ctl, Ctl.Quanta, quanta);
      if (Atomics.load(ctl, Ctl.StopRequest) !== 0 && Atomics.load(ctl, Ctl.Halted) === 0) Atomics.store(ctl, Ctl.Halted, 1);
      if (barrier !== null && !barrier.arrive(task.nodes[0], nodes[0], `the end of quantum ${quanta}`)) break;
      if (Atomics.load(ctl, Ctl.Halted) !== 0) break;
    }
    return { nodes: task.nodes, quanta, seconds: (performance.now() - start) / 1000 };
  } catch (e) {
    Atomics.compareExchange(ctl, Ctl.FailedNode, 0, current + 1);
    Atomics.store(ctl, Ctl.Halted, 1);
    for (let n = 0; n < cfg.nodes; n++) net.ring(n);
    const err = e instanceof Error ? e : new Error(String(e));
    err.message = `node ${current}: ${err.message}`;
    throw err;
  } finally {
    for (const node of nodes) { node.publish(); node.close(); }
  }
}
