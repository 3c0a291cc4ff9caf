// @ecg-onnx/core/node: the Node-only helpers every stage shares. Outputs are never half-written
// (write beside the target, then rename over it: atomic on one filesystem), and a package finds its
// own folder the same way whether it runs from source or from dist/.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Fills a fresh temporary directory with `fill`, then swaps it in for `dir` (replacing an old one).
 * A failure part-way (in `fill` or in either rename) leaves `dir` as it was. A process killed
 * between the two renames leaves no `dir`, the old one beside it as the hidden `.NAME.*.tmp.old`.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.${process.pid}.${Date.now()}.tmp`);
  const old = `${tmp}.old`;
  await mkdir(tmp, { recursive: true });
  let movedAside = false;
  try {
    await fill(tmp);
    movedAside = await rename(dir, old).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
        return false;
      },
    );
    await rename(tmp, dir);
  } catch (err) {
    if (movedAside) await rename(old, dir).catch(() => {}); // the swap failed: put the old one back
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}

/**
 * The folder of the package named `name` that holds the module at `moduleUrl` (import.meta.url):
 * the nearest parent with a package.json of that name. Source (pkg/x.ts) and compiled (pkg/dist/x.js)
 * modules find the same folder, so data and assets are addressed from the package root.
 */
export function packageRoot(moduleUrl: string, name: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`internal: no package.json named "${name}" above ${fileURLToPath(moduleUrl)}`);
    dir = parent;
  }
}
