// Refusals of what the exporter reads (model.json, weights, topology, sources, paths, metadata) and
// of export options (exporter.ts, node.ts, source.ts, layers-model.ts, topology.ts, convert.ts,
// model-metadata.ts, onnx-builder.ts): one case per refusal site, each naming the file or field.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { exportEnsembleOf, exportModel, fetchLayersModel, layersModelFilesFrom } from '../../export/index.js';
import { exportModel as exportPath } from '../../export/node.js';
import { decodeModel } from '../../export/onnx-builder.js';
import { onnx } from '../../export/generated/onnx.js';
import { saveLayersModel, tempDir } from './fixtures.js';
import { artifactsOf, edited, entryOf, fn, layersOf, on, seq, type Config, type Refusal } from './refusal-helpers.js';

const L = tf.layers;
const dense = seq([4], L.dense({ units: 2, activation: 'softmax' }));
const ecgShaped = fn([[6, 2]], (x) => on(L.dense({ units: 3 }), on(L.flatten(), x)));
const twoOutputs = fn([[4]], (x) => [on(L.dense({ units: 2 }), x), on(L.dense({ units: 1 }), x)]);

/** model.json (as an object) and its weights of `build()`, edited, exported from memory. */
function json(name: string, build: () => tf.LayersModel, edit: (j: Config, weights: Uint8Array) => Uint8Array | void, message: RegExp): Refusal {
  return {
    name,
    error: 'format',
    message,
    run: async () => {
      const a = await artifactsOf(build());
      const modelJson: Config = { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] };
      const bytes = new Uint8Array(a.weightData as ArrayBuffer);
      const weights = edit(modelJson, bytes) ?? bytes;
      return exportModel({ modelJson, weights: { 'weights.bin': weights } });
    },
  };
}
const topologyOf = (j: Config) => j.modelTopology as Config;
const configOfTopology = (j: Config) => topologyOf(j).config as Config;

async function savedDir(): Promise<string> {
  return saveLayersModel(dense(), await tempDir());
}

