// SPDX-License-Identifier: MIT
/**
 * Cache coherence as a timing and statistics model (DESIGN.md section 3; vocabulary from zsim:
 * GETS, GETX, PUTS/PUTX, INV, downgrade). Data always lives in machine memory; this decides who
 * holds each line, in which MESI state, and what each miss costs.
 *
 * Shared state (all in one SharedArrayBuffer, layout in `coherenceLayout`):
 *  - directory: per line of machine memory at its home node, a header word
 *    [31] lock, [17:16] state (Uncached, Shared, Exclusive), [7:0] owner CPU,
 *    then a sharer bit vector of one bit per CPU;
 *  - caches: per CPU, sets x ways words, each `line * 4 + state` (0 = empty), plus a
 *    round-robin victim word per set;
 *  - filters: per CPU, a direct-mapped copy of lines it may read / write without asking,
 *    which the CPU's fast path checks; whoever invalidates a line clears them;
 *  - hot-page counters: misses per machine page per node (FLASH's MAGIC counters).
 * A transaction holds exactly one directory lock, so no two CPUs can deadlock.
 */
import type { MachineConfig } from '../shared/config.js';
import { hops } from '../shared/config.js';
import { Stat } from '../shared/layout.js';

/** MESI states of a cache line, as kept in the tag word's low 2 bits. */
export const enum Mesi { I = 0, S = 1, E = 2, M = 3 }
/** Directory states. */
export const enum Dir { Uncached = 0, Shared = 1, Exclusive = 2 }

const LOCK = 1 << 31, STATE_SHIFT = 16, OWNER_MASK = 0xff;
const SPIN_LIMIT = 50_000_000;

export interface CoherenceLayout {
  lines: number; lineShift: number; cpus: number; sharerWords: number; entryWords: number;
  sets: number; ways: number; cacheWords: number; filterSize: number; pages: number;
  dirBase: number; cacheBase: number; victimBase: number; readBase: number; writeBase: number; pageBase: number;
  words: number;
}

export function coherenceLayout(cfg: MachineConfig): CoherenceLayout {
  const memBytes = cfg.nodes * cfg.memPerNodeMB * 1024 * 1024;
  const lineShift = Math.log2(cfg.cache.lineBytes);
  const lines = memBytes >>> lineShift;
  const cpus = cfg.nodes * cfg.cpusPerNode;
  const sharerWords = Math.ceil(cpus / 32), entryWords = 1 + sharerWords;
  const ways = cfg.cache.ways, sets = (cfg.cache.sizeKB * 1024) / (cfg.cache.lineBytes * ways);
  const cacheWords = sets * ways, filterSize = sets * ways;
  const pages = memBytes >>> 12;
  const dirBase = 0;
  const cacheBase = dirBase + lines * entryWords;
  const victimBase = cacheBase + cpus * cacheWords;
  const readBase = victimBase + cpus * sets;
  const writeBase = readBase + cpus * filterSize;
  const pageBase = writeBase + cpus * filterSize;
  const words = pageBase + pages * cfg.nodes;
  return { lines, lineShift, cpus, sharerWords, entryWords, sets, ways, cacheWords, filterSize, pages, dirBase, cacheBase, victimBase, readBase, writeBase, pageBase, words };
}

/** Receives hot-page notices (the home node's controller raises the interrupt). */
export interface HotPageSink { hotPage(page: number, node: number): void }

/**
 * One CPU's cache controller plus its side of the directory protocol. `access` is the slow path
 * the CPU calls when its filter misses: it returns the stall cycles the access costs.
 */
export class CacheController {
  readonly node: number;
  private readonly w: Int32Array;
  private readonly L: CoherenceLayout;
  private readonly myCache: number;
  private readonly myFilterR: number;
  private readonly myFilterW: number;
  private readonly memPerNodeLines: number;
  private readonly localCycles: number;
  private readonly remoteCycles: number;
  private readonly hopCycles: number;
  private readonly cpusPerNode: number;
  /** Test-only: make GETX skip invalidating the other sharers (the checker must catch it). */
  skipInvalidation = false;
  /** Check the invariants of every line this controller touches. */
  check = false;
  violations = 0;

