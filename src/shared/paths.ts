// SPDX-License-Identifier: MIT
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this module is src/shared/paths.ts or dist/shared/paths.js. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Compiled worker entry points always come from dist/, even when the caller runs from src/ (tests). */
export function workerFile(name: string): string {
  return join(ROOT, 'dist', 'node-worker', `${name}.js`);
}
