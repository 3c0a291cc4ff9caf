// Drives the served web page the way a user does (pick a bundled beat, upload a file) and reads back
// what it shows: the probabilities come from data attributes holding the full float32 values.
import type { Page } from 'playwright-core';

export interface PageResult {
  /** [n][K] probabilities as the page computed them. */
  probabilities: number[][];
  /** Predicted class label per beat. */
  predicted: string[];
  /** What the page measured around classify() for the whole upload. */
  inferenceMs: number;
  /** The page's accuracy line ("" when the file had no labels). */
  accuracyText: string;
}

async function runs(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.body.dataset.runs ?? 0));
}

async function waitAfter(page: Page, before: number, timeoutMs: number): Promise<void> {
  await page.waitForFunction((n) => Number(document.body.dataset.runs ?? 0) > n, before, { timeout: timeoutMs });
}

async function errorText(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const box = document.querySelector<HTMLElement>('[data-testid="error"]')!;
    return box.hidden ? undefined : (box.textContent ?? '');
  });
}

/** Uploads `text` as a file through the page's file input; resolves with the batch table's contents. */
export async function uploadBatch(page: Page, text: string, name = 'beats.tsv', timeoutMs = 600_000): Promise<PageResult> {
  const before = await runs(page);
  await page.setInputFiles('[data-testid="upload"]', { name, mimeType: 'text/tab-separated-values', buffer: Buffer.from(text) });
  await waitAfter(page, before, timeoutMs);
  const error = await errorText(page);
  if (error !== undefined) throw new Error(`the page reported an error for ${name}: ${error}`);
  return page.evaluate(() => {
    const rows = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="batch-row"]'));
    return {
      probabilities: rows.map((r) => JSON.parse(r.dataset.probabilities!) as number[]),
      predicted: rows.map((r) => r.dataset.predicted!),
      inferenceMs: Number(document.querySelector<HTMLElement>('[data-testid="inference-ms"]')!.dataset.ms),
      accuracyText: document.querySelector('[data-testid="accuracy"]')!.textContent ?? '',
    };
  });
}

export interface SingleResult {
  prediction: string;
  label: string;
  probabilities: number[];
  inferenceMs: number;
}

async function readSingle(page: Page): Promise<SingleResult> {
  return page.evaluate(() => {
    const pred = document.querySelector<HTMLElement>('[data-testid="prediction"]')!;
    return {
      prediction: pred.textContent ?? '',
      label: pred.dataset.label ?? '',
      probabilities: JSON.parse(document.querySelector<HTMLOutputElement>('[data-testid="probabilities"]')!.value) as number[],
      inferenceMs: Number(document.querySelector<HTMLElement>('[data-testid="inference-ms"]')!.dataset.ms),
    };
  });
}

/** Selects every bundled beat in turn (the first is shown on load) and reads the single-beat result. */
export async function classifyBundledBeats(page: Page, timeoutMs = 120_000): Promise<SingleResult[]> {
  const values = await page.$$eval('[data-testid="beat-select"] option', (os) => os.map((o) => (o as HTMLOptionElement).value));
  const out: SingleResult[] = [];
  for (const [i, value] of values.entries()) {
    if (i > 0) {
      const before = await runs(page);
      await page.selectOption('[data-testid="beat-select"]', value);
      await waitAfter(page, before, timeoutMs);
    }
    const error = await errorText(page);
    if (error !== undefined) throw new Error(`the page reported an error for bundled beat ${i}: ${error}`);
    out.push(await readSingle(page));
  }
  return out;
}

/** Pastes text and presses the classify button; returns the error text shown (undefined when none). */
export async function pasteAndClassify(page: Page, text: string, timeoutMs = 60_000): Promise<{ error: string | undefined; result: SingleResult }> {
  const before = await runs(page);
  await page.fill('[data-testid="paste"]', text);
  await page.click('[data-testid="classify-paste"]');
  await waitAfter(page, before, timeoutMs);
  return { error: await errorText(page), result: await readSingle(page) };
}