  constructor(
    readonly cpu: number,
    private readonly cfg: MachineConfig,
    buffer: SharedArrayBuffer,
    private readonly stats: Float64Array,
    private readonly hot: HotPageSink,
    /** Where the hot-page threshold is read (a word of the control block; FLASH's MAGIC holds it). */
    private readonly threshold: { words: Int32Array; index: number },
  ) {
    this.w = new Int32Array(buffer);
    const L = this.L = coherenceLayout(cfg);
    this.cpusPerNode = cfg.cpusPerNode;
    this.node = Math.floor(cpu / cfg.cpusPerNode);
    this.myCache = L.cacheBase + cpu * L.cacheWords;
    this.myFilterR = L.readBase + cpu * L.filterSize;
    this.myFilterW = L.writeBase + cpu * L.filterSize;
    this.memPerNodeLines = (cfg.memPerNodeMB * 1024 * 1024) >>> L.lineShift;
    const cyclesPerNs = cfg.clockMHz / 1000;
    this.localCycles = Math.round(cfg.latency.localNs * cyclesPerNs);
    this.remoteCycles = Math.round(cfg.latency.remoteNs * cyclesPerNs);
    this.hopCycles = Math.round(cfg.latency.perHopNs * cyclesPerNs);
  }

  /** The filter arrays the CPU's fast path reads: a line may be read (write) without a transaction. */
  get filter(): { words: Int32Array; read: number; write: number; mask: number; shift: number } {
    return { words: this.w, read: this.myFilterR, write: this.myFilterW, mask: this.L.filterSize - 1, shift: this.L.lineShift };
  }

  /** Slow path of a load or store to RAM at physical address pa. Returns stall cycles. */
  access(pa: number, write: boolean): number {
    const L = this.L, w = this.w, line = pa >>> L.lineShift;
    if (line >= L.lines) return 0;
    const set = line & (L.sets - 1), base = this.myCache + set * L.ways;
    for (let way = 0; way < L.ways; way++) {
      const tag = w[base + way];
      if (tag === 0 || (tag >>> 2) !== line) continue;
      const st = tag & 3;
      if (!write) { this.setFilter(line, false); return 0; }
      if (st === Mesi.M) { this.setFilter(line, true); return 0; }
      // E -> M needs no transaction, unless someone downgraded us meanwhile (the CAS fails).
      if (st === Mesi.E && Atomics.compareExchange(w, base + way, tag, line * 4 + Mesi.M) === tag) { this.setFilter(line, true); return 0; }
      return this.transaction(line, true, base + way);
    }
    return this.transaction(line, write, -1);
  }

  private setFilter(line: number, write: boolean): void {
    const i = line & (this.L.filterSize - 1);
    this.w[this.myFilterR + i] = line;
    if (write) this.w[this.myFilterW + i] = line;
  }

  /** A GETS (read miss), GETX (write miss) or upgrade (write hit in S) at the line's home directory. */
  private transaction(line: number, write: boolean, slot: number): number {
    const L = this.L, w = this.w, me = this.cpu;
    if (slot < 0) slot = this.evictFor(line);
    const entry = L.dirBase + line * L.entryWords;
    const header = this.lock(entry, line);
    const state = (header >>> STATE_SHIFT) & 3, owner = header & OWNER_MASK;
    const home = Math.floor(line / this.memPerNodeLines);
    let cost = home === this.node ? this.localCycles : this.remoteCycles + this.hopCycles * hops(this.cfg, this.node, home);
    let klass = home === this.node ? Stat.LocalMisses : Stat.RemoteCleanMisses;
    const upgrade = (w[slot] >>> 2) === line && w[slot] !== 0;
    let newState: number, newHeader: number;

    if (state === Dir.Exclusive && owner !== me) {
      // The owner may hold it Modified: forward to the owner (three hops), which downgrades or loses it.
      const was = this.takeFrom(owner, line, write ? Mesi.I : Mesi.S);
      if (was === Mesi.M) { klass = Stat.RemoteDirtyMisses; cost += this.hopCycles * hops(this.cfg, home, Math.floor(owner / this.cpusPerNode)) + this.remoteCycles / 2; }
      if (write) this.clearSharers(entry); else this.addSharer(entry, owner);
    }
    if (write) {
      if (state === Dir.Shared && !this.skipInvalidation) {
        for (let k = 0; k < L.sharerWords; k++) {
          let bits = w[entry + 1 + k];
          while (bits !== 0) {
            const b = 31 - Math.clz32(bits);
            bits &= ~(1 << b);
            const c = k * 32 + b;
            if (c !== me) { this.takeFrom(c, line, Mesi.I); this.stats[me * Stat.WORDS + Stat.Invalidations]++; }
          }
        }
      }
      if (state === Dir.Shared && this.skipInvalidation) { /* sharers keep their copies: a protocol bug on purpose */ }
      else this.clearSharers(entry);
      this.addSharer(entry, me);
      newState = Mesi.M;
      newHeader = (Dir.Exclusive << STATE_SHIFT) | me;
      if (upgrade) this.stats[me * Stat.WORDS + Stat.Upgrades]++;
    } else {
      const alone = state === Dir.Uncached || (state === Dir.Exclusive && owner === me) || (state === Dir.Shared && this.onlySharer(entry, me));
      this.addSharer(entry, me);
      newState = alone ? Mesi.E : Mesi.S;
      newHeader = alone ? (Dir.Exclusive << STATE_SHIFT) | me : (Dir.Shared << STATE_SHIFT);
    }
    Atomics.store(w, slot, line * 4 + newState);
    this.setFilter(line, newState === Mesi.M);
    if (this.check) this.verify(line, entry, newHeader);
    Atomics.store(w, entry, newHeader); // unlocks
    this.stats[me * Stat.WORDS + klass]++;
    this.stats[me * Stat.WORDS + Stat.StallCycles] += cost;
    this.countMiss(line);
    return cost;
  }

