// writeFileAtomic / writeDirAtomic (core/node.ts) when a write goes wrong: an injected failure (disk
// full half-way through the data, a failing rename) and a real SIGKILL of a child process mid-write
// leave the old file or folder, or nothing, never a half-written one, and no temporary files after
// a failure they could clean up.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeDirAtomic, writeFileAtomic } from '../../core/node.js';
import { REPO_ROOT } from '../helpers/cli.js';

/** Faults the mocked node:fs/promises injects (core/node.ts imports it too), off unless a test sets them. */
const faults = vi.hoisted(() => ({
  /** writeFile to a path this accepts writes the first half of the data, then fails with ENOSPC. */
  writeFile: undefined as ((path: string) => boolean) | undefined,
  rename: undefined as ((from: string, to: string) => boolean) | undefined,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const fail = (what: string, code: string) => Object.assign(new Error(`${code}: injected ${what} failure`), { code });
  const writeFile: typeof fs.writeFile = async (path, data, options) => {
    if (faults.writeFile?.(String(path))) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data as Uint8Array);
      await fs.writeFile(path, bytes.subarray(0, bytes.length >> 1));
      throw fail('write', 'ENOSPC');
    }
    return fs.writeFile(path, data, options);
  };
  const rename: typeof fs.rename = async (from, to) => {
    if (faults.rename?.(String(from), String(to))) throw fail('rename', 'EIO');
    return fs.rename(from, to);
  };
  return { ...fs, default: { ...fs, writeFile, rename }, writeFile, rename };
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecg-atomic-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  faults.writeFile = undefined;
  faults.rename = undefined;
});

const OLD = 'old content, complete\n';
const NEW = 'n'.repeat(10_000);
const hidden = async (d: string) => (await readdir(d)).filter((n) => n.startsWith('.'));
const exists = (p: string) => stat(p).then(() => true, () => false);

describe('writeFileAtomic', () => {
  it('writes the file and leaves no temporary file', async () => {
    const target = join(dir, 'plain', 'out.txt');
    await writeFileAtomic(target, NEW);
    expect(await readFile(target, 'utf8')).toBe(NEW);
    expect(await hidden(join(dir, 'plain'))).toEqual([]);
  });

  it('disk full half-way through the data: the old file stays whole, the partial temporary file is removed', async () => {
    const target = join(dir, 'enospc.txt');
    await writeFile(target, OLD);
    const written: string[] = [];
    faults.writeFile = (p) => (written.push(p), p !== target);
    await expect(writeFileAtomic(target, NEW)).rejects.toThrow(/ENOSPC: injected write failure/);
    expect(written).toHaveLength(1);
    expect(basename(written[0]!)).toMatch(/^\.enospc\.txt\..*\.tmp$/); // the failure hit the temporary file, not the target
    expect(await readFile(target, 'utf8')).toBe(OLD);
    expect(await hidden(dir)).toEqual([]);
  });

  it('a failing rename: the old file stays, the temporary file is removed', async () => {
    const target = join(dir, 'rename.txt');
    await writeFile(target, OLD);
    faults.rename = (_from, to) => to === target;
    await expect(writeFileAtomic(target, NEW)).rejects.toThrow(/EIO/);
    expect(await readFile(target, 'utf8')).toBe(OLD);
    expect(await hidden(dir)).toEqual([]);
  });
});

