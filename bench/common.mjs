// Shared by the benchmarks that run the guest workloads (guest/workloads): the project's paths,
// command-line flags, expected.json, and a root file system of the shipped workloads.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DISCO = path.join(ROOT, 'bin', 'disco.js');
/** The value after flag `name` on the command line, or `dflt`. */
export const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
/** guest/workloads/expected.json: per workload and size, its arguments and checksum. */
export const expected = JSON.parse(fs.readFileSync(path.join(ROOT, 'guest', 'workloads', 'expected.json'), 'utf8'));

/** The workloads named in the comma list `only` ('' : all); exits 2, naming the known ones, if none is. */
export function selectWorkloads(tool, only) {
  const names = Object.keys(expected.workloads).filter((n) => !only || only.split(',').includes(n));
  if (names.length === 0) { console.error(`${tool}: none selected (known: ${Object.keys(expected.workloads).join(', ')})`); process.exit(2); }
  return names;
}

/**
 * A temporary directory (removed at exit) holding root.img: a `disco mkfs` image with the shipped
 * workloads under /bin and an empty /tmp. Each run boots its own copy.
 */
export function workloadImage(tool) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `disco-${tool}-`));
  process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
  fs.cpSync(path.join(ROOT, 'guest', 'images', 'workloads'), path.join(work, 'root', 'bin'), { recursive: true });
  fs.mkdirSync(path.join(work, 'root', 'tmp'), { recursive: true });
  const image = path.join(work, 'root.img');
  const mkfs = spawnSync(process.execPath, [DISCO, 'mkfs', path.join(work, 'root'), image], { encoding: 'utf8' });
  if (mkfs.status !== 0) { console.error(`${tool}: disco mkfs failed: ${mkfs.stderr}`); process.exit(1); }
  return { work, image };
}
