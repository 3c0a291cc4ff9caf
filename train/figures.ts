// The paper's Figure 1 (training loss dashed, validation loss solid, per epoch), a confusion matrix and
// a reliability diagram, drawn with vega-lite, rendered to SVG by vega's headless View and rasterised by resvg
// (no browser, no canvas package).
import { Resvg, renderAsync } from '@resvg/resvg-js';
import type * as vegaLite from 'vega-lite';
import type { CalibrationReport, ClassificationReport } from '@ecg-onnx/core';
import type { EpochRecord } from './fit.js';

type VlSpec = vegaLite.TopLevelSpec;

export function lossFigureSpec(history: EpochRecord[]): VlSpec {
  // Under --split full there is no validation curve; the legend and title then show only training.
  const hasValidation = history.some((r) => r.valLoss !== null);
  const title = hasValidation ? 'Training and validation loss' : 'Training loss (--split full: no validation set)';
  const series = hasValidation ? ['training', 'validation'] : ['training'];
  const values = history.flatMap((r) => [
    { epoch: r.epoch, series: 'training', loss: r.loss },
    ...(r.valLoss === null ? [] : [{ epoch: r.epoch, series: 'validation', loss: r.valLoss }]),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 300,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'loss', type: 'quantitative', title: 'cross-entropy loss' },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: ['#1f77b4', '#d62728'] } },
      strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: [[6, 4], [1, 0]] } },
    },
  };
}

/** Cells coloured by the row share (recall), labelled with counts; rows = true class, columns = predicted. */
export function confusionFigureSpec(report: ClassificationReport, title = 'Confusion matrix (test set)'): VlSpec {
  const names = report.perClass.map((c) => `${c.label} ${c.name}`);
  const values = report.confusionMatrix.flatMap((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, j) => ({ truth: names[i], predicted: names[j], count, share: total ? count / total : 0 }));
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${title}: accuracy ${(100 * report.accuracy).toFixed(2)}%`,
    background: 'white',
    data: { values },
    width: 60 * names.length,
    height: 60 * names.length,
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: names, title: 'predicted class', axis: { labelAngle: -30, labelLimit: 300 } },
      y: { field: 'truth', type: 'nominal', sort: names, title: 'true class', axis: { labelLimit: 300 } },
    },
    layer: [
      {
        mark: 'rect',
        encoding: { color: { field: 'share', type: 'quantitative', title: 'row share', scale: { scheme: 'blues', domain: [0, 1] } } },
      },
      {
        mark: { type: 'text', fontSize: 13 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/**
 * Reliability diagram: per confidence bin, the share of beats the top class got right (bars) against
 * the diagonal of perfect calibration; bar labels give the beats per bin, the title the ECE.
 */
export function reliabilityFigureSpec(report: CalibrationReport, title = 'Reliability (test set)'): VlSpec {
  const bins = report.bins.filter((b) => b.count > 0).map((b) => ({ ...b, mid: (b.lo + b.hi) / 2 }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${title}: ECE ${report.ece.toFixed(4)}, NLL ${report.nll.toFixed(4)}, Brier ${report.brier.toFixed(4)}`,
    width: 420,
    height: 300,
    background: 'white',
    layer: [
      {
        data: { values: bins },
        mark: { type: 'rect', color: '#1f77b4', opacity: 0.8, stroke: 'white' },
        encoding: {
          x: { field: 'lo', type: 'quantitative', title: 'confidence (top-class probability)', scale: { domain: [0, 1] } },
          x2: { field: 'hi' },
          y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] } },
          y2: { datum: 0 },
        },
      },
      {
        data: { values: bins },
        mark: { type: 'text', dy: -8, fontSize: 10 },
        encoding: { x: { field: 'mid', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' }, text: { field: 'count', type: 'quantitative' } },
      },
      {
        data: { values: [{ p: 0 }, { p: 1 }] },
        mark: { type: 'line', color: '#d62728', strokeDash: [4, 4] },
        encoding: { x: { field: 'p', type: 'quantitative' }, y: { field: 'p', type: 'quantitative' } },
      },
    ],
  };
}

/** vega and vega-lite load on first use (~0.3 s here): runs that draw no figure (CV folds, ensemble members, eval) never pay it. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const PNG_OPTIONS = { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } } as const;

/** SVG -> PNG at 2x for legibility; system fonts (DejaVu on Debian) draw the text. */
export function svgToPng(svg: string): Uint8Array {
  return new Resvg(svg, PNG_OPTIONS).render().asPng();
}

/** svgToPng on a libuv thread: the same bytes, the calling thread stays free (renderFigures rasterises all at once). */
export async function svgToPngAsync(svg: string): Promise<Uint8Array> {
  return (await renderAsync(svg, PNG_OPTIONS)).asPng();
}

/** name -> spec becomes name -> PNG bytes: vega lays the figures out one after another, resvg rasterises them all at once. */
export async function renderFigures(specs: ReadonlyArray<readonly [string, VlSpec]>): Promise<Array<[string, Uint8Array]>> {
  const pngs: Array<Promise<Uint8Array>> = [];
  for (const [, spec] of specs) {
    const png = svgToPngAsync(await renderSvg(spec));
    // Handled from the start: a rasterisation may fail while a later figure is laid out (or that layout
    // may throw first); Promise.all below still reports the failure.
    png.catch(() => {});
    pngs.push(png);
  }
  const bytes = await Promise.all(pngs);
  return specs.map(([name], i) => [name, bytes[i]!]);
}
