// The model table printed by `ecg train`, laid out like the paper's Table 1 (layer, output shape,
// parameters) so a reader can check the model against the paper line by line.
import type * as tf from '@tensorflow/tfjs';

export interface LayerRow {
  index: number;
  name: string;
  type: string;
  outputShape: string;
  params: number;
}

export interface ParamCounts {
  total: number;
  trainable: number;
  nonTrainable: number;
}

const shapeText = (shape: tf.Shape | tf.Shape[]): string => {
  const one = (s: tf.Shape) => `(${s.map((d) => (d === null ? 'N' : String(d))).join(',')})`;
  return Array.isArray(shape[0]) ? (shape as tf.Shape[]).map(one).join(' ') : one(shape as tf.Shape);
};

export function layerRows(model: tf.LayersModel): LayerRow[] {
  return model.layers.map((layer, index) => ({
    index,
    name: layer.name,
    type: layer.getClassName(),
    outputShape: shapeText(layer.outputShape),
    params: layer.countParams(),
  }));
}

export function paramCounts(model: tf.LayersModel): ParamCounts {
  const count = (ws: tf.LayerVariable[]) => ws.reduce((a, w) => a + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1), 0);
  const trainable = count(model.trainableWeights);
  const nonTrainable = count(model.nonTrainableWeights);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}

export function formatModelTable(model: tf.LayersModel): string {
  const rows = layerRows(model);
  const typeWidth = Math.max(5, ...rows.map((r) => r.type.length));
  const shapeWidth = Math.max(12, ...rows.map((r) => r.outputShape.length));
  const line = (a: string, b: string, c: string, d: string) => `${a.padStart(3)}  ${b.padEnd(typeWidth)}  ${c.padEnd(shapeWidth)}  ${d.padStart(9)}`;
  const out = [line('#', 'layer', 'output shape', 'params'), '-'.repeat(3 + 2 + typeWidth + 2 + shapeWidth + 2 + 9)];
  for (const r of rows) out.push(line(String(r.index), r.type, r.outputShape, r.params.toLocaleString('en-US')));
  const p = paramCounts(model);
  out.push(
    '',
    `total params ${p.total.toLocaleString('en-US')} (trainable ${p.trainable.toLocaleString('en-US')}, non-trainable ${p.nonTrainable.toLocaleString('en-US')})`,
  );
  return out.join('\n');
}
