// What bench:web measures in Chromium, as functions: the bytes a page load transfers (counted by a TCP
// proxy in front of the server, so worker fetches, headers and 304s are all in, cache hits are not),
// cold (fresh profile) and warm (second load in the same profile) load -> first prediction, and the
// page's own per-beat inference time at batch 1 and 256 for a given thread count.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, launchChromiumProfile } from '../parity/chromium.js';
import { classifyBundledBeats, uploadBatch } from '../parity/page-driver.js';
import type { WebProvider } from '../runtime-web/index.js';
import type { CountingProxy } from '../parity/byte-counter.js';

export interface LoadSample {
  bytes: number;
  firstPredictionMs: number;
  /** What the page reports: build, threads, load() step timings. */
  runtime: { build: string; threads: number; isolated: boolean; timings: Record<string, number> };
}

async function loadOnce(context: BrowserContext, proxy: CountingProxy, query: string): Promise<LoadSample> {
  const page = await context.newPage();
  try {
    proxy.reset();
    const started = Date.now();
    await page.goto(`${proxy.url}?${query}`);
    await page.waitForFunction(() => Number(document.body.dataset.runs ?? 0) >= 1, undefined, { timeout: 300_000 });
    const firstPredictionMs = Date.now() - started;
    const error = await page.evaluate(() => (document.querySelector<HTMLElement>('[data-testid="error"]')!.hidden ? '' : document.querySelector('[data-testid="error"]')!.textContent));
    if (error) throw new Error(`the page failed (${query}): ${error}`);
    await new Promise((r) => setTimeout(r, 300)); // let the worker's late fetches land in this sample
    const runtime = await page.evaluate(() => {
      const d = document.querySelector<HTMLElement>('[data-testid="runtime"]')!.dataset;
      return { build: d.build!, threads: Number(d.threads), isolated: d.isolated === 'true', timings: JSON.parse(d.timings ?? '{}') as Record<string, number> };
    });
    return { bytes: proxy.received(), firstPredictionMs, runtime };
  } finally {
    await page.close();
  }
}

/** One fresh Chromium profile: the cold load, then the warm one (same profile, new tab). */
export async function coldAndWarm(provider: WebProvider, proxy: CountingProxy, query: string): Promise<{ cold: LoadSample; warm: LoadSample }> {
  const profile = await mkdtemp(join(tmpdir(), 'ecg-bench-profile-'));
  const context = await launchChromiumProfile(provider, profile);
  try {
    const cold = await loadOnce(context, proxy, query);
    const warm = await loadOnce(context, proxy, query);
    return { cold, warm };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

export interface ThreadedPage {
  page: Page;
  threads: number;
  close(): Promise<void>;
}

/** Opens the page on `provider` with ?threads=N and waits for its first prediction. */
export async function openThreaded(provider: WebProvider, url: string, threads: number): Promise<ThreadedPage> {
  const browser = await launchChromium(provider);
  const page = await browser.newPage();
  await page.goto(`${url}?provider=${provider}&threads=${threads}`);
  await page.waitForFunction(() => Number(document.body.dataset.runs ?? 0) >= 1, undefined, { timeout: 300_000 });
  const shown = Number(await page.getAttribute('[data-testid="runtime"]', 'data-threads'));
  return { page, threads: shown, close: () => browser.close() };
}

/** ms per classify of one bundled beat (every bundled beat once; the first shown on load is dropped). */
export async function batchOneMs(page: Page): Promise<number[]> {
  return (await classifyBundledBeats(page)).slice(1).map((r) => r.inferenceMs);
}

/** ms per beat for one upload of `tsv` holding `n` beats. */
export async function batchMsPerBeat(page: Page, tsv: string, n: number): Promise<number> {
  return (await uploadBatch(page, tsv)).inferenceMs / n;
}
