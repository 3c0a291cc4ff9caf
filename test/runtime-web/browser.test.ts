// The web page in Debian's Chromium (playwright-core), once on WASM and once on WebGPU (SwiftShader):
// bundled beats and a batch of test-set beats must match TF.js's probabilities and argmax; the page
// must not touch the network; a screenshot is kept under test-artifacts/ and must not be blank.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { decodeModel } from '../../export/node.js';
import { getExportedModel } from '../helpers/exported-model.js';
import { ensureWebBuild } from '../../runtime-web/page/build.js';
import { startWebServer, type RunningWebServer } from '../../runtime-web/page/server.js';
import { launchChromium, openPage } from '../../parity/chromium.js';
import { classifyBundledBeats, pasteAndClassify, uploadBatch } from '../../parity/page-driver.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { ARTIFACTS_DIR, getWebFixture, type WebFixture } from './web-fixture.js';

let fixture: WebFixture;
let server: RunningWebServer;

beforeAll(async () => {
  fixture = await getWebFixture();
  server = await startWebServer({ distDir: await ensureWebBuild(), model: fixture.onnx });
});

afterAll(async () => {
  await server?.close();
});

/** Decodes the PNG in the page itself and counts colours and non-white pixels. */
async function pixelStats(page: Page, png: Buffer): Promise<{ colours: number; inked: number }> {
  return page.evaluate(async (dataUrl) => {
    const img = new Image();
    img.src = dataUrl;
    await img.decode();
    const canvas = Object.assign(document.createElement('canvas'), { width: img.width, height: img.height });
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const colours = new Set<number>();
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) inked++;
    }
    return { colours: colours.size, inked: inked / (data.length / 4) };
  }, `data:image/png;base64,${png.toString('base64')}`);
}

