// The packages as a user gets them: packed, installed into a fresh project outside the repository, then
// (a) a Node script exports a model it just trained in memory and runs it with the runtime-node package,
// (b) a Vite app does the same in Chromium with the web runtime, and exports a model.json by URL to the
//     same bytes as Node, (c) tsc type-checks every public entry point and every README example, and
// (d) the installed `ecg` command works. `npm publish --dry-run` passes for every workspace.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../parity/chromium.js';
import { startWebServer } from '../../runtime-web/page/server.js';
import { getTrainedRun } from '../helpers/trained-model.js';
import { TOLERANCES } from '../helpers/tolerances.js';
import { ROOT } from '../helpers/imports.js';
import { createConsumerProject, mustRun, run, writeApp, writeTypeCheck, NODE_SCRIPT, type ConsumerProject } from './consumer-project.js';

const FIXED_TIME = '2026-01-01T00:00:00.000Z';
let project: ConsumerProject;
let modelDir: string;

beforeAll(async () => {
  [project, { modelDir }] = await Promise.all([createConsumerProject(), getTrainedRun()]);
});

afterAll(async () => {
  if (project) await rm(project.dir, { recursive: true, force: true });
});

const node = (args: string[]) => mustRun(process.execPath, args, project.dir);

describe('the packed packages installed in a fresh project', () => {
  it('installs all nine from their tarballs, nothing from the workspace', async () => {
    expect(project.tarballs.map((t) => t.name).sort()).toHaveLength(9);
    for (const t of project.tarballs) {
      const installed = JSON.parse(await readFile(join(project.dir, 'node_modules', t.name, 'package.json'), 'utf8')) as { version: string };
      expect(installed.version, t.name).toBe('0.2.0');
    }
    // Installed copies, not links back into the repository.
    const lock = JSON.parse(await readFile(join(project.dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string; link?: boolean }> };
    for (const t of project.tarballs) expect(lock.packages[`node_modules/${t.name}`]?.link, t.name).toBeUndefined();
  });

  it('(a) Node: a model trained in memory exports and runs on onnxruntime-node like TF.js', async () => {
    const { stdout } = await mustRun(process.execPath, ['--input-type=module', '-e', NODE_SCRIPT], project.dir);
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { maxDiff: number; n: number; gru: number; names: string[]; provider: string };
    expect(result.n).toBe(48);
    expect(result.gru).toBe(1);
    expect(result.provider).toBe('cpu');
    expect(result.names.every((n) => ['A', 'B', 'C'].includes(n))).toBe(true);
    expect(result.maxDiff).toBeLessThanOrEqual(TOLERANCES.onnxAbs);
  });

  it('(b) a Vite app: trains, exports and runs in Chromium (<= 1e-4, offline), and exports a URL to the bytes Node writes', async () => {
    const app = await writeApp(project.dir, modelDir);
    await mustRun(process.execPath, [join(project.dir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', app, '--logLevel', 'warn'], project.dir);
    const server = await startWebServer({ distDir: join(app, 'dist'), model: new Uint8Array() });
    const browser = await launchChromium('wasm');
    try {
      const page = await browser.newPage();
      const origin = new URL(server.url).origin;
      const foreign: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
        foreign.push(url);
        return route.abort();
      });
      await page.goto(server.url);
      await page.waitForFunction(() => document.body.dataset.result ?? document.body.dataset.error, undefined, { timeout: 180_000 });
      const error = await page.evaluate(() => document.body.dataset.error);
      expect(error).toBeUndefined();
      const result = JSON.parse((await page.evaluate(() => document.body.dataset.result))!) as { maxDiff: number; provider: string; sha256: string };
      expect(result.provider).toBe('wasm');
      expect(result.maxDiff).toBeLessThanOrEqual(TOLERANCES.webgpuAbs);
      expect(foreign).toEqual([]);
      // The installed exporter in Node, same folder, same export time: the same file.
      const script = `import { exportModel } from '@ecg-onnx/tfjs-layers-to-onnx/node';
        const { bytes } = await exportModel(${JSON.stringify(modelDir)}, { exportedAt: '${FIXED_TIME}' });
        process.stdout.write(Buffer.from(bytes).toString('base64'));`;
      const { stdout } = await node(['--input-type=module', '-e', script]);
      expect(result.sha256).toBe(createHash('sha256').update(Buffer.from(stdout, 'base64')).digest('hex'));
    } finally {
      await browser.close();
      await server.close();
    }
  });

  it('(c) tsc type-checks every public entry point and every README example against the installed types', async () => {
    const files = await writeTypeCheck(project.dir);
    expect(files.length).toBeGreaterThanOrEqual(9);
    // skipLibCheck is off, so our .d.ts files are checked too; TF.js's own declarations have errors
    // under strict (tfjs-layers/tfjs-core), which are theirs, so only errors elsewhere count.
    const r = await run(process.execPath, [join(project.dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], project.dir);
    const errors = (r.stdout + r.stderr).split('\n').filter((l) => /^\S+\(\d+,\d+\): error/.test(l));
    expect(errors.filter((l) => !l.startsWith('node_modules/@tensorflow/'))).toEqual([]);
  });

  it('(d) the installed `ecg` command: --help, and export of a saved model that the runtime then loads', async () => {
    const ecg = join(project.dir, 'node_modules', '.bin', 'ecg');
    const help = await mustRun(ecg, ['--help'], project.dir);
    for (const command of ['train', 'export', 'predict', 'serve', 'web', 'parity']) expect(help.stdout).toContain(`ecg ${command}`);
    const out = join(project.dir, 'ecg.onnx');
    const exported = await mustRun(ecg, ['export', '--model', modelDir, '--out', out], project.dir);
    expect(exported.stdout).toMatch(/ecg\.onnx: \d+ nodes \(.*GRUx1/);
    const script = `import { load } from '@ecg-onnx/runtime-node';
      const c = await load(${JSON.stringify(out)}, { device: 'cpu' });
      console.log(JSON.stringify(c.metadata.classes.map((k) => k.name)));`;
    const { stdout } = await node(['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout.trim())).toEqual(['Normal', 'R-on-T PVC', 'PVC', 'Supraventricular premature beat', 'Unclassified']);
  });
});

describe('npm publish --dry-run', () => {
  it('passes for every workspace, with nothing auto-corrected', async () => {
    const r = await run('npm', ['publish', '--dry-run', '--workspaces', '--ignore-scripts'], ROOT);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).not.toMatch(/auto-corrected|errors corrected/);
    expect((r.stdout.match(/^\+ @ecg-onnx\//gm) ?? []).length).toBe(9);
  });
});