export const SOURCE_REFUSALS: Refusal[] = [
  // exporter.ts
  { name: 'opset out of range', error: 'unsupported', message: /opset 21 is not supported; supported: 13\.\.17/, run: async () => exportModel(dense(), { opset: 21 }) },
  { name: 'unknown contract', error: 'unsupported', message: /contract "onnx" is not supported; supported: auto, ecg, generic/, run: async () => exportModel(dense(), { contract: 'onnx' as 'ecg' }) },
  { name: 'contract ecg with two outputs', error: 'unsupported', message: /has 1 inputs and 2 outputs; the ECG contract needs one input \[N, T, C\] and one output \[N, K\]; export with contract "generic"/, run: async () => exportModel(twoOutputs(), { contract: 'ecg' }) },
  { name: 'contract ecg with a rank-2 input', error: 'unsupported', message: /the input has shape \[N,4\] \(float32\); the ECG contract needs one float32 input \[N, T, C\]/, run: async () => exportModel(dense(), { contract: 'ecg' }) },
  { name: 'classes for a generic model', error: 'unsupported', message: /classes and test accuracy are recorded for ECG beat classifiers only/, run: async () => exportModel(twoOutputs(), { testAccuracy: 0.9 }) },
  // model-metadata.ts
  { name: 'class names that do not match the output', error: 'format', message: /2 class names given but the model outputs 3 values; pass matching classes/, run: async () => exportModel(ecgShaped(), { classes: [{ label: 'a', name: 'A' }, { label: 'b', name: 'B' }] }) },
  // topology.ts
  json('modelTopology class_name', dense, (j) => void (topologyOf(j).class_name = 'Graph'), /modelTopology class_name "Graph" is not a Keras model; expected Sequential, Model or Functional/),
  json('no layers', dense, (j) => void (configOfTopology(j).layers = []), /modelTopology has no layers/),
  json('a layer entry without config', dense, (j) => void ((configOfTopology(j).layers as Config[])[1]!.config = null), /a layer entry lacks class_name\/config/),
  { ...json('a nested model', dense, (j) => void ((configOfTopology(j).layers as Config[])[1]!.class_name = 'Sequential'), /\(Sequential\): nested models are not supported; rebuild the model flat/), error: 'unsupported' },
  json('Sequential without an input shape', dense, (j) => void (configOfTopology(j).layers as Config[]).shift(), /Sequential model's first layer "dense_Dense\d+" has no batch_input_shape; build it with inputShape/),
  json('malformed inbound node', ecgShaped, (j) => void (((configOfTopology(j).layers as Config[])[1]!.inbound_nodes as unknown[][])[0] = [[3, 0, 0, {}]]), /layer "flatten_Flatten\d+": malformed inbound node entry \[3,0,0,\{\}\]/),
  json('Keras 3 inbound node without keras_history', ecgShaped, (j) => void (((configOfTopology(j).layers as Config[])[1]!.inbound_nodes as unknown[])[0] = { args: [{ config: {} }] }), /layer "flatten_Flatten\d+": cannot read inbound node/),
  json('no input_layers', ecgShaped, (j) => void (configOfTopology(j).input_layers = []), /modelTopology config has no input_layers/),
  json('an inbound layer that is not in the model', ecgShaped, (j) => void ((((configOfTopology(j).layers as Config[])[1]!.inbound_nodes as unknown[][][])[0]![0]![0] = 'ghost')), /layer "flatten_Flatten\d+" takes input from "ghost" call 0, which is not in the model/),
  // convert.ts (topology-level)
  json('an inbound tensor index that does not exist', ecgShaped, (j) => void ((((configOfTopology(j).layers as Config[])[1]!.inbound_nodes as unknown[][][])[0]![0]![2] = 4)), /layer "flatten_Flatten\d+" reads output 4 of "input\d+", which does not exist/),
  json('an InputLayer missing from input_layers', fn([[4], [4]], (x, y) => on(L.add(), [x, y])), (j) => void (configOfTopology(j).input_layers = [(configOfTopology(j).input_layers as unknown[])[0]]), /\(InputLayer\) is not listed in the model's input_layers; re-save the model/),
  json('a model input that is not an InputLayer', ecgShaped, (j) => {
    const c = configOfTopology(j);
    c.input_layers = [...(c.input_layers as unknown[][]), [(c.layers as Config[])[1]!.name, 0, 0]];
  }, /model input "flatten_Flatten\d+" is not an InputLayer of the model/),
  json('an output layer that is not in the model', ecgShaped, (j) => void (configOfTopology(j).output_layers = [['ghost', 0, 0]]), /output layer "ghost" is not in the model/),
  // layers-model.ts
  json('a graph model', dense, (j) => void (j.format = 'graph-model'), /this is a TF\.js graph model \(a converted SavedModel\); the exporter reads layers models only/),
  json('no modelTopology', dense, (j) => void delete j.modelTopology, /has no "modelTopology"; not a TF\.js layers model/),
  { name: 'model.json that is not JSON', error: 'format', message: /model\.json: not valid JSON .*re-save the model/, run: async () => exportModel({ modelJson: '{"modelTopology": ', weights: {} }) },
  { name: 'model.json that is not an object', error: 'format', message: /model\.json: expected a JSON object with modelTopology and weightsManifest/, run: async () => exportModel({ modelJson: '[1, 2]', weights: {} }) },
  json('no weightsManifest', dense, (j) => void delete j.weightsManifest, /has no "weightsManifest" array; the weights cannot be found/),
  json('a weightsManifest group without paths', dense, (j) => void ((j.weightsManifest as Config[])[0]!.paths = 'weights.bin'), /weightsManifest\[0\] needs "paths" \(file names\) and "weights" arrays/),
  json('shards longer than the manifest says', dense, (_j, w) => Uint8Array.from([...w, 0, 0, 0, 0]), /weightsManifest\[0\] describes 40 bytes but its shards hold 44/),
  json('a weight entry without a name', dense, (j) => void delete ((j.weightsManifest as Config[])[0]!.weights as Config[])[0]!.name, /weightsManifest\[0\]: weight entry needs "name" and "shape"/),
  json('a weight of an unsupported dtype', dense, (j) => void ((((j.weightsManifest as Config[])[0]!.weights as Config[])[0]!.dtype = 'string')), /weight "dense_Dense\d+\/kernel" has dtype string; supported: float32\/int32, quantized uint8\/uint16\/float16/),
  json('truncated shards', dense, (_j, w) => w.subarray(0, 8), /weight "dense_Dense\d+\/kernel" needs bytes 0\.\.32 but the shards hold 8; a weights file is truncated/),
  // source.ts
  { name: 'files without a model.json', error: 'format', message: /expected exactly one model\.json among the files, got none; pick model\.json and its \.bin weight files/, run: async () => layersModelFilesFrom([{ name: 'weights.bin', arrayBuffer: async () => new ArrayBuffer(4) }]) },
  { name: 'a LayersModel whose save hands over nothing', error: 'format', message: /in-memory LayersModel: model\.save\(\) handed over no artifacts/, run: async () => exportModel({ layers: [], save: async () => ({ modelArtifactsInfo: {} }) } as unknown as tf.LayersModel) },
  { name: 'a shard missing from the files', error: 'format', message: /weights\.bin: weights shard listed in model\.json is missing; add it to the files \(have: none\)/, run: async () => {
    const a = await artifactsOf(dense());
    return exportModel({ modelJson: { modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }, weights: {} });
  } },
  { name: 'a URL that cannot be fetched', error: 'format', message: /https:\/\/models\.example\/m\/model\.json: could not fetch the model\.json \(network down\)/, run: async () => fetchLayersModel('https://models.example/m/model.json', () => Promise.reject(new Error('network down'))) },
  { name: 'a URL that answers 404', error: 'format', message: /model\.json: could not fetch the model\.json: HTTP 404 Not Found/, run: async () => fetchLayersModel('https://models.example/m/model.json', async () => new Response('no', { status: 404, statusText: 'Not Found' })) },
  { name: 'not a model source', error: 'format', message: /the model to export must be a tf\.LayersModel, tf\.io\.ModelArtifacts, \{modelJson, weights\} files, or a model\.json URL/, run: async () => exportModel(42 as unknown as string) },
  // onnx-builder.ts (reading .onnx back)
  { name: 'bytes that are not ONNX', error: 'format', message: /broken\.onnx: not an ONNX model/, run: async () => decodeModel(Uint8Array.of(0xff, 0xff, 0xff), 'broken.onnx') },
  { name: 'an ONNX model without a graph', error: 'format', message: /empty\.onnx: ONNX file has no graph/, run: async () => decodeModel(onnx.ModelProto.encode({ irVersion: 8 }).finish(), 'empty.onnx') },
  // node.ts (paths)
  { name: 'a path that does not exist', error: 'format', message: /\/nonexistent\/model: no such file or directory; pass the folder holding model\.json/, run: async () => exportPath('/nonexistent/model') },
  { name: 'a folder without model.json', error: 'format', message: /folder has no model\.json; pass the folder written by "ecg train"/, run: async () => {
    const dir = join(await tempDir(), 'empty');
    await mkdir(dir);
    return exportPath(dir);
  } },
  { name: 'a shard file that cannot be read', error: 'format', message: /weights\.bin: weights shard listed in .*model\.json cannot be read \(ENOENT\); copy it next to model\.json/, run: async () => {
    const dir = await savedDir();
    await import('node:fs/promises').then((fs) => fs.rm(join(dir, 'weights.bin')));
    return exportPath(dir);
  } },
  { name: 'an explicit metrics.json that is missing', error: 'format', message: /no-metrics\.json: metrics file cannot be read; pass an existing metrics\.json or leave the option out/, run: async () => exportPath(await savedDir(), { metricsPath: '/nonexistent/no-metrics.json' }) },
  { name: 'a metrics.json that is not JSON', error: 'format', message: /metrics\.json: not valid JSON; fix or remove it/, run: async () => {
    const dir = await savedDir();
    await writeFile(join(dir, 'metrics.json'), '{');
    return exportPath(dir);
  } },
  // ensemble.ts, onnx-builder.ts averageModels, node.ts ensemble folders
  { name: 'an ensemble of one', error: 'format', message: /an ensemble needs at least 2 members, got 1/, run: async () => exportEnsembleOf([ecgShaped()]) },
  { name: 'ensemble members with other classes', error: 'format', message: /member 1 \(.*\) has other classes than member 0/, run: async () => {
    const [a, b] = await Promise.all([artifactsOf(ecgShaped()), artifactsOf(ecgShaped())]);
    const classes = (labels: string[]) => ({ classes: labels.map((label) => ({ label, name: `c${label}` })) });
    return exportEnsembleOf([{ ...a, userDefinedMetadata: classes(['1', '2', '3']) }, { ...b, userDefinedMetadata: classes(['1', '2', '4']) }]);
  } },
  { name: 'ensemble members with two outputs', error: 'format', message: /member 0 is not a one-input, one-output model/, run: async () => exportEnsembleOf([twoOutputs(), twoOutputs()]) },
  { name: 'ensemble members of different input sizes', error: 'format', message: /member 1's input, output or opset differ from member 0's/, run: async () =>
    exportEnsembleOf([ecgShaped(), fn([[8, 2]], (x) => on(L.dense({ units: 3 }), on(L.flatten(), x)))()]) },
  { name: 'an ensemble.json that is not JSON', error: 'format', message: /ensemble\.json: not valid JSON/, run: async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'ensemble.json'), '{');
    return exportPath(dir);
  } },
  { name: 'an ensemble.json of another format', error: 'format', message: /ensemble\.json: expected \{"format": "ecg-onnx-ensemble", "members": \["members\/0\/model", \.\.\.\]\}/, run: async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'ensemble.json'), JSON.stringify({ format: 'other', members: [1] }));
    return exportPath(dir);
  } },
];

export { edited, entryOf, layersOf };
