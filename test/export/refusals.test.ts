// Every refusal site of the exporter exercised: each `new UnsupportedLayerError(...)`,
// `new ModelFormatError(...)`, LayerConfig fail / requireDefault / oneOf call in export/ is
// triggered by a case of the tables (refusals-layers.ts, refusals-sources.ts), which checks the
// error type and that the message says what is wrong. The last test scans the sources for those
// sites and fails on any that no case reached (read from the error stacks), so a new refusal needs
// a case, and a removed refusal fails its own case.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelFormatError, UnsupportedLayerError } from '../../core/errors.js';
import { LAYER_REFUSALS } from './refusals-layers.js';
import { SOURCE_REFUSALS } from './refusals-sources.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EXPORT = join(ROOT, 'export');
const SITE = /new (UnsupportedLayerError|ModelFormatError)\(|\.fail\(|\.requireDefault\(|\.oneOf(<[^>]*>)?\(|throw refuse\(/;

/** "export/ops/conv.ts:38" for every refusal site in the exporter's sources. */
function refusalSites(): Set<string> {
  const sites = new Set<string>();
  const visit = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'generated' && e.name !== 'dist' && e.name !== 'node_modules') visit(path);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
          if (SITE.test(line) && !/^\s*\/\//.test(line)) sites.add(`${relative(ROOT, path)}:${i + 1}`);
        });
      }
    }
  };
  visit(EXPORT);
  return sites;
}

Error.stackTraceLimit = 100;
const hit = new Set<string>();

describe('every refusal site of the exporter', () => {
  for (const c of [...LAYER_REFUSALS, ...SOURCE_REFUSALS]) {
    it(c.name, async () => {
      const err = await c.run().then(
        () => new Error('did not refuse'),
        (e: unknown) => e,
      );
      expect(err, `${c.name}: ${(err as Error).message}`).toBeInstanceOf(c.error === 'unsupported' ? UnsupportedLayerError : ModelFormatError);
      expect((err as Error).message).toMatch(c.message);
      for (const m of ((err as Error).stack ?? '').matchAll(/(\/[^\s():]+\.ts):(\d+):\d+/g)) hit.add(`${relative(ROOT, m[1]!)}:${m[2]}`);
    });
  }

  it('no refusal site is left without a case', () => {
    const sites = refusalSites();
    expect(sites.size).toBeGreaterThan(100);
    expect([...sites].filter((s) => !hit.has(s)).sort()).toEqual([]);
  });
});
