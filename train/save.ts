// Saving and loading the trained tfjs LayersModel as model.json + weights.bin (the layout of
// tfjs-node's file:// handler and of tensorflowjs_converter), written atomically. Pure @tensorflow/tfjs
// has no file:// handler in Node, so both directions go through an in-memory IOHandler here.
// Importing this module registers ResetAfterGRU (via ./gru.js) so a saved model reloads by itself.
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '@ecg-onnx/core/node';
import { ModelFormatError, type ModelSpec } from '@ecg-onnx/core';
import './gru.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
/** Key under model.json's userDefinedMetadata holding the ModelSpec (classes, labels, names). */
export const SPEC_METADATA_KEY = 'ecgSpec';

/**
 * Writes `dir`/model.json + weights.bin atomically (a failure leaves an older `dir` untouched). The spec
 * (and the test accuracy, when known) go into userDefinedMetadata, so the model describes itself
 * wherever it is exported from: its folder, or the same model held in memory.
 */
export async function saveModel(model: tf.LayersModel, spec: ModelSpec, dir: string, testAccuracy?: number): Promise<void> {
  model.setUserDefinedMetadata({ [SPEC_METADATA_KEY]: spec, ...(testAccuracy === undefined ? {} : { testAccuracy }) });
  await writeDirAtomic(dir, async (tmp) => {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
        const modelJson = {
          modelTopology: artifacts.modelTopology,
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy ?? null,
          weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
          userDefinedMetadata: artifacts.userDefinedMetadata,
        };
        await writeFileAtomic(join(tmp, WEIGHTS_BIN), weights);
        await writeFileAtomic(join(tmp, MODEL_JSON), JSON.stringify(modelJson));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
      }),
    );
  });
}

/** Reads model.json and its weight files from `dir` (or a path to model.json) into ModelArtifacts. */
export async function readModelArtifacts(dirOrJson: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = dirOrJson.endsWith('.json') ? dirOrJson : join(dirOrJson, MODEL_JSON);
  const dir = jsonPath.slice(0, jsonPath.length - MODEL_JSON.length);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (err) {
    throw new ModelFormatError(`${jsonPath}: cannot read a tfjs model.json (${(err as Error).message}); pass --model DIR/model from \`ecg train\``);
  }
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new ModelFormatError(`${jsonPath}: not a tfjs LayersModel (no modelTopology/weightsManifest)`);
  }
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers = await Promise.all(
      manifest.flatMap((group) =>
        group.paths.map(async (p) => {
          try {
            const b = await readFile(join(dir, p));
            return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
          } catch {
            throw new ModelFormatError(`${join(dir, p)}: weight file named in ${jsonPath} is missing`);
          }
        }),
      ),
    );
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  });
}

export interface LoadedModel {
  model: tf.LayersModel;
  /** The spec saved with the model (undefined for a model.json saved elsewhere). */
  spec: ModelSpec | undefined;
}

/** One call: model.json + weights -> LayersModel and its saved spec. */
export async function loadTrainedModel(dirOrJson: string): Promise<LoadedModel> {
  const artifacts = await readModelArtifacts(dirOrJson);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new ModelFormatError(`${dirOrJson}: the tfjs model does not load (${(err as Error).message})`);
  }
  const meta = artifacts.userDefinedMetadata as Record<string, unknown> | undefined;
  return { model, spec: meta?.[SPEC_METADATA_KEY] as ModelSpec | undefined };
}
