// SPDX-License-Identifier: MIT
/**
 * The FLASH machine as the main thread sees it: it allocates the shared buffers, loads the
 * kernel image into machine memory, starts one long-running piscina task per node (or one task
 * for every node in deterministic mode), and reads the results back. It never steps a CPU.
 */
import { accessSync, constants } from 'node:fs';
import { Piscina } from 'piscina';
import type { MachineConfig } from '../shared/config.js';
import { Barrier } from '../shared/barrier.js';
import { Ctl, Stat, ctlWords } from '../shared/layout.js';
import { MachineMemory } from '../shared/memory.js';
import { IO_BASE } from '../shared/physmap.js';
import { workerFile } from '../shared/paths.js';
import { Msg, Network, networkBytes } from '../interconnect/network.js';
import type { MachineShared } from '../node-worker/node.js';
import type { NodeTask, NodeTaskResult } from '../node-worker/machine-worker.js';
import { ElfError, parseElf } from '../exec/elf.js';
import { coherenceLayout } from '../node-worker/directory.js';
import { framePoolBytes } from '../node-worker/devices/ether.js';
import { ConsoleInput } from '../node-worker/devices/uart.js';
import { BOOTCMD_BYTES, BootCommandError } from '../shared/bootcmd.js';

export interface MachineOptions {
  disk?: string | null;
  watchdogMs?: number;
  /** Verify the coherence invariants continuously (disco stress --check). */
  check?: boolean;
  /** Test-only: a protocol bug the checker must catch. */
  skipInvalidation?: boolean;
  /** Discard the console's output (the caller reports results itself). */
  quietConsole?: boolean;
}

export interface CpuStats {
  cpu: number; node: number; instructions: number; cycles: number; localMisses: number;
  remoteCleanMisses: number; remoteDirtyMisses: number; invalidations: number; downgrades: number; upgrades: number;
  ipisSent: number; ipisReceived: number; hotPageInterrupts: number; stallCycles: number; violations: number;
}

export interface MachineResult {
  exitStatus: number;
  halted: boolean;
  /** Stopped by Ctrl-C (stop()) rather than by the guest. */
  interrupted: boolean;
  hostSeconds: number;
  /** Host seconds of the node loops alone (the slowest node), without starting the workers. */
  runSeconds: number;
  instructions: number;
  simulatedCycles: number;
  simulatedSeconds: number;
  mips: number;
  cpus: CpuStats[];
  /** Interconnect messages sent, by type, over the whole machine. */
  messages: Record<string, number>;
  nodes: { node: number; instructions: number; simulatedCycles: number; localMisses: number; remoteCleanMisses: number; remoteDirtyMisses: number; invalidations: number; ipisSent: number; hotPageInterrupts: number }[];
}

export class Machine {
  readonly memory: MachineMemory;
  readonly shared: MachineShared;
  private readonly ctl: Int32Array;
  private readonly stats: Float64Array;
  /** Physical end of the loaded kernel image (its bss included). */
  private kernelEnd = 0;

