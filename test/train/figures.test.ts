// The figures `ecg train` writes: rasterised off the main thread, all at once, and still the same images.
import { describe, expect, it } from 'vitest';
import { confusionFigureSpec, lossFigureSpec, renderFigures, renderSvg, svgToPng, svgToPngAsync } from '../../train/figures.js';
import type { EpochRecord } from '../../train/fit.js';
import { reportFromConfusionMatrix } from '../../core/metrics.js';

const history: EpochRecord[] = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.5 + epoch / 10, valLoss: 1.2 / epoch, valAccuracy: 0.4 + epoch / 10, learningRate: 1e-3 }));
const report = reportFromConfusionMatrix([[3, 1], [0, 2]], [{ label: '1', name: 'Normal' }, { label: '2', name: 'R-on-T PVC' }]);

const pngWidth = (png: Uint8Array) => Buffer.from(png).readUInt32BE(16);

describe('figures', () => {
  it('the libuv-thread rasteriser draws the bytes the synchronous svgToPng draws (white background, 2x, system fonts)', async () => {
    const svg = await renderSvg(lossFigureSpec(history));
    const sync = svgToPng(svg);
    const png = await svgToPngAsync(svg);
    expect(Buffer.from(png).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(Buffer.compare(Buffer.from(png), Buffer.from(sync))).toBe(0);
  });

  it('renderFigures pairs each name with its own figure, in the order given', async () => {
    const specs = [
      ['loss.png', lossFigureSpec(history)],
      ['confusion.png', confusionFigureSpec(report)],
    ] as const;
    const figures = await renderFigures(specs);
    expect(figures.map(([name]) => name)).toEqual(['loss.png', 'confusion.png']);
    for (const [i, [, spec]] of specs.entries()) {
      const alone = svgToPng(await renderSvg(spec));
      expect(Buffer.compare(Buffer.from(figures[i]![1]), Buffer.from(alone)), specs[i]![0]).toBe(0);
    }
    expect(pngWidth(figures[0]![1])).not.toBe(pngWidth(figures[1]![1])); // two different images, so a swap would show
  });

  it('a figure that cannot be laid out rejects renderFigures, rather than leaving a figure out', async () => {
    const broken = { data: { values: [] }, mark: 'no-such-mark', encoding: {} } as unknown as Parameters<typeof renderSvg>[0];
    await expect(renderFigures([['loss.png', lossFigureSpec(history)], ['broken.png', broken]])).rejects.toBeInstanceOf(Error);
  });
});
