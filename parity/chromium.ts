// Debian's Chromium driven by playwright-core (no browser download): the launch flags for the two
// runs (plain WASM, and WebGPU on SwiftShader), and one helper that opens the page and waits for it.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DeviceUnavailableError } from '@ecg-onnx/core';
import type { WebProvider } from '@ecg-onnx/runtime-web';

export const CHROMIUM_PATH = process.env.ECG_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_INSTALL_HINT = 'sudo apt-get install -y chromium';

/** Always: no sandbox (containers), and nothing that phones home, so runs are offline and quiet. */
export const BASE_FLAGS = Object.freeze(['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run']);
/** WebGPU without a GPU: Chromium's SwiftShader Vulkan adapter (a software GPU, slow by design). */
export const WEBGPU_FLAGS = Object.freeze([
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--enable-unsafe-swiftshader',
]);

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Launches headless Chromium set up for `provider`; a missing binary names the apt command. */
export async function launchChromium(provider: WebProvider): Promise<Browser> {
  if (!chromiumAvailable()) {
    throw new DeviceUnavailableError(`Chromium not found at ${CHROMIUM_PATH}; install it with: ${CHROMIUM_INSTALL_HINT} (or set ECG_CHROMIUM)`);
  }
  const args = provider === 'webgpu' ? [...BASE_FLAGS, ...WEBGPU_FLAGS] : [...BASE_FLAGS];
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
}

/** Chromium on a profile folder of its own (an HTTP cache that survives between tabs): cold vs warm loads. */
export async function launchChromiumProfile(provider: WebProvider, userDataDir: string): Promise<BrowserContext> {
  if (!chromiumAvailable()) {
    throw new DeviceUnavailableError(`Chromium not found at ${CHROMIUM_PATH}; install it with: ${CHROMIUM_INSTALL_HINT} (or set ECG_CHROMIUM)`);
  }
  const args = provider === 'webgpu' ? [...BASE_FLAGS, ...WEBGPU_FLAGS] : [...BASE_FLAGS];
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args });
}

export interface OpenedPage {
  page: Page;
  /** Requests the page made to anything but the page's own origin (must stay empty: offline). */
  foreignRequests: string[];
  /** Paths the page (and its workers) requested from its own origin, in order. */
  requests: string[];
  /** Milliseconds from navigation to the first prediction on screen. */
  firstPredictionMs: number;
}

/** Opens the served page with ?provider=..., waits for the first prediction, records foreign requests. */
export async function openPage(browser: Browser, baseUrl: string, provider: WebProvider, timeoutMs = 120_000, query = ''): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const origin = new URL(baseUrl).origin;
  const foreignRequests: string[] = [];
  const requests: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) requests.push(new URL(url).pathname);
    if (new URL(url).origin === origin || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  const started = Date.now();
  await page.goto(`${baseUrl}?provider=${provider}${query ? `&${query}` : ''}`);
  await page.waitForFunction(() => Number(document.body.dataset.runs ?? 0) >= 1, undefined, { timeout: timeoutMs });
  const firstPredictionMs = Date.now() - started;
  return { page, foreignRequests, requests, firstPredictionMs };
}

/** Waits until the page has finished `count` classifications in total (successful or not). */
export async function waitForRuns(page: Page, count: number, timeoutMs = 300_000): Promise<void> {
  await page.waitForFunction((n) => Number(document.body.dataset.runs ?? 0) >= n, count, { timeout: timeoutMs });
}