  constructor(readonly config: MachineConfig, opts: MachineOptions = {}) {
    if (opts.disk) {
      try { accessSync(opts.disk, constants.R_OK | constants.W_OK); } catch (e) {
        throw new Error(`${opts.disk}: cannot open disk image (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    const cpus = config.nodes * config.cpusPerNode;
    const memBytes = config.nodes * config.memPerNodeMB * 1024 * 1024;
    const netCapacity = 64;
    this.shared = {
      config,
      memory: new SharedArrayBuffer(memBytes),
      ctl: new SharedArrayBuffer(4 * ctlWords(cpus)),
      stats: new SharedArrayBuffer(8 * Stat.WORDS * cpus),
      net: new SharedArrayBuffer(networkBytes({ nodes: config.nodes, capacity: netCapacity })),
      netCapacity,
      barrier: new SharedArrayBuffer(4 * Barrier.words(config.nodes)),
      disk: opts.disk ?? null,
      entry: 0,
      stack: 0,
      bootArgs: [],
      watchdogMs: opts.watchdogMs ?? 30_000,
      coherence: config.coherence ? new SharedArrayBuffer(4 * coherenceLayout(config).words) : null,
      check: opts.check ?? false,
      skipInvalidation: opts.skipInvalidation ?? false,
      frames: new SharedArrayBuffer(framePoolBytes(config.nodes)),
      consoleIn: new ConsoleInput().buffer,
      consoleOut: opts.quietConsole ? 'discard' : 'stdout',
      disco: null,
    };
    this.memory = new MachineMemory(this.shared.memory);
    this.ctl = new Int32Array(this.shared.ctl);
    this.ctl[Ctl.HotThreshold] = config.hotPageThreshold;
    this.stats = new Float64Array(this.shared.stats);
  }

  /**
   * Loads a kernel ELF linked in kseg0 or kseg1 (physical = virtual & 0x1fffffff). CPU 0 will start
   * at its entry with the stack at the top of node 0's memory (as kseg0).
   */
  loadKernel(bytes: Uint8Array): void {
    const image = parseElf(bytes, 'kernel');
    const nodeMem = this.config.memPerNodeMB << 20;
    for (const seg of image.segments) {
      const pa = seg.vaddr & 0x1fffffff;
      if (pa + seg.memsz > Math.min(this.memory.size, IO_BASE)) {
        throw new ElfError(`segment at 0x${seg.vaddr.toString(16)} (${seg.memsz} bytes) does not fit in machine memory`);
      }
      this.memory.writeBytes(pa, image.bytes.subarray(seg.offset, seg.offset + seg.filesz));
      this.memory.fill(pa + seg.filesz, seg.memsz - seg.filesz, 0);
      this.kernelEnd = Math.max(this.kernelEnd, pa + seg.memsz);
    }
    this.shared.entry = image.entry | 0;
    this.shared.stack = (0x80000000 + Math.min(nodeMem, IO_BASE) - 64) | 0;
  }

  /**
   * Writes a boot command block (src/shared/bootcmd.ts) where the guest kernel looks for it: the
   * last BOOTCMD_BYTES of node 0's memory (guest/kernel/kernel.h, BOOTCMD_PA). Call after loadKernel.
   */
  loadBootCommand(block: Uint8Array): void {
    const pa = (this.config.memPerNodeMB << 20) - BOOTCMD_BYTES;
    if (pa < this.kernelEnd) throw new BootCommandError(`the boot command block would overwrite the kernel: node 0 needs more than ${this.config.memPerNodeMB} MB`);
    if (pa + BOOTCMD_BYTES > IO_BASE) throw new BootCommandError(`the boot command block would lie in the I/O window: node 0 may have at most ${IO_BASE >>> 20} MB`);
    this.memory.writeBytes(pa, block);
  }

  /** Runs until the guest writes the halt register (or stop() is called). */
  async run(onProgress?: (quanta: number) => void): Promise<MachineResult> {
    const cfg = this.config;
    const groups = cfg.deterministic ? [Array.from({ length: cfg.nodes }, (_, i) => i)] : Array.from({ length: cfg.nodes }, (_, i) => [i]);
    const pool = new Piscina<NodeTask, NodeTaskResult>({
      filename: workerFile('machine-worker'),
      minThreads: groups.length,
      maxThreads: groups.length,
      idleTimeout: 1000,
      maxQueue: 0,
    });
    const start = process.hrtime.bigint();
    const timer = onProgress ? setInterval(() => onProgress(Atomics.load(this.ctl, Ctl.Quanta)), 500) : null;
    let runSeconds = 0;
    try {
      const done = await Promise.all(groups.map((nodes) => pool.run({ shared: this.shared, nodes })));
      runSeconds = Math.max(...done.map((d) => d.seconds));
    } finally {
      if (timer) clearInterval(timer);
      await pool.destroy();
    }
    const hostSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    return this.result(hostSeconds, runSeconds);
  }

  /**
   * Feeds a stream (the user's stdin) to the console UART's input, then marks its end. Bytes wait
   * in the stream while the input ring is full.
   */
  feedConsole(stream: NodeJS.ReadableStream): void {
    const input = new ConsoleInput(this.shared.consoleIn);
    let pending: Uint8Array | null = null;
    const drain = (): void => {
      while (pending !== null) {
        const n = input.push(pending);
        pending = n === pending.length ? null : pending.subarray(n);
        if (pending !== null) { stream.pause(); setTimeout(drain, 5); return; }
      }
      stream.resume();
    };
    stream.on('data', (chunk: Buffer) => { pending = pending === null ? chunk : Buffer.concat([pending, chunk]); drain(); });
    stream.on('end', () => {
      const finish = (): void => { if (pending !== null) { setTimeout(finish, 5); return; } input.end(); };
      finish();
    });
  }

  /** Asks every node to stop at its next quantum boundary (Ctrl-C). */
  stop(): void {
    Atomics.store(this.ctl, Ctl.StopRequest, 1);
  }

  failedNode(): number { return Atomics.load(this.ctl, Ctl.FailedNode) - 1; }

  result(hostSeconds: number, runSeconds = hostSeconds): MachineResult {
    const cfg = this.config, s = this.stats, P = cfg.cpusPerNode;
    const cpus: CpuStats[] = [];
    for (let c = 0; c < cfg.nodes * P; c++) {
      const b = c * Stat.WORDS;
      cpus.push({
        cpu: c, node: Math.floor(c / P), instructions: s[b + Stat.Instructions], cycles: s[b + Stat.Cycles],
        localMisses: s[b + Stat.LocalMisses], remoteCleanMisses: s[b + Stat.RemoteCleanMisses], remoteDirtyMisses: s[b + Stat.RemoteDirtyMisses],
        invalidations: s[b + Stat.Invalidations], downgrades: s[b + Stat.Downgrades], upgrades: s[b + Stat.Upgrades],
        ipisSent: s[b + Stat.IpisSent], ipisReceived: s[b + Stat.IpisReceived],
        hotPageInterrupts: s[b + Stat.HotPageInterrupts], stallCycles: s[b + Stat.StallCycles], violations: s[b + Stat.Violations],
      });
    }
    const sum = (xs: CpuStats[], k: keyof CpuStats) => xs.reduce((a, x) => a + x[k], 0);
    const nodes = Array.from({ length: cfg.nodes }, (_, n) => {
      const mine = cpus.filter((c) => c.node === n);
      return {
        node: n, instructions: sum(mine, 'instructions'), simulatedCycles: Math.max(...mine.map((c) => c.cycles)),
        localMisses: sum(mine, 'localMisses'), remoteCleanMisses: sum(mine, 'remoteCleanMisses'), remoteDirtyMisses: sum(mine, 'remoteDirtyMisses'),
        invalidations: sum(mine, 'invalidations'), ipisSent: sum(mine, 'ipisSent'), hotPageInterrupts: sum(mine, 'hotPageInterrupts'),
      };
    });
    const net = new Network({ nodes: cfg.nodes, capacity: this.shared.netCapacity }, this.shared.net, () => 0);
    const messages: Record<string, number> = {};
    for (const [name, type] of [['ipi', Msg.Ipi], ['start', Msg.Start], ['frame', Msg.Frame], ['hotPage', Msg.HotPage]] as const) {
      let n = 0;
      for (let node = 0; node < cfg.nodes; node++) n += net.sent(node, type);
      messages[name] = n;
    }
    const instructions = sum(cpus, 'instructions');
    const simulatedCycles = Math.max(...cpus.map((c) => c.cycles));
    return {
      exitStatus: Atomics.load(this.ctl, Ctl.ExitStatus),
      halted: Atomics.load(this.ctl, Ctl.Halted) !== 0,
      interrupted: Atomics.load(this.ctl, Ctl.StopRequest) !== 0,
      hostSeconds,
      runSeconds,
      instructions,
      simulatedCycles,
      simulatedSeconds: simulatedCycles / (cfg.clockMHz * 1e6),
      mips: instructions / hostSeconds / 1e6,
      cpus,
      messages,
      nodes,
    };
  }
}
