// The page: loads the .onnx (./model.onnx, or ?model=URL, or a picked file) with the web runtime, then
// classifies a bundled test beat, pasted values or an uploaded file, and shows trace, prediction,
// per-class probabilities, provider and inference time; converts a TF.js model to ONNX (convert.ts).
// <body data-state>, data-runs (classifications) and data-converts let tests wait. URL switches:
// ?provider=wasm|webgpu, ?ort=wasm|jspi|asyncify (build; default the smallest for the provider),
// ?threads=N (default: one per core up to 4 when cross-origin isolated), ?model=URL.
import bundledBeats from 'virtual:bundled-beats';
import type { Prediction } from '@ecg-onnx/core';
import { load, type OrtBuild, type WebClassifier, type WebProviderRequest } from '@ecg-onnx/runtime-web';
import { setupConverter } from './convert.js';
import { parseBeatsText } from './input.js';
import { drawBars, drawBatch, drawTrace } from './view.js';

const $ = <T extends Element>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`)!;
const params = new URLSearchParams(location.search);
let classifier: WebClassifier | undefined;
let runs = 0;
let converts = 0;

function setState(state: 'loading' | 'ready' | 'busy' | 'error'): void {
  document.body.dataset.state = state;
}

function showError(err: unknown): void {
  const box = $<HTMLElement>('error');
  box.textContent = err instanceof Error ? err.message : String(err);
  box.hidden = false;
  setState(classifier ? 'ready' : 'error');
  document.body.dataset.runs = String(++runs);
}

function clearError(): void {
  $<HTMLElement>('error').hidden = true;
  $<HTMLElement>('error').textContent = '';
}

/** Classifies beats; one beat shows trace + bars, several also fill the batch table. */
async function classify(beats: Float32Array[], labels: (string | undefined)[], source: string): Promise<void> {
  if (!classifier) throw new Error('the model is not loaded yet');
  setState('busy');
  const started = performance.now();
  const predictions: Prediction[] = await classifier.classify(beats);
  const ms = performance.now() - started;
  clearError();
  const first = predictions[0]!;
  drawTrace($<SVGSVGElement>('trace'), beats[0]!);
  $('prediction').textContent = first.name;
  $('source').textContent = beats.length > 1 ? `(${source}, beat 1 of ${beats.length}${labels[0] ? `, true label ${labels[0]}` : ''})` : `(${source}${labels[0] ? `, true label ${labels[0]}` : ''})`;
  $<HTMLElement>('prediction').dataset.label = first.label;
  $<HTMLOutputElement>('probabilities').value = JSON.stringify(first.probabilities);
  drawBars($<HTMLElement>('bars'), classifier.metadata.classes, first);
  const perBeat = beats.length > 1 ? ` (${(ms / beats.length).toFixed(3)} ms/beat, ${beats.length} beats)` : '';
  $('inference-ms').textContent = `${ms.toFixed(2)} ms${perBeat}`;
  $<HTMLElement>('inference-ms').dataset.ms = String(ms);
  const batch = $<HTMLElement>('batch');
  batch.hidden = beats.length < 2;
  if (beats.length > 1) {
    drawBatch($<HTMLElement>('batch-table').querySelector('tbody')!, predictions, labels);
    const labelled = labels.map((l, i) => [l, predictions[i]!.label]).filter(([l]) => l !== undefined);
    const correct = labelled.filter(([l, p]) => l === p).length;
    $('accuracy').textContent = labelled.length ? `accuracy ${((100 * correct) / labelled.length).toFixed(2)}% (${correct}/${labelled.length} labelled)` : '';
  }
  setState('ready');
  document.body.dataset.runs = String(++runs);
}

async function classifyText(text: string, source: string): Promise<void> {
  if (!classifier) throw new Error('the model is not loaded yet');
  const { inputLength, channels } = classifier.metadata;
  const parsed = parseBeatsText(text, inputLength * channels, source);
  await classify(parsed.beats, parsed.labels, source);
}

async function loadModel(model: string | Uint8Array, name: string): Promise<void> {
  setState('loading');
  const provider = (params.get('provider') ?? 'auto') as WebProviderRequest;
  const threads = params.get('threads');
  const next = await load(model, {
    provider,
    ortBuild: (params.get('ort') ?? undefined) as OrtBuild | undefined,
    numThreads: threads === null ? undefined : Number(threads),
    // A content-hashed folder (vite.config.ts), so the server may let browsers cache it for a year.
    wasmPaths: new URL(`./${ORT_DIR}`, location.href).href,
  });
  await classifier?.dispose();
  classifier = next;
  $('provider').textContent = next.provider;
  $('runtime').textContent = `${next.ortBuild} build, ${next.numThreads} thread${next.numThreads === 1 ? '' : 's'}${crossOriginIsolated ? ', cross-origin isolated' : ', not cross-origin isolated'}`;
  Object.assign($<HTMLElement>('runtime').dataset, { build: next.ortBuild, threads: String(next.numThreads), isolated: String(crossOriginIsolated), timings: JSON.stringify(next.timings) });
  const skipped = Object.entries(next.skipped).map(([p, why]) => `${p}: ${why}`).join('; ');
  $<HTMLElement>('provider').title = skipped ? `skipped ${skipped}` : '';
  const m = next.metadata;
  const acc = m.testAccuracy === undefined ? '' : `, test accuracy ${(100 * m.testAccuracy).toFixed(2)}%`;
  $('model-info').textContent = `${name}: ${m.classes.length} classes, ${m.inputLength} samples x ${m.channels} channel(s)${acc}`;
  const select = $<HTMLSelectElement>('beat-select');
  for (const option of Array.from(select.options)) {
    const beat = bundledBeats[Number(option.value)]!;
    const cls = m.classes.find((c) => c.label === beat.label);
    option.textContent = `${beat.label} ${cls?.name ?? ''} (test row ${beat.row})`;
  }
  setState('ready');
}

function guarded(action: () => Promise<void>): () => void {
  return () => void action().catch(showError);
}

function fillBeatPicker(): void {
  const select = $<HTMLSelectElement>('beat-select');
  select.replaceChildren(
    ...bundledBeats.map((b, i) => Object.assign(document.createElement('option'), { value: String(i), textContent: `class ${b.label}, test row ${b.row}` })),
  );
  select.addEventListener('change', guarded(() => {
    const beat = bundledBeats[Number(select.value)]!;
    return classify([Float32Array.from(beat.values)], [beat.label], `test row ${beat.row}`);
  }));
}

/** A model converted in the page becomes the page's model; a bundled beat is classified when it fits. */
async function useConvertedModel(bytes: Uint8Array, name: string): Promise<string> {
  await loadModel(bytes, name);
  const { inputLength, channels } = classifier!.metadata;
  const first = bundledBeats[0]!;
  if (inputLength * channels !== first.values.length) return `loaded as the page's model (${inputLength} x ${channels} per beat: paste or upload beats of that size)`;
  await classify([Float32Array.from(first.values)], [first.label], `test row ${first.row}, converted model`);
  return `loaded as the page's model and used on test row ${first.row}`;
}

