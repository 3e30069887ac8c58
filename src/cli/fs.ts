// SPDX-License-Identifier: MIT
/**
 * The file system image commands (docs/fs.md): `disco mkfs [--size MB] DIR IMAGE`,
 * `disco ls [-l] [-R] IMAGE [PATH]`, `disco cat IMAGE PATH` and `disco fsck IMAGE`.
 * Bad input (a missing directory, an unreadable or malformed image, a missing path) is one line
 * on stderr and exit status 2; fsck exits 1 when it finds problems.
 */
import { writeSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { describeFileError } from '../exec/run.js';
import { fsck } from '../fs/fsck.js';
import { FsImage } from '../fs/image.js';
import { BLOCK, FsError, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, modeString } from '../fs/layout.js';
import { mkfs } from '../fs/mkfs.js';

export const EXIT_BAD_INPUT = 2;
export const EXIT_PROBLEMS = 1;

function parseSize(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1048576) throw new InvalidArgumentError('expected a whole number of MB from 1 to 1048576');
  return n;
}

function out(s: string): void {
  writeSync(1, s);
}

/** Runs a command body; FsErrors and host file errors become one line and exit status 2. */
function guarded(command: string, body: () => number): void {
  let status: number;
  try {
    status = body();
  } catch (e) {
    const path = (e as { path?: string }).path;
    writeSync(2, `disco ${command}: ${e instanceof FsError ? e.message : `${path === undefined ? '' : `${path}: `}${describeFileError(e)}`}\n`);
    status = EXIT_BAD_INPUT;
  }
  process.exit(status);
}

/** Opens an image, naming it in any error. */
function openImage(path: string): FsImage {
  try {
    return FsImage.open(path);
  } catch (e) {
    throw new FsError(`${path}: ${e instanceof FsError ? e.message : describeFileError(e)}`);
  }
}

export function registerFs(program: Command): void {
  program.command('mkfs')
    .description('build a file system image from a host directory (adding /dev/null, /dev/console and /tmp)')
    .argument('<dir>', 'the host directory to copy')
    .argument('<image>', 'the image file to write')
    .option('--size <MB>', 'image size in MB (default: the contents, plus half again, plus 8 MB)', parseSize)
    .action((dir: string, image: string, opts: { size?: number }) => guarded('mkfs', () => {
      const r = mkfs(dir, image, { sizeMB: opts.size, warn: (msg) => writeSync(2, `disco mkfs: ${msg}\n`) });
      out(`${image}: ${r.sb.blocks * BLOCK / 1048576} MB, ${r.usedBlocks} of ${r.sb.blocks} blocks and ${r.usedInodes} of ${r.sb.inodes} inodes used\n`);
      return 0;
    }));

  program.command('ls')
    .description('list a directory (or show a file) in a file system image')
    .argument('<image>', 'the image file')
    .argument('[path]', 'an absolute path in the image', '/')
    .option('-l, --long', 'long format: mode, links, owner, group, size, modification time (UTC)')
    .option('-R, --recursive', 'list subdirectories too')
    .action((image: string, path: string, opts: { long?: boolean; recursive?: boolean }) => guarded('ls', () => {
      const img = openImage(image);
      try { out(list(img, path, opts.long === true, opts.recursive === true)); } finally { img.close(); }
      return 0;
    }));

  program.command('cat')
    .description('write a file from a file system image to stdout')
    .argument('<image>', 'the image file')
    .argument('<path>', 'an absolute path in the image')
    .action((image: string, path: string) => guarded('cat', () => {
      const img = openImage(image);
      try {
        const ino = img.lookup(path);
        const n = img.inode(ino);
        if ((n.mode & S_IFMT) === S_IFDIR) throw new FsError(`${path}: is a directory`);
        for (const chunk of img.chunks(ino, n)) writeSync(1, chunk);
      } finally { img.close(); }
      return 0;
    }));

  program.command('fsck')
    .description('check a file system image; prints "clean" or the problems found (exit status 1)')
    .argument('<image>', 'the image file')
    .action((image: string) => guarded('fsck', () => {
      const img = openImage(image);
      try {
        const { problems, counts: c } = fsck(img);
        const counted = (k: number, one: string, many = one + 's'): string => `${k} ${k === 1 ? one : many}`;
        if (problems.length > 0) {
          out(problems.join('\n') + `\n${image}: ${counted(problems.length, 'problem')}\n`);
          return EXIT_PROBLEMS;
        }
        out(`clean: ${counted(c.files, 'file')}, ${counted(c.directories, 'directory', 'directories')}, ${counted(c.symlinks, 'symbolic link')}, ${counted(c.devices, 'device')}; ${c.blocks} of ${img.sb.blocks} blocks, ${c.inodes} of ${img.sb.inodes} inodes used\n`);
        return 0;
      } finally { img.close(); }
    }));
}

/** `ls` output for one path: a directory's entries (by name, "." and ".." left out) or one line. */
function list(img: FsImage, path: string, long: boolean, recursive: boolean): string {
  const ino = img.lookup(path, !long);
  const n = img.inode(ino);
  if ((n.mode & S_IFMT) !== S_IFDIR) return lines(img, [{ ino, name: path }], long);
  const sections: string[] = [];
  const seen = new Set<number>();
  const visit = (dir: number, p: string): void => {
    seen.add(dir);
    const entries = img.entries(dir).filter((e) => e.name !== '.' && e.name !== '..')
      .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    sections.push((recursive ? `${p}:\n` : '') + lines(img, entries, long));
    if (!recursive) return;
    for (const e of entries) {
      if ((img.inode(e.ino).mode & S_IFMT) === S_IFDIR && !seen.has(e.ino)) visit(e.ino, (p === '/' ? '' : p) + '/' + e.name);
    }
  };
  visit(ino, path);
  return sections.join('\n');
}

function lines(img: FsImage, entries: { ino: number; name: string }[], long: boolean): string {
  if (!long) return entries.map((e) => e.name + '\n').join('');
  const rows = entries.map((e) => {
    const n = img.inode(e.ino);
    const type = n.mode & S_IFMT;
    const time = new Date(n.mtime * 1000).toISOString().slice(0, 16).replace('T', ' ');
    const name = type === S_IFLNK ? `${e.name} -> ${img.readlink(e.ino, n)}` : e.name;
    return [modeString(n.mode), String(n.nlink), String(n.uid), String(n.gid), type === S_IFCHR ? `${n.major}, ${n.minor}` : String(n.size), time, name];
  });
  const width = (i: number): number => Math.max(...rows.map((r) => r[i].length));
  return rows.map((r) => r.map((c, i) => (i === 0 || i >= 5 ? c : c.padStart(width(i)))).join(' ') + '\n').join('');
}
