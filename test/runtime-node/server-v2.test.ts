// The Open Inference Protocol routes (KServe v2, Triton's HTTP API) over real HTTP on 127.0.0.1 with
// the tiny real ONNX model: every route and error, answers equal to /v1 for the same beats (also
// concurrently, through the one batcher), and model metadata equal to the config.pbtxt `ecg triton`
// writes for the same .onnx.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../runtime-node/index.js';
import { buildServer } from '../../runtime-node/server/app.js';
import { startServer, type RunningServer } from '../../runtime-node/server/listen.js';
import { writeTritonRepository } from '../../runtime-node/triton.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { parsePbtxt, type PbMessage, type PbValue } from './pbtxt.js';
import { metricValue, parsePrometheus } from './prometheus-text.js';
import { randomBeats, tinyOnnxModel } from './tiny-onnx.js';

const tiny = tinyOnnxModel({ seed: 21 });
let server: RunningServer;

interface V2Output {
  name: string;
  datatype: string;
  shape: number[];
  data: number[];
}
interface V2Response {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: V2Output[];
}

const infer = (base: string, body: unknown, path = '/v2/models/ecg/infer', headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${base}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const beatsInput = (beats: Float32Array[], nested = false) => ({
  name: 'beats',
  shape: [beats.length, 140, 1],
  datatype: 'FP32',
  data: nested ? beats.map((b) => Array.from(b, (v) => [v])) : beats.flatMap((b) => Array.from(b)),
});
const classifyV1 = async (base: string, beats: Float32Array[]) => {
  const res = await fetch(`${base}/v1/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ beats: beats.map((b) => Array.from(b)) }) });
  return ((await res.json()) as { predictions: { probabilities: number[] }[] }).predictions.map((p) => p.probabilities);
};

function checkAnswer(json: V2Response, beats: Float32Array[]): void {
  expect(json.model_name).toBe('ecg');
  expect(json.model_version).toBe('1');
  expect(json.outputs).toHaveLength(1);
  const [out] = json.outputs;
  expect(out).toMatchObject({ name: 'probabilities', datatype: 'FP32', shape: [beats.length, 5] });
  expect(out!.data).toHaveLength(beats.length * 5);
  beats.forEach((b, i) => assertClose(out!.data.slice(i * 5, (i + 1) * 5), tiny.expected(b), TOLERANCES.onnxAbs, `beat ${i}`));
}

beforeAll(async () => {
  server = await startServer(await load(tiny.bytes, { device: 'cpu' }), { port: 0, maxBatch: 16, batchWaitMs: 10, bodyLimit: 64 * 1024, maxBeatsPerRequest: 8 });
});
afterAll(() => server.close());

describe('v2 routes', () => {
  it('GET and HEAD /v2/health/live, /v2/health/ready: 200 with an empty body', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
      expect((await fetch(`${server.url}${path}`, { method: 'HEAD' })).status).toBe(200);
    }
  });

  it('GET /v2: server metadata with the extensions this server supports', async () => {
    const { version } = JSON.parse(await readFile('runtime-node/package.json', 'utf8')) as { version: string };
    for (const path of ['/v2', '/v2/']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ name: 'ecg-onnx', version, extensions: ['binary_tensor_data', 'classification'] });
    }
  });

  it('GET /v2/models/ecg[/versions/1]: inputs and outputs with FP32 and a -1 batch dim', async () => {
    const expected = {
      name: 'ecg',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'beats', datatype: 'FP32', shape: [-1, 140, 1] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 5] }],
    };
    for (const path of ['/v2/models/ecg', '/v2/models/ecg/versions/1']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(expected);
    }
  });

  it('GET /v2/models/ecg[/versions/1]/ready: 200 with an empty body', async () => {
    for (const path of ['/v2/models/ecg/ready', '/v2/models/ecg/versions/1/ready']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
    }
  });

  it('POST /v2/models/ecg[/versions/1]/infer: flat or nested data, the same numbers as /v1 for the same beats', async () => {
    const beats = randomBeats(3, 140, 77);
    const v1 = await classifyV1(server.url, beats);
    for (const [path, nested] of [['/v2/models/ecg/infer', false], ['/v2/models/ecg/versions/1/infer', true]] as const) {
      const res = await infer(server.url, { id: 'req-7', inputs: [beatsInput(beats, nested)] }, path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const json = (await res.json()) as V2Response;
      checkAnswer(json, beats);
      expect(json.id).toBe('req-7');
      // Same beats, same batch size, same session: bit for bit what /v1 answers.
      expect(json.outputs[0]!.data).toEqual(v1.flat());
    }
  });

  it('without "id" the response has none; "outputs" may name the output; the content-type is not consulted (as Triton)', async () => {
    const beats = randomBeats(2, 140, 5);
    const plain = await infer(server.url, { inputs: [beatsInput(beats)] }, undefined, { 'content-type': 'text/plain' });
    const json = (await plain.json()) as V2Response;
    checkAnswer(json, beats);
    expect(Object.keys(json)).not.toContain('id');
    const none = await fetch(`${server.url}/v2/models/ecg/infer`, { method: 'POST', body: new TextEncoder().encode(JSON.stringify({ inputs: [beatsInput(beats)], outputs: [{ name: 'probabilities' }] })) });
    expect(none.status).toBe(200);
    checkAnswer((await none.json()) as V2Response, beats);
  });
});

describe('v2 errors: the protocol body {"error": "..."}', () => {
  const beat = randomBeats(1, 140, 3);
  const input = beatsInput(beat);
  const flat = input.data as number[];
  const cases: [string, () => Promise<Response>, number, RegExp][] = [
    ['unknown model (infer)', () => infer(server.url, { inputs: [input] }, '/v2/models/heart/infer'), 404, /unknown model "heart"; this server serves "ecg"/],
    ['unknown model (metadata)', () => fetch(`${server.url}/v2/models/heart`), 404, /unknown model "heart"/],
    ['unknown model (ready)', () => fetch(`${server.url}/v2/models/heart/ready`), 404, /unknown model "heart"/],
    ['unknown version (infer)', () => infer(server.url, { inputs: [input] }, '/v2/models/ecg/versions/2/infer'), 404, /model "ecg" has no version "2"; versions: 1/],
    ['unknown version (metadata)', () => fetch(`${server.url}/v2/models/ecg/versions/3`), 404, /no version "3"/],
    ['unknown version (ready)', () => fetch(`${server.url}/v2/models/ecg/versions/0/ready`), 404, /no version "0"/],
    ['unknown model before a bad body', () => infer(server.url, '{"inputs": ', '/v2/models/heart/infer'), 404, /unknown model "heart"/],
    ['wrong datatype', () => infer(server.url, { inputs: [{ ...input, datatype: 'FP64' }] }), 400, /input "beats" has datatype "FP64"; expected "FP32"/],
    ['shape without channels', () => infer(server.url, { inputs: [{ ...input, shape: [1, 140] }] }), 400, /input "beats" has shape \[1, 140\]; expected \[n, 140, 1\] with n from 1 to 8/],
    ['shape with a wrong length', () => infer(server.url, { inputs: [{ ...input, shape: [1, 139, 1] }] }), 400, /has shape \[1, 139, 1\]; expected \[n, 140, 1\]/],
    ['an empty batch', () => infer(server.url, { inputs: [{ ...input, shape: [0, 140, 1], data: [] }] }), 400, /has shape \[0, 140, 1\]; expected \[n, 140, 1\] with n from 1 to 8/],
    ['more beats than allowed', () => infer(server.url, { inputs: [{ ...input, shape: [9, 140, 1], data: new Array(9).fill(flat).flat() }] }), 400, /has shape \[9, 140, 1\]; expected .* n from 1 to 8/],
    ['a negative dim', () => infer(server.url, { inputs: [{ ...input, shape: [-1, 140, 1] }] }), 400, /body\/inputs\/0\/shape\/0 must be >= 0/],
    ['data shorter than the shape', () => infer(server.url, { inputs: [{ ...input, shape: [2, 140, 1] }] }), 400, /input "beats" has 140 values in "data"; shape \[2, 140, 1\] needs 280/],
    ['data longer than the shape', () => infer(server.url, { inputs: [{ ...input, data: [...flat, 1] }] }), 400, /has 141 values in "data"; shape \[1, 140, 1\] needs 140/],
    ['a string value', () => infer(server.url, { inputs: [{ ...input, data: [...flat.slice(0, 139), '0.5'] }] }), 400, /input "beats": beat 0: value 139 is the string "0.5"; expected a finite number/],
    ['an infinite value (1e999)', () => infer(server.url, `{"inputs": [{"name": "beats", "shape": [1, 140, 1], "datatype": "FP32", "data": [${flat.slice(1).join(',')}, 1e999]}]}`), 400, /beat 0: value 139 is Infinity/],
    ['data nested deeper than the shape', () => infer(server.url, { inputs: [{ ...input, data: [[[[flat]]]] }] }), 400, /"data" is nested 4 deep; its shape has 3 dims/],
    ['no data', () => infer(server.url, { inputs: [{ name: 'beats', shape: [1, 140, 1], datatype: 'FP32' }] }), 400, /input "beats" has no "data"/],
    ['unknown input name', () => infer(server.url, { inputs: [{ ...input, name: 'x' }] }), 400, /unknown input "x"; the model has one input, "beats"/],
    ['the input twice', () => infer(server.url, { inputs: [input, input] }), 400, /input "beats" is given 2 times/],
    ['unknown output name', () => infer(server.url, { inputs: [input], outputs: [{ name: 'logits' }] }), 400, /unknown output "logits"; the model has one output, "probabilities"/],
    ['no inputs field', () => infer(server.url, { input: [input] }), 400, /invalid inference request: body must have required property 'inputs'; expected \{"inputs": \[\{"name": "beats", "shape": \[n, 140, 1\]/],
    ['an unknown input field', () => infer(server.url, { inputs: [{ ...input, dtype: 'FP32' }] }), 400, /body\/inputs\/0 must NOT have additional properties/],
    ['a non-string id', () => infer(server.url, { id: 7, inputs: [input] }), 400, /body\/id must be string/],
    ['invalid JSON', () => infer(server.url, '{"inputs": [{"name'), 400, /request body is not valid JSON/],
    ['a JSON array', () => infer(server.url, '[1, 2]'), 400, /the inference request must be a JSON object/],
    ['an empty body', () => fetch(`${server.url}/v2/models/ecg/infer`, { method: 'POST' }), 400, /invalid inference request: body must be object/],
    ['shared memory', () => infer(server.url, { inputs: [{ ...input, parameters: { shared_memory_region: 'r0' } }] }), 400, /uses "shared_memory_region": the shared-memory extension is not supported/],
    ['a body over the limit', () => infer(server.url, { inputs: [{ ...input, shape: [40, 140, 1], data: new Array(40).fill(flat).flat() }] }), 413, /larger than 65536 bytes; send fewer beats/],
    ['GET on infer', () => fetch(`${server.url}/v2/models/ecg/infer`), 405, /GET \/v2\/models\/ecg\/infer is not allowed; use POST/],
    ['POST on live', () => fetch(`${server.url}/v2/health/live`, { method: 'POST' }), 405, /POST \/v2\/health\/live is not allowed; use GET/],
    ['DELETE a model', () => fetch(`${server.url}/v2/models/ecg`, { method: 'DELETE' }), 405, /use GET/],
    ['PUT /v2', () => fetch(`${server.url}/v2`, { method: 'PUT' }), 405, /use GET/],
    ['an unknown v2 path', () => fetch(`${server.url}/v2/models`), 404, /no route GET \/v2\/models; v2 routes: GET \/v2, GET \/v2\/health\/live, .*POST \/v2\/models\/:name\/versions\/:version\/infer/],
  ];
  it.each(cases)('%s', async (_name, send, status, message) => {
    const res = await send();
    expect(res.status).toBe(status);
    const json = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['error']);
    expect(json.error).toMatch(message);
    if (status === 405) expect(res.headers.get('allow')).toMatch(/^(POST|GET, HEAD)$/);
  });
});

describe('v2 options', () => {
  it('--name and --model-version must be what a Triton repository could hold', async () => {
    const model = { metadata: (await load(tiny.bytes, { device: 'cpu' })).metadata, provider: 'cpu', runPacked: async () => new Float32Array() };
    expect(() => buildServer(model, { modelName: '../x' })).toThrow(/--name "..\/x" must be letters, digits/);
    expect(() => buildServer(model, { modelVersion: 'v1' })).toThrow(/--model-version must be a positive integer \(a Triton version folder\), got "v1"/);
    expect(() => buildServer(model, { modelVersion: '0' })).toThrow(/--model-version must be a positive integer/);
  });
});

describe('one batcher for /v1 and /v2', () => {
  it('concurrent v1 and v2 requests get their own answers, merged into fewer runs', async () => {
    const requests = Array.from({ length: 30 }, (_, r) => randomBeats(1 + (r % 3), 140, 3000 + r));
    const expectedV1: number[][][] = [];
    for (const beats of requests) expectedV1.push(await classifyV1(server.url, beats));
    // A long batch window, so that requests arriving over a slow, shared machine still meet in one batch.
    const patient = await startServer(await load(tiny.bytes, { device: 'cpu' }), { port: 0, maxBatch: 64, batchWaitMs: 500 });
    try {
      const before = parsePrometheus(await (await fetch(`${patient.url}/metrics`)).text());
      const responses = await Promise.all(requests.map((beats, r) => (r % 2 === 0 ? infer(patient.url, { id: String(r), inputs: [beatsInput(beats, r % 4 === 0)] }) : classifyV1(patient.url, beats))));
      for (const [r, res] of responses.entries()) {
        // Merged into other batches, a row may differ from its solo run in the last float bits only.
        if (!(res instanceof Response)) {
          assertClose(res.flat(), expectedV1[r]!.flat(), TOLERANCES.onnxAbs, `v1 request ${r}`);
          continue;
        }
        expect(res.status).toBe(200);
        const json = (await res.json()) as V2Response;
        checkAnswer(json, requests[r]!);
        expect(json.id).toBe(String(r));
        assertClose(json.outputs[0]!.data, expectedV1[r]!.flat(), TOLERANCES.onnxAbs, `v2 request ${r}`);
      }
      const after = parsePrometheus(await (await fetch(`${patient.url}/metrics`)).text());
      const runs = metricValue(after, 'ecg_batch_size_beats_count', {}) - metricValue(before, 'ecg_batch_size_beats_count', {});
      expect(metricValue(after, 'ecg_batch_size_beats_sum', {}) - metricValue(before, 'ecg_batch_size_beats_sum', {})).toBe(requests.reduce((a, b) => a + b.length, 0));
      expect(runs).toBeLessThan(requests.length);
      expect(metricValue(after, 'ecg_http_requests_total', { route: '/v2/models/:name/infer', method: 'POST', code: '200' })).toBe(15);
      expect(metricValue(after, 'ecg_http_requests_total', { route: '/v1/classify', method: 'POST', code: '200' })).toBe(15);
    } finally {
      await patient.close();
    }
  });
});

describe('metadata agrees with the Triton repository for the same .onnx', () => {
  const classes = [
    { label: 'N', name: 'Normal' },
    { label: 'V', name: 'PVC' },
    { label: 'S', name: 'SVEB' },
  ];
  const other = tinyOnnxModel({ inputLength: 50, channels: 2, classes, seed: 9 });
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-v2-triton-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('GET /v2/models/heart equals the config.pbtxt written by `ecg triton --name heart`; labels match labels.txt', async () => {
    const onnx = join(dir, 'heart.onnx');
    await writeFile(onnx, other.bytes);
    const repo = await writeTritonRepository(onnx, join(dir, 'models'), { name: 'heart' });
    const config = parsePbtxt(await readFile(repo.configPath, 'utf8'));
    const versions = (await readdir(repo.modelDir)).filter((f) => /^\d+$/.test(f));
    const served = await startServer(await load(onnx, { device: 'cpu' }), { port: 0, modelName: 'heart' });
    try {
        const meta = (await (await fetch(`${served.url}/v2/models/heart/versions/${versions[0]}`)).json()) as Record<string, unknown>;
        const batched = (config.max_batch_size as number) > 0;
        const tensors = (list: PbValue) => (list as PbMessage[]).map((t) => ({ name: t.name, datatype: (t.data_type as string).replace(/^TYPE_/, ''), shape: [...(batched ? [-1] : []), ...(t.dims as number[])] }));
        expect(config.backend).toBe('onnxruntime'); // which Triton reports as platform "onnxruntime_onnx"
        expect(meta).toEqual({ name: config.name, versions, platform: 'onnxruntime_onnx', inputs: tensors(config.input!), outputs: tensors(config.output!) });
        // Classification labels are labels.txt's lines, as Triton reads them.
        const labels = (await readFile(join(repo.modelDir, 'labels.txt'), 'utf8')).trimEnd().split('\n');
        const beats = randomBeats(2, 100, 4);
        const body = { inputs: [{ name: 'beats', shape: [2, 50, 2], datatype: 'FP32', data: beats.flatMap((b) => Array.from(b)) }], outputs: [{ name: 'probabilities', parameters: { classification: 3 } }] };
        const res = await infer(served.url, body, `/v2/models/heart/versions/${versions[0]}/infer`);
        const strings = ((await res.json()) as { outputs: { data: string[] }[] }).outputs[0]!.data;
        expect(strings).toHaveLength(6);
        for (const s of strings) {
          const [, index, label] = s.split(':');
          expect(label).toBe(labels[Number(index)]);
        }
    } finally {
      await served.close();
    }
  });
});
