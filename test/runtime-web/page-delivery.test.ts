// How the page arrives in Chromium (issue: the page loads fast): in a fresh profile it transfers the
// compressed plain WASM build and model only (under 6 MB on the wire, counted by a proxy), a second load
// in the same profile comes from the cache (304s and cache hits, a few KB) unless the model changed,
// and the URL switches
// ?ort= and ?threads= give the old single-threaded asyncify page back for comparisons.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingProxy, type CountingProxy } from '../../parity/byte-counter.js';
import { launchChromium, launchChromiumProfile, openPage } from '../../parity/chromium.js';
import { ensureWebBuild } from '../../runtime-web/page/build.js';
import { startWebServer, type RunningWebServer } from '../../runtime-web/page/server.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { tinyOnnxModel } from '../runtime-node/tiny-onnx.js';
import { getWebFixture, type WebFixture } from './web-fixture.js';

const tiny = tinyOnnxModel({ seed: 8 });

let fixture: WebFixture;
let server: RunningWebServer;
let proxy: CountingProxy;

beforeAll(async () => {
  fixture = await getWebFixture();
  server = await startWebServer({ distDir: await ensureWebBuild(), model: fixture.onnx });
  proxy = await countingProxy(server.url);
});

afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

interface Loaded {
  bytes: number;
  probabilities: number[];
  build: string;
}

async function loadIn(context: BrowserContext, query: string): Promise<Loaded> {
  const page = await context.newPage();
  try {
    proxy.reset();
    await page.goto(`${proxy.url}?${query}`);
    await page.waitForFunction(() => Number(document.body.dataset.runs ?? 0) >= 1, undefined, { timeout: 180_000 });
    expect(await page.isHidden('[data-testid="error"]')).toBe(true);
    await page.waitForTimeout(300); // the worker's own fetch of the runtime's .mjs lands in this load
    return {
      bytes: proxy.received(),
      probabilities: JSON.parse(await page.evaluate(() => document.querySelector<HTMLOutputElement>('[data-testid="probabilities"]')!.value)) as number[],
      build: (await page.getAttribute('[data-testid="runtime"]', 'data-build'))!,
    };
  } finally {
    await page.close();
  }
}

describe('page delivery (Chromium, WASM provider)', () => {
  let profile: string;
  let context: BrowserContext;

  beforeAll(async () => {
    profile = await mkdtemp(join(tmpdir(), 'ecg-profile-'));
    context = await launchChromiumProfile('wasm', profile);
  });

  afterAll(async () => {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
  });

  it('a cold load transfers under 6 MB: the brotli plain-WASM build and model, nothing else large', async () => {
    const cold = await loadIn(context, 'provider=wasm');
    expect(cold.build).toBe('wasm');
    expect(cold.bytes).toBeLessThan(6e6);
    // The model alone is 3.3 MB raw and the binary 14.2 MB: only compressed copies fit the budget.
    expect(cold.bytes).toBeGreaterThan(fixture.onnx.byteLength / 3);
    assertClose(cold.probabilities, fixture.bundledExpected[0]!, TOLERANCES.onnxAbs, 'cold load, first bundled beat');
  });

  it('a warm load (same profile) transfers only revalidations and classifies the same', async () => {
    const warm = await loadIn(context, 'provider=wasm');
    expect(warm.bytes).toBeLessThan(20_000);
    assertClose(warm.probabilities, fixture.bundledExpected[0]!, TOLERANCES.onnxAbs, 'warm load, first bundled beat');
  });

  it('a different model behind the same URL is fetched again, never taken stale from the cache', async () => {
    const port = Number(new URL(server.url).port);
    await server.close();
    server = await startWebServer({ distDir: await ensureWebBuild(), model: tiny.bytes, port });
    const next = await loadIn(context, 'provider=wasm');
    expect(next.bytes).toBeGreaterThan(tiny.bytes.byteLength / 2);
    assertClose(next.probabilities, tiny.expected(fixture.bundled[0]!.values), TOLERANCES.onnxAbs, 'the new model on the first bundled beat');
  });
});

describe('URL switches', () => {
  it('?ort=asyncify&threads=1 gives the page as it was before (asyncify build, one thread)', async () => {
    const browser = await launchChromium('wasm');
    try {
      const opened = await openPage(browser, server.url, 'wasm', 180_000, 'ort=asyncify&threads=1');
      const data = await opened.page.evaluate(() => ({ ...document.querySelector<HTMLElement>('[data-testid="runtime"]')!.dataset }));
      expect(data.build).toBe('asyncify');
      expect(data.threads).toBe('1');
      expect(opened.requests.filter((r) => r.endsWith('.wasm')).map((r) => r.split('/').pop())).toEqual(['ort-wasm-simd-threaded.asyncify.wasm']);
      expect(await opened.page.textContent('[data-testid="provider"]')).toBe('wasm');
    } finally {
      await browser.close();
    }
  });
});