  /**
   * A device wrote [pa, pa+len) by DMA: every cached copy of those lines is invalidated, on
   * behalf of this controller's CPU (the node whose device it was).
   */
  dmaWrite(pa: number, len: number): void {
    const L = this.L, w = this.w;
    const first = pa >>> L.lineShift, last = Math.min(L.lines - 1, (pa + len - 1) >>> L.lineShift);
    for (let line = first; line <= last; line++) {
      const entry = L.dirBase + line * L.entryWords;
      if ((Atomics.load(w, entry) >>> STATE_SHIFT & 3) === Dir.Uncached) continue;
      this.lock(entry, line);
      for (let c = 0; c < L.cpus; c++) {
        if ((w[entry + 1 + (c >>> 5)] & (1 << (c & 31))) !== 0 && this.takeFrom(c, line, Mesi.I) !== Mesi.I) {
          this.stats[this.cpu * Stat.WORDS + Stat.Invalidations]++;
        }
      }
      this.clearSharers(entry);
      Atomics.store(w, entry, Dir.Uncached << STATE_SHIFT);
    }
  }

  /** Chooses a way for `line` in its set (an empty one, else round robin), evicting the victim (PUTS/PUTX). */
  private evictFor(line: number): number {
    const L = this.L, w = this.w, set = line & (L.sets - 1), base = this.myCache + set * L.ways;
    for (let way = 0; way < L.ways; way++) if (w[base + way] === 0) return base + way;
    const vi = this.L.victimBase + this.cpu * L.sets + set;
    const way = w[vi];
    w[vi] = (way + 1) % L.ways;
    const slot = base + way;
    const victim = w[slot] >>> 2;
    const entry = L.dirBase + victim * L.entryWords;
    const header = this.lock(entry, victim);
    this.clearFilter(this.cpu, victim);
    Atomics.store(w, slot, 0);
    const bit = 1 << (this.cpu & 31), k = this.cpu >>> 5;
    w[entry + 1 + k] &= ~bit;
    let h = header;
    if (((header >>> STATE_SHIFT) & 3) === Dir.Exclusive && (header & OWNER_MASK) === this.cpu) h = Dir.Uncached << STATE_SHIFT;
    else if (this.noSharers(entry)) h = Dir.Uncached << STATE_SHIFT;
    Atomics.store(w, entry, h);
    return slot;
  }

  /** INV or downgrade of `line` in CPU c's cache; returns the state the copy had. */
  private takeFrom(c: number, line: number, to: Mesi): number {
    const L = this.L, w = this.w, base = L.cacheBase + c * L.cacheWords + (line & (L.sets - 1)) * L.ways;
    this.clearFilter(c, line);
    for (let way = 0; way < L.ways; way++) {
      for (;;) {
        const tag = w[base + way];
        if (tag === 0 || (tag >>> 2) !== line) break;
        const next = to === Mesi.I ? 0 : line * 4 + to;
        if (Atomics.compareExchange(w, base + way, tag, next) === tag) {
          if (to === Mesi.S) this.stats[this.cpu * Stat.WORDS + Stat.Downgrades]++;
          return tag & 3;
        }
      }
    }
    return Mesi.I;
  }

