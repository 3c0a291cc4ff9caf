// Calibration metrics against values worked out by hand, and temperature scaling: fitted on
// overconfident predictions it cools them (t > 1) and lowers their NLL; t = 1 changes nothing.
import { describe, expect, it } from 'vitest';
import { applyTemperature, calibrationReport, fitTemperature } from '../../core/calibration.js';

describe('calibrationReport', () => {
  it('NLL, Brier and ECE of a hand-worked case', () => {
    // Two classes, four beats: confidences 0.9 (right), 0.9 (wrong), 0.6 (right), 0.6 (right).
    const probs = [0.9, 0.1, 0.1, 0.9, 0.6, 0.4, 0.4, 0.6];
    const truth = [0, 0, 0, 1];
    const r = calibrationReport(probs, truth, 2, 10);
    expect(r.nll).toBeCloseTo(-(Math.log(0.9) + Math.log(0.1) + Math.log(0.6) + Math.log(0.6)) / 4, 12);
    expect(r.brier).toBeCloseTo((2 * 0.01 + 2 * 0.81 + 2 * 0.16 + 2 * 0.16) / 4, 12);
    // Bin [0.9, 1.0): 2 beats, confidence 0.9, accuracy 0.5; bin [0.6, 0.7): 2 beats, 0.6 vs 1.0.
    expect(r.ece).toBeCloseTo(0.5 * 0.4 + 0.5 * 0.4, 12);
    const used = r.bins.filter((b) => b.count > 0);
    expect(used.map((b) => [b.lo, b.count, b.accuracy])).toEqual([
      [0.6, 2, 1],
      [0.9, 2, 0.5],
    ]);
  });

  it('puts a confidence of exactly 1 in the last bin, and refuses a size mismatch', () => {
    expect(calibrationReport([1, 0], [0], 2, 15).bins[14]!.count).toBe(1);
    expect(() => calibrationReport([1, 0, 0], [0], 2)).toThrow(/3 probabilities for 1 beats x 2 classes/);
  });
});

describe('temperature scaling', () => {
  // Overconfident: the top class gets 0.99 but is right only 3 times in 4.
  const n = 400;
  const probs = new Float64Array(2 * n);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    probs.set([0.99, 0.01], 2 * i);
    truth[i] = i % 4 === 0 ? 1 : 0;
  }

  it('t = 1 is the identity, and rows still sum to 1 after any t', () => {
    const same = applyTemperature([0.7, 0.2, 0.1], 3, 1);
    [0.7, 0.2, 0.1].forEach((p, i) => expect(same[i]).toBeCloseTo(p, 12));
    const hot = applyTemperature([0.7, 0.2, 0.1], 3, 3);
    expect(hot[0]! + hot[1]! + hot[2]!).toBeCloseTo(1, 12);
    expect(hot[0]).toBeLessThan(0.7);
  });

  it('fitted on overconfident predictions, cools them to the right confidence', () => {
    const t = fitTemperature([probs], truth, 2);
    expect(t).toBeGreaterThan(1);
    const calibrated = applyTemperature(probs, 2, t);
    expect(calibrated[0]).toBeCloseTo(0.75, 3); // the NLL optimum: confidence = accuracy
    expect(calibrationReport(calibrated, truth, 2).nll).toBeLessThan(calibrationReport(probs, truth, 2).nll);
  });

  it('for an ensemble, scales each member before averaging', () => {
    const other = new Float64Array(probs).map((_, i) => (i % 2 === 0 ? 0.9 : 0.1));
    const t = fitTemperature([probs, other], truth, 2);
    const mean = applyTemperature(probs, 2, t)[0]! / 2 + applyTemperature(other, 2, t)[0]! / 2;
    expect(mean).toBeCloseTo(0.75, 2);
  });
});
