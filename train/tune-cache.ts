// A directory of finished cross-validation results for `ecg tune --cache DIR`: one JSON file per
// (recipe, folds, seed, workers, backend, members), named by a hash of exactly those, written atomically,
// so an interrupted tune resumes and several tune processes can share the work of one grid.
// Results depend on the training code too: empty the directory when that changes.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@ecg-onnx/core/node';
import type { CvScore } from './cross-validation.js';
import type { Recipe } from './options.js';

export interface CvKey {
  /** SHA-256 of the TRAIN file's bytes. */
  data: string;
  recipe: Recipe;
  folds: number;
  seed: number;
  workers: number;
  backend: string;
  members: number;
}

/** Canonical JSON (object keys sorted at every level): equal keys hash alike whatever their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const cacheFileName = (key: CvKey) => `${createHash('sha256').update(canonical(key)).digest('hex').slice(0, 24)}.json`;

interface Stored {
  key: CvKey;
  score: Omit<CvScore, 'oof'> & { oof: number[][] };
}

/** The stored score of `key`, or undefined (also when the file holds another key: a hash collision or a hand edit). */
export async function readCached(dir: string, key: CvKey): Promise<CvScore | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, cacheFileName(key)), 'utf8');
  } catch {
    return undefined;
  }
  const stored = JSON.parse(text) as Stored;
  if (canonical(stored.key) !== canonical(key)) return undefined;
  return { ...stored.score, oof: stored.score.oof.map((m) => Float32Array.from(m)) };
}

export async function writeCached(dir: string, key: CvKey, score: CvScore): Promise<void> {
  await mkdir(dir, { recursive: true });
  const stored: Stored = { key, score: { ...score, oof: score.oof.map((m) => Array.from(m)) } };
  await writeFileAtomic(join(dir, cacheFileName(key)), `${JSON.stringify(stored)}\n`);
}
