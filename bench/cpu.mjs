#!/usr/bin/env node
/**
 * CPU benchmark: compares Disco's execution speed with qemu-mips (user mode)
 * and with the same programs compiled natively for the host.
 *
 * ASSUMPTION ABOUT THE EMULATOR: `node bin/disco.js exec --stats-json FILE PROG ARGS...`
 * runs PROG and, on exit, writes FILE containing a JSON object with at least
 *     { "instructions": <number of guest instructions executed>,
 *       "hostSeconds":  <host seconds the emulator spent running the guest> }
 * If the run fails or FILE is missing/invalid, the Disco columns print "n/a"
 * and the other columns are still measured.
 *
 * Usage: node bench/cpu.mjs [--size small|default] [--json] [--only intbench,fpbench]
 *                           [--repeat N] [--timeout SECONDS] [--no-build] [--no-native] [--no-qemu] [--no-disco]
 *   --size small   quick run (a fraction of a second per program under qemu)
 *   --json         print a JSON document instead of the table
 *   --repeat N     run each configuration N times and keep the fastest (default 1)
 * Environment: DISCO_EXEC_OVERRIDE replaces `node bin/disco.js exec` (whitespace-split),
 *              DISCO_QEMU replaces `qemu-mips`.
 *
 * Programs (bench/programs/*.c, built by bench/build.sh into build/bench/ and build/bench/host/)
 * each take one size argument and print a line "size N checksum X"; the three runs'
 * checksums must agree, and a mismatch is reported loudly (exit status 1).
 * Times are wall-clock times of the whole process (process.hrtime around spawnSync);
 * "MIPS" = emulated instructions / Disco wall seconds / 1e6.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const PROGRAMS = [
  { name: 'intbench', sizes: { small: 50, default: 1000 }, kind: 'integer' },
  { name: 'membench', sizes: { small: 2, default: 32 }, kind: 'memory (MiB)' },
  { name: 'fpbench', sizes: { small: 6, default: 120 }, kind: 'floating point' },
];

function parseArgs(argv) {
  const opts = { size: 'default', json: false, only: null, repeat: 1, timeout: 600, build: true, native: true, qemu: true, disco: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    if (a === '--json') opts.json = true;
    else if (a === '--size') opts.size = val();
    else if (a.startsWith('--size=')) opts.size = a.slice(7);
    else if (a === '--only') opts.only = val().split(',');
    else if (a === '--repeat') opts.repeat = Math.max(1, Number(val()) | 0);
    else if (a === '--timeout') opts.timeout = Number(val());
    else if (a === '--no-build') opts.build = false;
    else if (a === '--no-native') opts.native = false;
    else if (a === '--no-qemu') opts.qemu = false;
    else if (a === '--no-disco') opts.disco = false;
    else if (a === '-h' || a === '--help') {
      const src = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8');
      process.stdout.write(src.slice(src.indexOf('/**'), src.indexOf('*/') + 2) + '\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (opts.size !== 'small' && opts.size !== 'default') throw new Error(`--size must be small or default, not ${opts.size}`);
  return opts;
}

function which(cmd) {
  if (cmd.includes('/')) return fs.existsSync(path.resolve(cmd)) ? path.resolve(cmd) : null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Runs a command, returns { ok, seconds, stdout, stderr, status, error }. */
function timed(argv, timeoutS) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let error = null;
  if (r.error) error = r.error.code === 'ETIMEDOUT' ? `timed out after ${timeoutS}s` : r.error.message;
  else if (r.signal) error = `killed by ${r.signal}`;
  else if (r.status !== 0) error = `exit status ${r.status}`;
  if (error && r.stderr) {
    const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    const key = lines.find((l) => /error/i.test(l));
    error += `: ${(key ?? lines.slice(-3).join(' | ')).slice(0, 300)}`;
  }
  return { ok: !error, seconds, stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, error };
}

function checksumOf(stdout) {
  const m = /checksum\s+(\S+)/.exec(stdout);
  return m ? m[1] : null;
}