describe('writeDirAtomic', () => {
  const fill = async (tmp: string) => {
    await writeFile(join(tmp, 'a.txt'), NEW);
    await mkdir(join(tmp, 'sub'));
    await writeFile(join(tmp, 'sub', 'b.txt'), NEW);
  };
  const oldDir = async (target: string) => {
    await mkdir(join(target, 'sub'), { recursive: true });
    await writeFile(join(target, 'a.txt'), OLD);
    await writeFile(join(target, 'stale.txt'), OLD);
  };
  const contents = async (target: string) => Object.fromEntries(await Promise.all((await readdir(target, { recursive: true })).sort().map(async (n) => [n, await readFile(join(target, n), 'utf8').catch(() => '<dir>')])));

  it('replaces the folder as a whole (no stale files) and leaves nothing hidden', async () => {
    const parent = join(dir, 'd-ok');
    const target = join(parent, 'model');
    await oldDir(target);
    await writeDirAtomic(target, fill);
    expect(await contents(target)).toEqual({ 'a.txt': NEW, sub: '<dir>', 'sub/b.txt': NEW });
    expect(await hidden(parent)).toEqual([]);
  });

  it('a write failing part-way through fill: the old folder stays as it was, the temporary one is removed', async () => {
    const parent = join(dir, 'd-fill');
    const target = join(parent, 'model');
    await oldDir(target);
    const before = await contents(target);
    faults.writeFile = (p) => p.endsWith('b.txt');
    await expect(writeDirAtomic(target, fill)).rejects.toThrow(/ENOSPC/);
    expect(await contents(target)).toEqual(before);
    expect(await hidden(parent)).toEqual([]);
  });

  it('the swap-in rename failing after the old folder was moved aside: the old folder is put back', async () => {
    const parent = join(dir, 'd-swap');
    const target = join(parent, 'model');
    await oldDir(target);
    const before = await contents(target);
    faults.rename = (from, to) => to === target && from.endsWith('.tmp');
    await expect(writeDirAtomic(target, fill)).rejects.toThrow(/EIO/);
    expect(await contents(target)).toEqual(before);
    expect(await hidden(parent)).toEqual([]);
  });

  it('no old folder and a failing fill: nothing is left at all', async () => {
    const parent = join(dir, 'd-none');
    await mkdir(parent);
    await expect(writeDirAtomic(join(parent, 'model'), async (tmp) => (await fill(tmp), Promise.reject(new Error('fill failed'))))).rejects.toThrow('fill failed');
    expect(await readdir(parent)).toEqual([]);
  });
});

/** Starts the child writer, waits until its temporary file or folder exists, then SIGKILLs it after `delayMs`. */
async function killMidWrite(mode: 'file' | 'dir', target: string, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/core/atomic-write-child.ts', mode, target, '16'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = new Promise<void>((res) => child.on('close', () => res()));
  await new Promise<void>((res) => child.stdout.once('data', () => res()));
  const parent = join(target, '..');
  for (let i = 0; i < 2000 && !(await hidden(parent)).some((n) => n.endsWith('.tmp')); i++) await new Promise((r) => setTimeout(r, 2));
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill('SIGKILL');
  await closed;
}

describe('a writer killed with SIGKILL mid-write', () => {
  const FULL = 16 * 2 ** 20;

  it('writeFileAtomic: the target is the old file or the whole new one, never part of it', async () => {
    const parent = join(dir, 'kill-file');
    const target = join(parent, 'big.bin');
    await mkdir(parent);
    let partialTemps = 0;
    for (const delay of [0, 3, 10, 25]) {
      await writeFile(target, OLD);
      await killMidWrite('file', target, delay);
      const data = await readFile(target);
      if (data.length !== FULL) expect(data.toString()).toBe(OLD);
      else expect(data.every((b) => b === 0x6e)).toBe(true);
      for (const name of await hidden(parent)) {
        if ((await stat(join(parent, name))).size < FULL) partialTemps++;
        await rm(join(parent, name), { force: true });
      }
    }
    expect(partialTemps).toBeGreaterThan(0); // some kill really landed mid-write
  });

  it('writeDirAtomic: the folder is the old one or the whole new one', async () => {
    const parent = join(dir, 'kill-dir');
    const target = join(parent, 'model');
    for (const delay of [0, 5, 20]) {
      await rm(target, { recursive: true, force: true });
      await mkdir(target, { recursive: true });
      await writeFile(join(target, 'a'), OLD);
      await killMidWrite('dir', target, delay);
      if (await exists(target)) {
        const names = (await readdir(target)).sort();
        if (names.length === 1) expect(await readFile(join(target, 'a'), 'utf8')).toBe(OLD);
        else {
          expect(names).toEqual(['a', 'b', 'c']);
          for (const n of names) expect((await stat(join(target, n))).size).toBe(FULL);
        }
      } else {
        // Killed between moving the old folder aside and renaming the new one in: the old one is beside it.
        const aside = (await hidden(parent)).find((n) => n.endsWith('.tmp.old'));
        expect(aside).toBeDefined();
        expect(await readFile(join(parent, aside!, 'a'), 'utf8')).toBe(OLD);
      }
      for (const name of await hidden(parent)) await rm(join(parent, name), { recursive: true, force: true });
    }
  });
});