describe.each([['wasm', TOLERANCES.onnxAbs] as const, ['webgpu', TOLERANCES.webgpuAbs] as const])('web page on %s', (provider, atol) => {
  let browser: Browser;
  let page: Page;
  let foreign: string[];
  let requests: string[];

  beforeAll(async () => {
    browser = await launchChromium(provider); // no Chromium: fails with the apt command to run
    const opened = await openPage(browser, server.url, provider);
    page = opened.page;
    foreign = opened.foreignRequests;
    requests = opened.requests;
  });

  afterAll(async () => {
    await browser?.close();
  });

  it(`runs on ${provider}`, async () => {
    expect(await page.textContent('[data-testid="provider"]')).toBe(provider);
    if (provider === 'webgpu') {
      expect(await page.evaluate(async () => (await (navigator as unknown as { gpu: { requestAdapter(): Promise<unknown> } }).gpu.requestAdapter()) !== null)).toBe(true);
    }
    expect(await page.isHidden('[data-testid="error"]')).toBe(true);
  });

  it('is cross-origin isolated, uses WASM threads, and fetched only the onnxruntime-web build its provider needs', async () => {
    const shown = await page.evaluate(() => {
      const d = document.querySelector<HTMLElement>('[data-testid="runtime"]')!.dataset;
      return { build: d.build, threads: d.threads, cores: navigator.hardwareConcurrency, isolated: crossOriginIsolated };
    });
    expect(shown.isolated).toBe(true);
    expect(Number(shown.threads)).toBe(Math.min(4, shown.cores));
    if (shown.cores > 1) expect(Number(shown.threads)).toBeGreaterThan(1);
    // Chromium has JSPI: its WebGPU build is the 16.8 MB JSPI one, not the 26.8 MB asyncify one.
    const build = provider === 'wasm' ? 'wasm' : 'jspi';
    expect(shown.build).toBe(build);
    expect(await page.textContent('[data-testid="runtime"]')).toBe(`${build} build, ${shown.threads} threads, cross-origin isolated`);
    const wasm = requests.filter((r) => r.endsWith('.wasm')).map((r) => r.split('/').pop());
    expect(wasm).toEqual([build === 'wasm' ? 'ort-wasm-simd-threaded.wasm' : 'ort-wasm-simd-threaded.jspi.wasm']);
    expect(requests.filter((r) => /ort\.(webgpu|jspi|wasm)\.min/.test(r)).map((r) => r.split('/').pop()!.split('-')[0])).toEqual([`ort.${build}.min`]);
  });

  it('classifies every bundled beat like TF.js', async () => {
    const results = await classifyBundledBeats(page);
    expect(results).toHaveLength(fixture.bundled.length);
    expect(new Set(fixture.bundled.map((b) => b.label)).size).toBe(fixture.classes.length);
    results.forEach((r, i) => {
      const want = fixture.bundledExpected[i]!;
      assertClose(r.probabilities, want, atol, `${provider} bundled beat ${i} (test row ${fixture.bundled[i]!.row})`);
      const best = want.indexOf(Math.max(...want));
      expect(r.label).toBe(fixture.classes[best]!.label);
      expect(r.prediction).toBe(fixture.classes[best]!.name);
    });
  });

  it('classifies an uploaded batch of test beats like TF.js and shows the accuracy', async () => {
    const result = await uploadBatch(page, fixture.batchTsv, 'test-beats.tsv');
    expect(result.probabilities).toHaveLength(fixture.batchExpected.length);
    let correct = 0;
    result.probabilities.forEach((p, i) => {
      const want = fixture.batchExpected[i]!;
      assertClose(p, want, atol, `${provider} batch beat ${i}`);
      const best = want.indexOf(Math.max(...want));
      expect(p.indexOf(Math.max(...p)), `argmax of batch beat ${i}`).toBe(best);
      if (fixture.classes[best]!.label === fixture.batchLabels[i]) correct++;
    });
    expect(result.accuracyText).toContain(`(${correct}/${fixture.batchLabels.length} labelled)`);
  });

  it('worked offline and leaves a non-blank screenshot', async () => {
    expect(foreign).toEqual([]);
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const png = await page.screenshot({ fullPage: true });
    await writeFile(join(ARTIFACTS_DIR, `web-page-${provider}.png`), png);
    const stats = await pixelStats(page, png);
    expect(stats.colours).toBeGreaterThan(20);
    expect(stats.inked).toBeGreaterThan(0.01);
  });

  if (provider === 'wasm') {
    it('shows a clear message for bad input and recovers', async () => {
      const cases: [string, RegExp][] = [
        ['', /the input is empty/],
        ['1, 2, 3', new RegExp(`expected ${fixture.width} values`)],
        [Array.from({ length: fixture.width }, (_, i) => (i === 7 ? 'abc' : '0.5')).join(','), /"abc" is not a number/],
      ];
      for (const [text, message] of cases) {
        const { error } = await pasteAndClassify(page, text);
        expect(error, `pasting ${JSON.stringify(text.slice(0, 20))}`).toMatch(message);
      }
      const beat = fixture.bundled[0]!;
      const { error, result } = await pasteAndClassify(page, beat.values.join('\n'));
      expect(error).toBeUndefined();
      assertClose(result.probabilities, fixture.bundledExpected[0]!, atol, 'pasted column');
    });

    it('converts a TF.js model (model.json + weights) in the page, offers the .onnx, and classifies with it', async () => {
      const { modelDir, onnx } = await getExportedModel();
      const files = await Promise.all(['model.json', 'weights.bin'].map(async (name) => ({ name, mimeType: 'application/octet-stream', buffer: await readFile(join(modelDir, name)) })));
      const before = await page.evaluate(() => [Number(document.body.dataset.converts ?? 0), Number(document.body.dataset.runs ?? 0)] as const);
      await page.setInputFiles('[data-testid="convert-files"]', files);
      await page.waitForFunction((n) => Number(document.body.dataset.converts ?? 0) > n, before[0], { timeout: 120_000 });
      expect(await page.isHidden('[data-testid="error"]')).toBe(true);
      const shown = await page.evaluate(() => {
        const s = document.querySelector<HTMLElement>('[data-testid="convert-summary"]')!;
        return { text: s.textContent ?? '', nodes: Number(s.dataset.nodes), ops: JSON.parse(s.dataset.ops!) as Record<string, number>, loaded: document.querySelector('[data-testid="convert-loaded"]')!.textContent ?? '' };
      });
      const node = decodeModel(onnx);
      expect(shown.nodes).toBe(node.nodes.length);
      expect(shown.ops).toEqual(node.nodesByOp);
      expect(shown.text).toContain('input beats [N, 140, 1] -> output probabilities [N, 5]');
      expect(shown.loaded).toMatch(/used on test row/);
      // The downloaded file is the Node export's graph (only the export time differs).
      const base64 = await page.evaluate(async () => {
        const blob = await (await fetch(document.querySelector<HTMLAnchorElement>('[data-testid="convert-download"]')!.href)).blob();
        return new Promise<string>((res) => {
          const r = new FileReader();
          r.onload = () => res(String(r.result).split(',')[1]!);
          r.readAsDataURL(blob);
        });
      });
      const inPage = decodeModel(new Uint8Array(Buffer.from(base64, 'base64')));
      expect(inPage.nodes).toEqual(node.nodes);
      expect(inPage.initializers).toEqual(node.initializers);
      expect({ ...inPage.metadata, 'ecg.exported_at': '' }).toEqual({ ...node.metadata, 'ecg.exported_at': '' });
      // ...and the page now classifies with the converted model, like TF.js.
      await page.waitForFunction((n) => Number(document.body.dataset.runs ?? 0) > n, before[1]);
      const probs = await page.evaluate(() => JSON.parse(document.querySelector<HTMLOutputElement>('[data-testid="probabilities"]')!.value) as number[]);
      assertClose(probs, fixture.bundledExpected[0]!, atol, 'converted model, bundled beat 0');
    });

    it("shows the exporter's own message for an unsupported layer", async () => {
      const modelJson = {
        modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'MyAttention', config: { name: 'att', batch_input_shape: [null, 8, 1], heads: 2 } }] } },
        weightsManifest: [{ paths: ['w.bin'], weights: [] }],
      };
      const before = await page.evaluate(() => Number(document.body.dataset.converts ?? 0));
      await page.setInputFiles('[data-testid="convert-files"]', [
        { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(modelJson)) },
        { name: 'w.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) },
      ]);
      await page.waitForFunction((n) => Number(document.body.dataset.converts ?? 0) > n, before);
      const error = await page.textContent('[data-testid="error"]');
      expect(error).toMatch(/layer "att" \(MyAttention\): layer class not supported; supported: .*Conv1D/);
    });
  }
});
