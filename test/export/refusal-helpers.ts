// Shared pieces of the refusal tables (refusals-*.ts): a case is a run that must reject with one
// typed error whose message says what is wrong; most edit the saved artifacts of a tiny TF.js model
// into the Keras config a refusal is about.
import * as tf from '@tensorflow/tfjs';
import { exportModel, type ExportOptions } from '../../export/index.js';

export type Config = Record<string, unknown>;

export interface Refusal {
  name: string;
  /** What is expected to reject. */
  run: () => Promise<unknown>;
  error: 'unsupported' | 'format';
  message: RegExp;
}

/** The ModelArtifacts model.save() hands an IOHandler. */
export async function artifactsOf(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let out: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((out = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  return out!;
}

export const layersOf = (a: tf.io.ModelArtifacts) => ((a.modelTopology as Config).config as { layers: Config[] }).layers;

/** The i-th layer entry (class_name, config, inbound_nodes) of class `cls`. */
export function entryOf(a: tf.io.ModelArtifacts, cls: string, i = 0): Config {
  const found = layersOf(a).filter((l) => l.class_name === cls)[i];
  if (!found) throw new Error(`test setup: no layer ${cls} #${i} in ${layersOf(a).map((l) => l.class_name).join(', ')}`);
  return found;
}

export const configOf = (a: tf.io.ModelArtifacts, cls: string, i = 0) => entryOf(a, cls, i).config as Config;

/** A Sequential model of `layers` on input `shape`. */
export const seq = (shape: number[], ...layers: tf.layers.Layer[]) => () => tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: shape }), ...layers] });

/** A functional model: body(inputs) -> outputs. */
export function fn(shapes: (number[] | { shape: number[]; dtype: 'int32' })[], body: (...xs: tf.SymbolicTensor[]) => tf.SymbolicTensor | tf.SymbolicTensor[]): () => tf.LayersModel {
  return () => {
    const inputs = shapes.map((s) => (Array.isArray(s) ? tf.input({ shape: s }) : tf.input({ shape: s.shape, dtype: s.dtype })));
    return tf.model({ inputs, outputs: body(...inputs) });
  };
}

export const on = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

/** A case that exports `build()` after `edit` rewrote its saved artifacts. */
export function edited(name: string, build: () => tf.LayersModel, edit: (a: tf.io.ModelArtifacts) => void, message: RegExp, error: Refusal['error'] = 'unsupported', options: ExportOptions = {}): Refusal {
  return {
    name,
    error,
    message,
    run: async () => {
      const a = await artifactsOf(build());
      edit(a);
      return exportModel(a, options);
    },
  };
}

/** `edited` setting one config key of the first layer of class `cls`. */
export function option(name: string, build: () => tf.LayersModel, cls: string, key: string, value: unknown, message: RegExp, options: ExportOptions = {}): Refusal {
  return edited(name, build, (a) => (configOf(a, cls)[key] = value), message, 'unsupported', options);
}
