// Training an ensemble: K members of one recipe with seeds seed..seed+K-1, saved side by side under one
// folder with an ensemble.json naming them (ensemble-model.ts reads it); its prediction is the mean of
// the members' probabilities. The exporter writes such a folder as ONE .onnx.
import { join, relative } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '@ecg-onnx/core/node';
import { calibrationReport, InvalidInputError } from '@ecg-onnx/core';
import { loadUcrSplit } from './data.js';
import { ENSEMBLE_FILE, loadEnsemble, type EnsembleManifest } from './ensemble-model.js';
import { predictWith, reportFromProbabilities } from './evaluate.js';
import { confusionFigureSpec, reliabilityFigureSpec, renderFigures } from './figures.js';
import type { TrainOptions } from './options.js';
import { OUTPUT_FILES, trainAndSave, type RunHooks, type TrainMetrics } from './run.js';

export interface EnsembleMetrics {
  members: number;
  seeds: number[];
  test: TrainMetrics['test'];
  calibration: { nll: number; brier: number; ece: number };
  memberAccuracies: number[];
  /** The temperature folded into every member (1: none). */
  memberTemperature: number;
  recipe: TrainMetrics['recipe'];
  createdAt: string;
}

/** Trains `k` members into OUT/members/<i> and writes OUT/ensemble.json and OUT/metrics.json (atomic as a whole). */
export async function trainEnsemble(o: TrainOptions, k: number, hooks: RunHooks = {}): Promise<EnsembleMetrics> {
  if (!Number.isInteger(k) || k < 2) throw new InvalidInputError(undefined, `--ensemble must be an integer >= 2, got ${k}`);
  const log = hooks.log ?? (() => {});
  let metrics: EnsembleMetrics | undefined;
  await writeDirAtomic(o.outDir, async (tmp) => {
    const seeds = Array.from({ length: k }, (_, i) => o.seed + i);
    // Averaging tempered members softens them again: a recipe may carry its own temperature for members.
    const memberTemperature = o.ensembleTemperature ?? o.temperature;
    const members: string[] = [];
    const runs: TrainMetrics[] = [];
    for (const [i, seed] of seeds.entries()) {
      log(`\n== ensemble member ${i + 1}/${k} (seed ${seed})`);
      const dir = join(tmp, 'members', String(i));
      runs.push((await trainAndSave({ ...o, temperature: memberTemperature, seed, outDir: dir }, { ...hooks, figures: false })).metrics);
      members.push(relative(tmp, join(dir, OUTPUT_FILES.model)));
    }
    const manifest: EnsembleManifest = { format: 'ecg-onnx-ensemble', members, seeds };
    await writeFileAtomic(join(tmp, ENSEMBLE_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    const ensemble = await loadEnsemble(tmp);
    try {
      const data = await loadUcrSplit(o.dataDir, o.classNames);
      const probs = predictWith(ensemble.predict, data.test);
      const test = reportFromProbabilities(probs, data.test.y, data.spec);
      const cal = calibrationReport(probs, data.test.y, data.spec.classes.length);
      metrics = { members: k, seeds, test, calibration: { nll: cal.nll, brier: cal.brier, ece: cal.ece }, memberAccuracies: runs.map((r) => r.test.accuracy), memberTemperature: memberTemperature ?? 1, recipe: runs[0]!.recipe, createdAt: new Date().toISOString() };
      await writeFileAtomic(join(tmp, OUTPUT_FILES.metrics), `${JSON.stringify(metrics, null, 2)}\n`);
      if (hooks.figures ?? true) {
        const figures = await renderFigures([
          [OUTPUT_FILES.confusionFigure, confusionFigureSpec(test, 'Confusion matrix (test set, ensemble)')],
          [OUTPUT_FILES.reliabilityFigure, reliabilityFigureSpec(cal, `Reliability (test set, ${k}-member ensemble)`)],
        ]);
        for (const [name, png] of figures) await writeFileAtomic(join(tmp, name), png);
      }
      log(`ensemble of ${k}: test accuracy ${(100 * test.accuracy).toFixed(2)}% (members ${runs.map((r) => (100 * r.test.accuracy).toFixed(2)).join(', ')}), macro F1 ${test.macroF1.toFixed(4)}, ECE ${cal.ece.toFixed(4)}`);
    } finally {
      ensemble.dispose();
    }
  });
  return metrics!;
}