function best(runs) {
  const ok = runs.filter((r) => r.ok);
  if (ok.length === 0) return runs[runs.length - 1];
  return ok.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

function fmt(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (typeof v !== 'number') return String(v);
  if (Math.abs(v) >= 1e6) return v.toExponential(3);
  return v.toFixed(digits);
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`bench/cpu.mjs: ${e.message} (see --help)`);
    process.exit(2);
  }
  if (opts.build) {
    const b = spawnSync('bash', [path.join(ROOT, 'bench', 'build.sh')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (b.status !== 0) {
      console.error('bench/cpu.mjs: bench/build.sh failed');
      process.exit(2);
    }
  }
  const qemuCmd = process.env.DISCO_QEMU ?? 'qemu-mips';
  const qemuExe = which(qemuCmd);
  if (opts.qemu && !qemuExe) console.error(`bench/cpu.mjs: warning: ${qemuCmd} not found; qemu columns will be n/a`);
  let discoArgv;
  if (process.env.DISCO_EXEC_OVERRIDE) {
    const parts = process.env.DISCO_EXEC_OVERRIDE.trim().split(/\s+/);
    if (parts[0] === 'node') parts[0] = process.execPath;
    discoArgv = parts;
  } else {
    discoArgv = [process.execPath, path.join(ROOT, 'bin', 'disco.js'), 'exec'];
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'disco-bench-'));
  const results = [];
  let mismatch = false;
  try {
    for (const prog of PROGRAMS) {
      if (opts.only && !opts.only.includes(prog.name)) continue;
      const size = prog.sizes[opts.size];
      const mipsBin = path.join(ROOT, 'build', 'bench', prog.name);
      const hostBin = path.join(ROOT, 'build', 'bench', 'host', prog.name);
      const row = { program: prog.name, kind: prog.kind, size, native: null, qemu: null, disco: null };

      const repeat = (fn) => best(Array.from({ length: opts.repeat }, fn));
      if (opts.native) {
        const r = repeat(() => timed([hostBin, String(size)], opts.timeout));
        row.native = { seconds: r.ok ? r.seconds : null, checksum: checksumOf(r.stdout), error: r.error };
      }
      if (opts.qemu && qemuExe) {
        const r = repeat(() => timed([qemuExe, mipsBin, String(size)], opts.timeout));
        row.qemu = { seconds: r.ok ? r.seconds : null, checksum: checksumOf(r.stdout), error: r.error };
      }
      if (opts.disco) {
        const statsFile = path.join(tmp, `${prog.name}.stats.json`);
        const runs = [];
        for (let i = 0; i < opts.repeat; i++) {
          fs.rmSync(statsFile, { force: true });
          const r = timed([...discoArgv, '--stats-json', statsFile, mipsBin, String(size)], opts.timeout);
          let stats = null;
          if (r.ok) {
            try {
              stats = JSON.parse(fs.readFileSync(statsFile, 'utf8'));
              if (typeof stats.instructions !== 'number') throw new Error('no numeric "instructions"');
            } catch (e) {
              r.ok = false;
              r.error = `stats file ${path.basename(statsFile)}: ${e.message}`;
              stats = null;
            }
          }
          runs.push({ ...r, stats });
        }
        const r = best(runs);
        const instructions = r.ok ? r.stats.instructions : null;
        row.disco = {
          seconds: r.ok ? r.seconds : null,
          hostSeconds: r.ok && typeof r.stats.hostSeconds === 'number' ? r.stats.hostSeconds : null,
          instructions,
          mips: r.ok && instructions !== null ? instructions / r.seconds / 1e6 : null,
          checksum: checksumOf(r.stdout),
          error: r.error,
        };
      }
      const d = row.disco?.seconds ?? null;
      row.ratioDiscoQemu = d !== null && row.qemu?.seconds ? d / row.qemu.seconds : null;
      row.ratioDiscoNative = d !== null && row.native?.seconds ? d / row.native.seconds : null;
      const sums = [row.native, row.qemu, row.disco].filter((x) => x && x.checksum !== null).map((x) => x.checksum);
      row.checksum = sums[0] ?? null;
      row.checksumsAgree = sums.every((s) => s === sums[0]);
      if (!row.checksumsAgree) {
        mismatch = true;
        console.error(
          `\n!!!!! CHECKSUM MISMATCH in ${prog.name} (size ${size}): native=${row.native?.checksum ?? 'n/a'} ` +
            `qemu=${row.qemu?.checksum ?? 'n/a'} disco=${row.disco?.checksum ?? 'n/a'} !!!!!\n`,
        );
      }
      for (const [label, x] of [['native', row.native], ['qemu', row.qemu], ['disco', row.disco]]) {
        if (x?.error) console.error(`bench/cpu.mjs: ${prog.name}: ${label} run failed: ${x.error}`);
      }
      results.push(row);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  if (opts.json) {
    const doc = {
      size: opts.size,
      host: { platform: process.platform, arch: process.arch, cpus: os.cpus()[0]?.model ?? null, node: process.version },
      results,
      checksumMismatch: mismatch,
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else {
    const header = ['program', 'size', 'instructions', 'disco s', 'MIPS', 'qemu s', 'native s', 'disco/qemu', 'disco/native', 'checksum'];
    const rows = results.map((r) => [
      r.program,
      String(r.size),
      r.disco?.instructions != null ? String(r.disco.instructions) : 'n/a',
      fmt(r.disco?.seconds),
      fmt(r.disco?.mips, 1),
      fmt(r.qemu?.seconds),
      fmt(r.native?.seconds),
      fmt(r.ratioDiscoQemu, 2),
      fmt(r.ratioDiscoNative, 1),
      (r.checksum ?? 'n/a') + (r.checksumsAgree ? '' : ' MISMATCH'),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) console.log(line(row));
    if (mismatch) console.log('\n*** CHECKSUM MISMATCH: see above ***');
  }
  process.exit(mismatch ? 1 : 0);
}

main();
