// SPDX-License-Identifier: MIT
/**
 * What the differential suites share (tests/differential.test.ts: qemu-mips against `disco
 * exec`; tests/kernel/differential.test.ts: qemu-mips against the guest kernel under `disco
 * boot`): the cases of guest/tests/cases.json, building the guest programs, resolving the
 * reference emulator, and a compact report of where two outputs differ.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEST_SRC_DIR = path.join(ROOT, 'guest', 'tests');
export const BUILD_DIR = path.join(ROOT, 'build', 'guest-tests');
export const VARIANTS = ['r2', 'r10k'] as const;
export const MAX_BUFFER = 256 * 1024 * 1024;
/** In a case's args: a fresh, empty directory, a different one for each run; also the run's cwd. */
export const TMPDIR_TOKEN = '@TMPDIR@';

export interface CaseSpec {
  name: string;
  program: string;
  args: string[];
  stdin: string;
  env: Record<string, string>;
  status: number;
  compareStderr: boolean;
}

/** How a run ended, for messages: "exit N", "signal SIG" or "error (...)". */
export interface Ending { status: number | null; signal: NodeJS.Signals | null; error?: string }

/** Finds an executable the way a shell would, using the harness's own PATH. */
function which(cmd: string): string | undefined {
  if (cmd.includes('/')) {
    const p = path.resolve(ROOT, cmd);
    return fs.existsSync(p) ? p : undefined;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

/**
 * Resolves a command line (whitespace-separated) to [absolute-exe, ...args].
 * The executable must be resolved here because the child's PATH (from the
 * case's env) is empty or different.
 */
export function resolveCommand(spec: string): { argv: string[]; problem?: string } {
  const parts = spec.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { argv: [], problem: 'empty command' };
  if (parts[0] === 'node') parts[0] = process.execPath;
  const exe = which(parts[0]);
  if (!exe) return { argv: parts, problem: `executable '${parts[0]}' not found in PATH` };
  return { argv: [exe, ...parts.slice(1)] };
}

/** The reference emulator: DISCO_QEMU or qemu-mips. */
export const qemu = resolveCommand(process.env.DISCO_QEMU ?? 'qemu-mips');

/** The cases of guest/tests/cases.json, plus one argument-less case per program it does not name. */
export function loadCases(): CaseSpec[] {
  const programs = fs.existsSync(TEST_SRC_DIR)
    ? fs
        .readdirSync(TEST_SRC_DIR)
        .filter((f) => f.endsWith('.c'))
        .map((f) => f.slice(0, -2))
        .sort()
    : [];
  const file = path.join(TEST_SRC_DIR, 'cases.json');
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: Array<Partial<CaseSpec>> };
  const cases: CaseSpec[] = [];
  const names = new Set<string>();
  for (const c of raw.cases) {
    if (!c.name || !c.program) throw new Error(`cases.json: case without name/program: ${JSON.stringify(c)}`);
    if (names.has(c.name)) throw new Error(`cases.json: duplicate case name ${c.name}`);
    if (!programs.includes(c.program)) throw new Error(`cases.json: case ${c.name}: no guest/tests/${c.program}.c`);
    names.add(c.name);
    cases.push({
      name: c.name,
      program: c.program,
      args: c.args ?? [],
      stdin: c.stdin ?? '',
      env: c.env ?? {},
      status: c.status ?? 0,
      compareStderr: c.compareStderr ?? false,
    });
  }
  const covered = new Set(cases.map((c) => c.program));
  for (const p of programs) {
    if (!covered.has(p) && !names.has(p)) {
      cases.push({ name: p, program: p, args: [], stdin: '', env: {}, status: 0, compareStderr: false });
    }
  }
  return cases;
}

/** Builds build/guest-tests/{r2,r10k}/* (guest/build-tests.sh); a message when that fails. */
export function buildGuestTests(): string | undefined {
  const r = spawnSync('bash', [path.join(ROOT, 'guest', 'build-tests.sh')], { cwd: ROOT, encoding: 'utf8', maxBuffer: MAX_BUFFER });
  if (r.status === 0) return undefined;
  return `guest/build-tests.sh failed (${r.error?.message ?? `exit ${r.status}`}):\n${tail(r.stderr ?? '', 4000)}\n${tail(r.stdout ?? '', 1000)}`;
}

export function describeExit(r: Ending): string {
  if (r.error) return `error (${r.error})`;
  if (r.signal) return `signal ${r.signal}`;
  return `exit ${r.status}`;
}

function visible(line: string, max = 240): string {
  // eslint-disable-next-line no-control-regex
  let s = line.replace(/[\x00-\x08\x0b-\x1f\x7f-\xff]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (s.length > max) s = `${s.slice(0, max)}... (${line.length} chars)`;
  return s;
}

export function tail(text: string, n = 2000): string {
  return text.length > n ? `...${text.slice(-n)}` : text;
}

/** A compact diff: sizes, count of differing lines, and context around the first difference. */
export function formatDiff(what: string, expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  let first = 0;
  while (first < e.length && first < a.length && e[first] === a[first]) first++;
  let differing = 0;
  for (let i = 0; i < Math.max(e.length, a.length); i++) if (e[i] !== a[i]) differing++;
  const out = [
    `${what} differs: reference ${expected.length} bytes / ${e.length} lines, ` +
      `disco ${actual.length} bytes / ${a.length} lines, ${differing} line(s) differ; first at line ${first + 1}`,
  ];
  const from = Math.max(0, first - 3);
  const to = first + 6;
  out.push('--- reference (qemu)');
  for (let i = from; i < Math.min(to, e.length); i++) out.push(`${i === first ? '>' : ' '}${String(i + 1).padStart(5)}| ${visible(e[i])}`);
  if (first >= e.length) out.push('      (end of output)');
  out.push('+++ disco');
  for (let i = from; i < Math.min(to, a.length); i++) out.push(`${i === first ? '>' : ' '}${String(i + 1).padStart(5)}| ${visible(a[i])}`);
  if (first >= a.length) out.push('      (end of output)');
  return out.join('\n');
}

/** A path relative to the repository root when it lies inside it (for commands in messages). */
export function rel(a: string): string {
  return a.startsWith(ROOT + path.sep) ? path.relative(ROOT, a) : a;
}
