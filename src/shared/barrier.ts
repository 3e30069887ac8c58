// SPDX-License-Identifier: MIT
/**
 * The quantum barrier between node workers (DESIGN.md section 2). Sense-reversing on a shared
 * generation word. A waiter spins briefly on Atomics.load (cheap when the others are close),
 * then sleeps on its node's doorbell with a timeout, servicing its mailbox at every wake so two
 * nodes that message each other while waiting always progress. A watchdog names the nodes that
 * never arrived.
 */

/** Per-node doorbell words; the interconnect rings them on every message. */
export interface Doorbells {
  readonly words: Int32Array;
  doorbellIndex(node: number): number;
  ring(node: number): void;
}

/** What a waiting node does while it waits: drain its mailbox. */
export interface Mailbox {
  service(): void;
}

const COUNT = 0, GENERATION = 16, ARRIVED = 32;
const SPINS = 4000;
const SLEEP_MS = 2;

export class WatchdogError extends Error {
  constructor(message: string) { super(message); this.name = 'WatchdogError'; }
}

export class Barrier {
  static words(parties: number): number { return ARRIVED + parties; }

  constructor(
    private readonly w: Int32Array,
    private readonly base: number,
    readonly parties: number,
    private readonly bells: Doorbells,
    private readonly watchdogMs = 30_000,
    private readonly abort: { words: Int32Array; index: number } | null = null,
  ) {}

  /**
   * Blocks node until all parties arrive; services `mailbox` while waiting. `what` names the wait
   * for the watchdog. Returns false if the abort word became non-zero while waiting.
   */
  arrive(node: number, mailbox: Mailbox, what: string): boolean {
    const w = this.w, b = this.base;
    const gen = Atomics.load(w, b + GENERATION);
    Atomics.store(w, b + ARRIVED + node, gen + 1);
    if (Atomics.add(w, b + COUNT, 1) === this.parties - 1) {
      Atomics.store(w, b + COUNT, 0);
      Atomics.add(w, b + GENERATION, 1);
      for (let i = 0; i < this.parties; i++) if (i !== node) this.bells.ring(i);
      return true;
    }
    for (let i = 0; i < SPINS; i++) if (Atomics.load(w, b + GENERATION) !== gen) return true;
    const bell = this.bells.doorbellIndex(node), bw = this.bells.words;
    const start = Date.now();
    for (;;) {
      const seen = Atomics.load(bw, bell);
      mailbox.service();
      if (Atomics.load(w, b + GENERATION) !== gen) return true;
      if (this.abort !== null && Atomics.load(this.abort.words, this.abort.index) !== 0) return false;
      Atomics.wait(bw, bell, seen, SLEEP_MS);
      if (Atomics.load(w, b + GENERATION) !== gen) return true;
      if (Date.now() - start > this.watchdogMs) throw new WatchdogError(this.report(node, gen, what));
    }
  }

  private report(node: number, gen: number, what: string): string {
    const missing: number[] = [];
    for (let i = 0; i < this.parties; i++) if (Atomics.load(this.w, this.base + ARRIVED + i) !== gen + 1) missing.push(i);
    return `watchdog: node ${node} waited ${this.watchdogMs} ms at ${what}; nodes not arrived: ${missing.join(', ') || 'none'}`;
  }
}