  private clearFilter(c: number, line: number): void {
    const i = line & (this.L.filterSize - 1), w = this.w;
    const r = this.L.readBase + c * this.L.filterSize + i, wr = this.L.writeBase + c * this.L.filterSize + i;
    if (w[wr] === line) w[wr] = -1;
    if (w[r] === line) w[r] = -1;
  }

  private lock(entry: number, line: number): number {
    const w = this.w;
    for (let spins = 0; ; spins++) {
      const h = Atomics.load(w, entry);
      if ((h & LOCK) === 0 && Atomics.compareExchange(w, entry, h, h | LOCK) === h) return h;
      if (spins > SPIN_LIMIT) throw new Error(`watchdog: cpu ${this.cpu} spun ${SPIN_LIMIT} times on the directory lock of line 0x${line.toString(16)}`);
    }
  }

  private addSharer(entry: number, c: number): void { this.w[entry + 1 + (c >>> 5)] |= 1 << (c & 31); }
  private clearSharers(entry: number): void { for (let k = 0; k < this.L.sharerWords; k++) this.w[entry + 1 + k] = 0; }
  private noSharers(entry: number): boolean {
    for (let k = 0; k < this.L.sharerWords; k++) if (this.w[entry + 1 + k] !== 0) return false;
    return true;
  }
  private onlySharer(entry: number, c: number): boolean {
    for (let k = 0; k < this.L.sharerWords; k++) {
      const want = (c >>> 5) === k ? 1 << (c & 31) : 0;
      if ((this.w[entry + 1 + k] & ~want) !== 0) return false;
    }
    return true;
  }

  /** Counts a miss against the page's per-node counter; at the threshold, the hot-page interrupt. */
  private countMiss(line: number): void {
    const page = (line << this.L.lineShift) >>> 12;
    const i = this.L.pageBase + page * this.cfg.nodes + this.node;
    if (Atomics.add(this.w, i, 1) + 1 === Atomics.load(this.threshold.words, this.threshold.index)) {
      this.hot.hotPage(page, this.node);
      this.stats[this.cpu * Stat.WORDS + Stat.HotPageInterrupts]++;
    }
  }

  /** Misses from `node` to a machine page since its counters were last cleared. */
  pageMisses(page: number, node: number): number {
    return page < this.L.pages ? Atomics.load(this.w, this.L.pageBase + page * this.cfg.nodes + node) : 0;
  }

  /** Clears every node's miss counter of a page (node controller ResetPage). */
  resetPage(page: number): void {
    if (page >= this.L.pages) return;
    for (let n = 0; n < this.cfg.nodes; n++) Atomics.store(this.w, this.L.pageBase + page * this.cfg.nodes + n, 0);
  }

  /**
   * The invariants, for one line under its lock: at most one Modified/Exclusive copy and no
   * Shared copy beside it; every cached copy recorded in the directory.
   */
  private verify(line: number, entry: number, header: number): void {
    const L = this.L, w = this.w;
    let exclusive = 0, shared = 0, unrecorded = 0;
    for (let c = 0; c < L.cpus; c++) {
      const base = L.cacheBase + c * L.cacheWords + (line & (L.sets - 1)) * L.ways;
      for (let way = 0; way < L.ways; way++) {
        const tag = w[base + way];
        if (tag === 0 || (tag >>> 2) !== line) continue;
        if ((tag & 3) >= Mesi.E) exclusive++; else shared++;
        if ((w[entry + 1 + (c >>> 5)] & (1 << (c & 31))) === 0) unrecorded++;
      }
    }
    const dirExclusive = ((header >>> STATE_SHIFT) & 3) === Dir.Exclusive;
    if (exclusive > 1 || (exclusive === 1 && shared > 0) || unrecorded > 0 || (exclusive === 1 && !dirExclusive)) this.violations++;
  }

  /** Full sweep of every line (the end-of-run check). Returns the number of lines violating an invariant. */
  sweep(): number {
    let bad = 0;
    const before = this.violations;
    for (let line = 0; line < this.L.lines; line++) {
      const entry = this.L.dirBase + line * this.L.entryWords;
      this.verify(line, entry, this.w[entry]);
      if (this.violations !== before + bad) bad++;
    }
    this.violations = before;
    return bad;
  }
}
