// SPDX-License-Identifier: MIT
import { writeSync } from 'node:fs';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Descriptors whose reader has gone (EPIPE): what is written to them is dropped. */
const closed = new Set<number>();

/**
 * Writes all of `bytes` to a host fd from any thread. A pipe that Node made non-blocking answers
 * EAGAIN when full: wait briefly (backing off to 10 ms) and go on, so no console output is lost.
 * A pipe whose reader has gone (`disco boot ... | head`) takes nothing more, and the run goes on.
 */
export function writeAllSync(fd: number, bytes: Uint8Array): void {
  let done = 0, wait = 0.05;
  while (done < bytes.length && !closed.has(fd)) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
      wait = 0.05;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') { closed.add(fd); return; }
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(sleeper, 0, 0, wait);
      wait = Math.min(wait * 2, 10);
    }
  }
}
