// `ecg web` as a user runs it: builds the page if needed, serves page, ORT wasm files and the model on
// 127.0.0.1 (cross-origin isolated, for WASM threads), rejects a bad --model up front, and stops on SIGTERM.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, spawnEcg as ecg, type CliResult } from '../helpers/cli.js';
import { WEB_APP_DIR } from '../../runtime-web/page/app-dir.js';
import { ORT_BUILD_FILES } from '../../runtime-web/index.js';
import { tinyOnnxModel } from '../runtime-node/tiny-onnx.js';

const tiny = tinyOnnxModel();

describe('ecg web', () => {
  let dir: string;
  let child: ChildProcessWithoutNullStreams;
  let url: string;
  let exit: Promise<CliResult>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-web-'));
    await writeFile(join(dir, 'tiny.onnx'), tiny.bytes);
    child = ecg(['web', '--model', join(dir, 'tiny.onnx'), '--port', '0']);
    exit = finished(child);
    url = await new Promise<string>((res, rej) => {
      let seen = '';
      child.stdout.on('data', (d: Buffer) => {
        seen += d;
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
        if (m) res(m[1]!);
      });
      child.on('close', (code) => rej(new Error(`ecg web exited with ${code} before serving`)));
    });
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves the page, the model and the ORT wasm files from 127.0.0.1', async () => {
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const html = await page.text();
    for (const hook of ['prediction', 'provider', 'error']) expect(html).toContain(`data-testid="${hook}"`);
    const model = await fetch(new URL('model.onnx', url));
    expect(new Uint8Array(await model.arrayBuffer())).toEqual(tiny.bytes);
    const [hash] = await readdir(join(WEB_APP_DIR, 'ort'));
    for (const f of Object.values(ORT_BUILD_FILES).flat().filter((name) => name.endsWith('.wasm'))) {
      const wasm = await fetch(new URL(`ort/${hash}/${f}`, url), { method: 'HEAD' });
      expect(wasm.status, f).toBe(200);
      expect(wasm.headers.get('content-type')).toBe('application/wasm');
      expect(wasm.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect((await fetch(new URL('no-such-file.js', url))).status).toBe(404);
    expect((await fetch(url, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('stops on SIGTERM', async () => {
    child.kill('SIGTERM');
    const { code } = await exit;
    expect(code).toBe(0);
  });

  it('rejects a file that is not an exported model, and a bad port, with a message naming it', async () => {
    await writeFile(join(dir, 'junk.onnx'), 'not a model');
    const bad = await finished(ecg(['web', '--model', join(dir, 'junk.onnx')]));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/junk\.onnx: .*ecg export/);
    const port = await finished(ecg(['web', '--model', join(dir, 'tiny.onnx'), '--port', '70000']));
    expect(port.code).toBe(1);
    expect(port.stderr).toContain('--port must be an integer from 0 to 65535');
  });
});