async function start(): Promise<void> {
  fillBeatPicker();
  setupConverter({
    $,
    useModel: useConvertedModel,
    showError: (err) => {
      showError(err);
      document.body.dataset.converts = String(++converts);
    },
    setBusy: (busy) => {
      setState(busy ? 'busy' : 'ready');
      if (!busy) document.body.dataset.converts = String(++converts);
    },
  });
  $('classify-paste').addEventListener('click', guarded(() => classifyText($<HTMLTextAreaElement>('paste').value, 'pasted text')));
  $<HTMLInputElement>('upload').addEventListener('change', guarded(async () => {
    const file = $<HTMLInputElement>('upload').files?.[0];
    if (file) await classifyText(await file.text(), file.name);
  }));
  $<HTMLInputElement>('model-upload').addEventListener('change', guarded(async () => {
    const file = $<HTMLInputElement>('model-upload').files?.[0];
    if (file) await loadModel(new Uint8Array(await file.arrayBuffer()), file.name);
  }));
  const modelUrl = params.get('model') ?? './model.onnx';
  await loadModel(new URL(modelUrl, location.href).href, modelUrl.split('/').pop()!);
  const first = bundledBeats[0]!;
  await classify([Float32Array.from(first.values)], [first.label], `test row ${first.row}`);
}

void start().catch(showError);
