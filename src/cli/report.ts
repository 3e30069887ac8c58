// SPDX-License-Identifier: MIT
/** The run summary of the FLASH machine: per CPU, per node, and for the machine. */
import type { MachineResult } from '../machine/machine.js';
import { table } from './table.js';

export function machineSummary(r: MachineResult): string {
  const cpuRows = r.cpus.map((c) => [c.cpu, c.node, c.instructions, c.cycles, c.localMisses, c.remoteCleanMisses, c.remoteDirtyMisses, c.invalidations, c.ipisSent, c.ipisReceived, c.hotPageInterrupts]);
  const nodeRows = r.nodes.map((n) => [n.node, n.instructions, n.simulatedCycles, n.localMisses, n.remoteCleanMisses, n.remoteDirtyMisses, n.invalidations, n.ipisSent, n.hotPageInterrupts]);
  return 'per CPU\n' +
    table(['cpu', 'node', 'instructions', 'cycles', 'local', 'remote-clean', 'remote-dirty', 'invals', 'ipi-sent', 'ipi-recv', 'hot-page'], cpuRows) +
    'per node\n' +
    table(['node', 'instructions', 'cycles', 'local', 'remote-clean', 'remote-dirty', 'invals', 'ipi-sent', 'hot-page'], nodeRows) +
    'interconnect messages\n' +
    table(Object.keys(r.messages), [Object.values(r.messages)]) +
    'machine\n' +
    table(['simulated-ms', 'host-seconds', 'instructions', 'emulated-MIPS', 'exit'], [[r.simulatedSeconds * 1000, r.hostSeconds, r.instructions, r.mips, r.exitStatus]]);
}
