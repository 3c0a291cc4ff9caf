// Where a model to export comes from, in any environment: a tf.LayersModel in memory, the
// tf.io.ModelArtifacts that model.save() hands an IOHandler, model.json + weight files picked by a user
// (or held in memory), or a model.json URL fetched with its shards. Paths are the Node entry's business
// (node.ts); this module touches no Node API, so it runs in browsers as it is.
import type { LayersModel, io } from '@tensorflow/tfjs';
import { ModelFormatError } from '@ecg-onnx/core';
import { checkTopology, concatBytes, parseModelJson, readWeightGroups, type LoadedLayersModel, type ManifestEntry } from './layers-model.js';

/** model.json plus its weight shards, already in memory (e.g. files a user dropped on a page). */
export interface LayersModelFiles {
  /** model.json: its text, bytes or parsed object. */
  modelJson: string | Uint8Array | Record<string, unknown>;
  /** Weight shards by the file name model.json lists ("weights.bin", "group1-shard1of2.bin", ...). */
  weights: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;
  /** Names the model in messages (default "model.json"). */
  label?: string;
}

/** Anything exportModel() takes. A string or URL is fetched (the Node entry also takes a path). */
export type ModelSource = LayersModel | io.ModelArtifacts | LayersModelFiles | string | URL;

/** A picked file: the DOM File, or anything with a name and its bytes. */
export interface NamedFile {
  name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const baseName = (path: string) => path.replace(/\\/g, '/').split('/').pop()!;

/** model.json + weight files from a file picker or drop (folder or loose files); exactly one .json. */
export async function layersModelFilesFrom(files: Iterable<NamedFile>): Promise<LayersModelFiles> {
  const list = [...files];
  const json = list.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (json.length !== 1) {
    throw new ModelFormatError(`expected exactly one model.json among the files, got ${json.length === 0 ? 'none' : json.map((f) => f.name).join(', ')}; pick model.json and its .bin weight files`);
  }
  const weights = new Map<string, Uint8Array>();
  for (const f of list) if (f !== json[0]) weights.set(baseName(f.name), new Uint8Array(await f.arrayBuffer()));
  return { modelJson: new Uint8Array(await json[0]!.arrayBuffer()), weights, label: json[0]!.name };
}

function isLayersModel(x: unknown): x is LayersModel {
  return typeof (x as LayersModel).save === 'function' && Array.isArray((x as LayersModel).layers);
}

function isArtifacts(x: unknown): x is io.ModelArtifacts {
  return typeof x === 'object' && x !== null && 'modelTopology' in x && !('modelJson' in x);
}

function isFiles(x: unknown): x is LayersModelFiles {
  return typeof x === 'object' && x !== null && 'modelJson' in x && 'weights' in x;
}

/** ModelArtifacts (weightData is one ArrayBuffer or, in TF.js 4.x, a list of them) -> one group. */
export function fromArtifacts(artifacts: io.ModelArtifacts, label: string): LoadedLayersModel {
  const topology = checkTopology(artifacts.modelTopology, artifacts.modelTopology instanceof ArrayBuffer ? 'graph-model' : artifacts.format, label);
  const data = artifacts.weightData;
  const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
  return {
    label,
    topology,
    groups: [{ specs: (artifacts.weightSpecs ?? []) as ManifestEntry[], data: concatBytes(buffers.map((b) => new Uint8Array(b))), where: `${label} weightSpecs` }],
    userDefinedMetadata: artifacts.userDefinedMetadata as Record<string, unknown> | undefined,
  };
}

/** The artifacts model.save() produces, captured by an IOHandler that keeps them in memory. */
async function artifactsOf(model: LayersModel): Promise<io.ModelArtifacts> {
  let captured: io.ModelArtifacts | undefined;
  await model.save({
    save: async (artifacts: io.ModelArtifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  if (!captured) throw new ModelFormatError('in-memory LayersModel: model.save() handed over no artifacts');
  return captured;
}

async function fromFiles(files: LayersModelFiles): Promise<LoadedLayersModel> {
  const label = files.label ?? 'model.json';
  const json = parseModelJson(typeof files.modelJson === 'object' && !(files.modelJson instanceof Uint8Array) ? JSON.stringify(files.modelJson) : files.modelJson, label);
  const byName = files.weights instanceof Map ? files.weights : new Map(Object.entries(files.weights));
  const groups = await readWeightGroups(json, label, async (path) => {
    const bytes = byName.get(path) ?? byName.get(baseName(path));
    if (!bytes) throw new ModelFormatError(`${baseName(path)}: weights shard listed in ${label} is missing; add it to the files (have: ${[...byName.keys()].join(', ') || 'none'})`);
    return bytes;
  });
  return { label, topology: json.topology, groups, userDefinedMetadata: json.userDefinedMetadata };
}

/** Fetches model.json and its shards (shard paths are relative to model.json's URL). */
export async function fetchLayersModel(url: string | URL, fetcher: typeof fetch = fetch): Promise<LoadedLayersModel> {
  const href = String(url);
  const get = async (target: string, what: string): Promise<Uint8Array> => {
    let response: Response;
    try {
      response = await fetcher(target);
    } catch (e) {
      throw new ModelFormatError(`${target}: could not fetch the ${what} (${(e as Error).message})`);
    }
    if (!response.ok) throw new ModelFormatError(`${target}: could not fetch the ${what}: HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const json = parseModelJson(await get(href, 'model.json'), href);
  const groups = await readWeightGroups(json, href, (path) => get(new URL(path, href).href, `weights shard listed in ${href}`));
  return { label: href, topology: json.topology, groups, userDefinedMetadata: json.userDefinedMetadata };
}

/** Any browser-safe source -> the loaded model. `location` resolves relative URLs (pages pass location.href). */
export async function loadModelSource(source: ModelSource): Promise<LoadedLayersModel> {
  if (typeof source === 'string' || source instanceof URL) {
    const base = (globalThis as { location?: { href: string } }).location?.href;
    return fetchLayersModel(base ? new URL(String(source), base) : source);
  }
  if (isLayersModel(source)) return fromArtifacts(await artifactsOf(source), `in-memory LayersModel "${source.name}"`);
  if (isFiles(source)) return fromFiles(source);
  if (isArtifacts(source)) return fromArtifacts(source, 'ModelArtifacts');
  throw new ModelFormatError('the model to export must be a tf.LayersModel, tf.io.ModelArtifacts, {modelJson, weights} files, or a model.json URL');
}
