// Brotli and gzip copies of the built page's files, written at build time with node:zlib so a server
// can send them as they are (`file.br`, `file.gz` beside `file`), and the same compression for the
// model, which the server only gets at start. The 14-27 MB WASM binaries take brotli quality 9 (2.67 MB
// for the plain build; quality 11 saves another 0.37 MB but takes 6x as long) and are cached by content
// hash, so a rebuild after a page change does not compress them again.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Files worth compressing; images and the like are compressed already. */
export const COMPRESSIBLE = /\.(html|js|mjs|css|wasm|svg|json|onnx|map)$/;
/** Below this, compression gains less than the headers it costs. */
export const MIN_COMPRESS_BYTES = 1024;
const LARGE = 1 << 20;

export interface Compressed {
  br: Uint8Array;
  gzip: Uint8Array;
}

/** Brotli (quality 11, or 9 with a 16 MB window for files over 1 MiB) and gzip -9 of `bytes`. */
export async function compressForWeb(bytes: Uint8Array): Promise<Compressed> {
  const large = bytes.byteLength > LARGE;
  const [br, gzip] = await Promise.all([
    brotli(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: large ? 9 : 11,
        [constants.BROTLI_PARAM_LGWIN]: large ? 24 : 22,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
      },
    }),
    gz(bytes, { level: 9 }),
  ]);
  return { br: new Uint8Array(br), gzip: new Uint8Array(gzip) };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))));
  return nested.flat();
}

async function cachedCompress(bytes: Uint8Array, cacheDir: string | undefined): Promise<Compressed> {
  if (!cacheDir || bytes.byteLength <= LARGE) return compressForWeb(bytes);
  const key = createHash('sha256').update(bytes).digest('hex');
  const [brPath, gzPath] = [join(cacheDir, `${key}.br`), join(cacheDir, `${key}.gz`)];
  try {
    return { br: new Uint8Array(await readFile(brPath)), gzip: new Uint8Array(await readFile(gzPath)) };
  } catch {
    const out = await compressForWeb(bytes);
    await mkdir(cacheDir, { recursive: true });
    // Written under a temporary name and renamed: two builds at once never read half a file.
    for (const [path, data] of [[brPath, out.br], [gzPath, out.gzip]] as const) {
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, data);
      await rename(tmp, path);
    }
    return out;
  }
}

/** Writes `f.br` and `f.gz` beside every compressible file of `dir` that compression makes smaller. */
export async function precompressDir(dir: string, options: { cacheDir?: string } = {}): Promise<{ files: number; bytes: number; br: number }> {
  const files = (await filesUnder(dir)).filter((f) => COMPRESSIBLE.test(f));
  let [count, bytes, brBytes] = [0, 0, 0];
  await Promise.all(
    files.map(async (file) => {
      if ((await stat(file)).size < MIN_COMPRESS_BYTES) return;
      const data = new Uint8Array(await readFile(file));
      const out = await cachedCompress(data, options.cacheDir);
      if (out.br.byteLength >= data.byteLength) return;
      await writeFile(`${file}.br`, out.br);
      if (out.gzip.byteLength < data.byteLength) await writeFile(`${file}.gz`, out.gzip);
      count++;
      bytes += data.byteLength;
      brBytes += out.br.byteLength;
    }),
  );
  return { files: count, bytes, br: brBytes };
}
