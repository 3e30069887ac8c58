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
import {
  BUILD_DIR, MAX_BUFFER, ROOT, TMPDIR_TOKEN, VARIANTS, buildGuestTests, describeExit, formatDiff, loadCases, qemu, rel,
  resolveCommand, tail, type CaseSpec, type Ending,
} from './helpers/differential.js';

const RUN_TIMEOUT_MS = Number(process.env.DISCO_DIFF_TIMEOUT_MS ?? 60_000);

interface RunResult extends Ending {
  stdout: string; // decoded as latin1, i.e. byte-exact
  stderr: string;
  ms: number;
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

const CASES = loadCases();
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
    setupError = buildGuestTests();
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
