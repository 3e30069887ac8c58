/**
 * Differential tests: every guest program in guest/tests/ (see cases.json) is
 * run under the reference emulator (qemu-mips, user mode) and under Disco
 * (`node bin/disco.js exec BINARY ARGS...`); stdout and the exit status must
 * be identical (stderr too where a case asks for it).
 *
 * Both builds of each program are exercised: build/guest-tests/r2 (MIPS32r2)
 * and build/guest-tests/r10k (-march=r10000). They are (re)built by
 * guest/build-tests.sh in beforeAll.
 *
 * Environment knobs:
 *   DISCO_EXEC_OVERRIDE   command that replaces `node bin/disco.js exec`, split
 *                         on whitespace; e.g. DISCO_EXEC_OVERRIDE=qemu-mips
 *                         checks the harness and the corpus against qemu itself.
 *   DISCO_QEMU            reference emulator command (default: qemu-mips).
 *   DISCO_DIFF_TIMEOUT_MS per-run timeout in ms (default 60000).
 *
 * Each run gets an environment built from scratch (only the case's `env`),
 * passed explicitly to both runs, and its own fresh temp dir, which is the
 * run's cwd and replaces the `@TMPDIR@` token in args.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEST_SRC_DIR = path.join(ROOT, 'guest', 'tests');
const BUILD_DIR = path.join(ROOT, 'build', 'guest-tests');
const BUILD_SCRIPT = path.join(ROOT, 'guest', 'build-tests.sh');
const VARIANTS = ['r2', 'r10k'] as const;
const RUN_TIMEOUT_MS = Number(process.env.DISCO_DIFF_TIMEOUT_MS ?? 60_000);
const MAX_BUFFER = 256 * 1024 * 1024;
const TMPDIR_TOKEN = '@TMPDIR@';

interface CaseSpec {
  name: string;
  program: string;
  args: string[];
  stdin: string;
  env: Record<string, string>;
  status: number;
  compareStderr: boolean;
}

interface RunResult {
  stdout: string; // decoded as latin1, i.e. byte-exact
  stderr: string;
  status: number | null;
  signal: NodeJS.Signals | null;
  error?: string;
  ms: number;
}

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
function resolveCommand(spec: string): { argv: string[]; problem?: string } {
  const parts = spec.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { argv: [], problem: 'empty command' };
  if (parts[0] === 'node') parts[0] = process.execPath;
  const exe = which(parts[0]);
  if (!exe) return { argv: parts, problem: `executable '${parts[0]}' not found in PATH` };
  return { argv: [exe, ...parts.slice(1)] };
}

function loadCases(): CaseSpec[] {
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

function runGuest(command: string[], binary: string, c: CaseSpec, label: string): RunResult {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `disco-diff-${label}-`));
  try {
    const args = c.args.map((a) => a.split(TMPDIR_TOKEN).join(scratch));
    const t0 = process.hrtime.bigint();
    const r = spawnSync(command[0], [...command.slice(1), binary, ...args], {
      cwd: scratch,
      env: { ...c.env },
      input: Buffer.from(c.stdin, 'utf8'),
      timeout: RUN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: MAX_BUFFER,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    let error: string | undefined;
    if (r.error) {
      const code = (r.error as NodeJS.ErrnoException).code;
      error = code === 'ETIMEDOUT' ? `timed out after ${RUN_TIMEOUT_MS} ms` : `${code ?? ''} ${r.error.message}`;
    }
    return {
      stdout: r.stdout ? r.stdout.toString('latin1') : '',
      stderr: r.stderr ? r.stderr.toString('latin1') : '',
      status: r.status,
      signal: r.signal,
      error,
      ms,
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function describeExit(r: RunResult): string {
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

function tail(text: string, n = 2000): string {
  return text.length > n ? `...${text.slice(-n)}` : text;
}

/** A compact diff: sizes, count of differing lines, and context around the first difference. */
function formatDiff(what: string, expected: string, actual: string): string {
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

const CASES = loadCases();
const qemu = resolveCommand(process.env.DISCO_QEMU ?? 'qemu-mips');
// The override only validates this harness (qemu against itself); CI must always test disco.
if (process.env.DISCO_EXEC_OVERRIDE && process.env.CI) throw new Error('DISCO_EXEC_OVERRIDE is not allowed under CI');
const emulator = process.env.DISCO_EXEC_OVERRIDE
  ? resolveCommand(process.env.DISCO_EXEC_OVERRIDE)
  : { argv: [process.execPath, path.join(ROOT, 'bin', 'disco.js'), 'exec'] };

describe('differential (qemu-mips vs disco)', () => {
  let setupError: string | undefined;

  beforeAll(() => {
    if (qemu.problem) {
      setupError = `reference emulator: ${qemu.problem} (install qemu-user, or set DISCO_QEMU)`;
      return;
    }
    if ('problem' in emulator && emulator.problem) {
      setupError = `DISCO_EXEC_OVERRIDE: ${emulator.problem}`;
      return;
    }
    const r = spawnSync('bash', [BUILD_SCRIPT], { cwd: ROOT, encoding: 'utf8', maxBuffer: MAX_BUFFER });
    if (r.status !== 0) {
      setupError = `guest/build-tests.sh failed (${r.error?.message ?? `exit ${r.status}`}):\n${tail(r.stderr ?? '', 4000)}\n${tail(r.stdout ?? '', 1000)}`;
    }
  });

  it('has a sizeable corpus', () => {
    expect(new Set(CASES.map((c) => c.program)).size).toBeGreaterThanOrEqual(24);
  });

  for (const variant of VARIANTS) {
    describe(variant, () => {
      for (const c of CASES) {
        it(
          c.name,
          () => {
            if (setupError) throw new Error(setupError);
            const binary = path.join(BUILD_DIR, variant, c.program);
            if (!fs.existsSync(binary)) throw new Error(`missing guest binary ${binary}`);

            const ref = runGuest(qemu.argv, binary, c, 'qemu');
            if (ref.error || ref.signal || ref.status !== c.status) {
              throw new Error(
                `reference run (qemu-mips) did not behave as the case expects: ${describeExit(ref)}, ` +
                  `expected exit ${c.status}\nstderr:\n${tail(ref.stderr)}\nstdout:\n${tail(ref.stdout)}`,
              );
            }

            const emu = runGuest(emulator.argv, binary, c, 'disco');
            const problems: string[] = [];
            if (emu.error) problems.push(`disco run failed: ${emu.error}`);
            if (describeExit(emu) !== describeExit(ref)) {
              problems.push(`exit status differs: reference ${describeExit(ref)}, disco ${describeExit(emu)}`);
            }
            if (emu.stdout !== ref.stdout) problems.push(formatDiff('stdout', ref.stdout, emu.stdout));
            if (c.compareStderr && emu.stderr !== ref.stderr) problems.push(formatDiff('stderr', ref.stderr, emu.stderr));
            if (problems.length > 0) {
              if (!c.compareStderr && emu.stderr) problems.push(`disco stderr:\n${tail(emu.stderr)}`);
              const rel = (a: string) => (a.startsWith(ROOT + path.sep) ? path.relative(ROOT, a) : a);
              const cmd = [...emulator.argv.map(rel), rel(binary), ...c.args];
              throw new Error(`[${variant}/${c.name}] ${cmd.join(' ')}\n${problems.join('\n\n')}`);
            }
            expect(emu.stdout).toBe(ref.stdout);
            expect(emu.status).toBe(ref.status);
          },
          2 * RUN_TIMEOUT_MS + 30_000,
        );
      }
    });
  }
});
