// The inference server over real HTTP on an ephemeral 127.0.0.1 port, with the tiny real ONNX model:
// every route, every error status, concurrent requests answered per request, batching on and off,
// and the in-process drain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../runtime-node/index.js';
import { startServer, type RunningServer } from '../../runtime-node/server/listen.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { parsePrometheus, metricValue } from './prometheus-text.js';
import { randomBeats, tinyOnnxModel } from './tiny-onnx.js';

const tiny = tinyOnnxModel({ seed: 21 });
let server: RunningServer;

async function start(options: Parameters<typeof startServer>[1]): Promise<RunningServer> {
  return startServer(await load(tiny.bytes, { device: 'cpu' }), { port: 0, ...options });
}

const post = (base: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${base}/v1/classify`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

interface ClassifyResponse {
  predictions: { label: string; name: string; classIndex: number; probabilities: number[] }[];
  model: { provider: string; classes: { label: string }[] };
}

function checkAnswers(json: ClassifyResponse, beats: Float32Array[]): void {
  expect(json.predictions).toHaveLength(beats.length);
  json.predictions.forEach((p, i) => {
    const expected = tiny.expected(beats[i]!);
    assertClose(p.probabilities, expected, TOLERANCES.onnxAbs, `beat ${i}`);
    expect(p.classIndex).toBe(expected.indexOf(Math.max(...expected)));
    expect(p.label).toBe(tiny.classes[p.classIndex]!.label);
  });
}

beforeAll(async () => {
  server = await start({ maxBatch: 16, batchWaitMs: 10, bodyLimit: 64 * 1024, maxBeatsPerRequest: 8 });
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});
afterAll(() => server.close());

describe('routes', () => {
  it('GET /healthz and HEAD /healthz', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', provider: 'cpu' });
    expect((await fetch(`${server.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  it('GET /v1/metadata describes the model and the batching settings', async () => {
    const json = (await (await fetch(`${server.url}/v1/metadata`)).json()) as Record<string, Record<string, unknown>>;
    expect(json.model).toMatchObject({ inputName: 'beats', outputName: 'probabilities', inputLength: 140, channels: 1, classes: tiny.classes, provider: 'cpu' });
    expect(json.batching).toEqual({ enabled: true, maxBatch: 16, batchWaitMs: 10, maxBeatsPerRequest: 8 });
  });

  it('POST /v1/classify answers every beat of the request, in order', async () => {
    const beats = randomBeats(5, 140, 77);
    const res = await post(server.url, { beats: beats.map((b) => Array.from(b)) });
    expect(res.status).toBe(200);
    const json = (await res.json()) as ClassifyResponse;
    checkAnswers(json, beats);
    expect(json.model.provider).toBe('cpu');
    expect(json.model.classes.map((c) => c.label)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('GET /metrics is Prometheus text with request counts, latency and batch-size histograms', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheus(await res.text());
    expect(metricValue(samples, 'ecg_http_requests_total', { route: '/healthz', method: 'GET', code: '200' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(samples, 'ecg_http_request_duration_seconds_count', { route: '/v1/classify' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(samples, 'ecg_batch_size_beats_bucket', { le: '4' })).toBe(0); // the 5-beat request
    expect(metricValue(samples, 'ecg_batch_size_beats_bucket', { le: '8' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(samples, 'ecg_beats_classified_total', {})).toBeGreaterThanOrEqual(5);
    expect(metricValue(samples, 'ecg_model_info', { provider: 'cpu' })).toBe(1);
  });
});

describe('errors name the problem', () => {
  const beat = Array.from(randomBeats(1, 140, 3)[0]!);
  const cases: [string, () => Promise<Response>, number, RegExp][] = [
    ['wrong beat length', () => post(server.url, { beats: [beat, beat.slice(1)] }), 400, /body\/beats\/1 must NOT have fewer than 140 items/],
    ['a string value', () => post(server.url, { beats: [[...beat.slice(1), '0.5']] }), 400, /body\/beats\/0\/139 must be number/],
    ['no beats field', () => post(server.url, { beat: [beat] }), 400, /body must have required property 'beats'/],
    ['empty beats', () => post(server.url, { beats: [] }), 400, /body\/beats must NOT have fewer than 1 items/],
    ['too many beats', () => post(server.url, { beats: new Array(9).fill(beat) }), 400, /body\/beats must NOT have more than 8 items/],
    ['an extra field', () => post(server.url, { beats: [beat], extra: 1 }), 400, /must NOT have additional properties/],
    ['invalid JSON', () => post(server.url, '{"beats": [[1, 2'), 400, /not valid JSON/],
    // JSON.parse turns 1e999 into Infinity; ajv's strict numbers reject it.
    ['an infinite value', () => post(server.url, `{"beats": [[${beat.slice(1).join(',')}, 1e999]]}`), 400, /body\/beats\/0\/139 must be number/],
    ['a body over the limit', () => post(server.url, { beats: new Array(40).fill(beat) }), 413, /larger than 65536 bytes; send fewer beats/],
    ['text/plain', () => post(server.url, 'hello', { 'content-type': 'text/plain' }), 415, /unsupported content-type "text\/plain"/],
    ['an unknown path', () => fetch(`${server.url}/v1/predict`, { method: 'POST' }), 404, /no route POST \/v1\/predict; routes: \/healthz, \/metrics, \/v1\/metadata, \/v1\/classify, \/v2\/\.\.\. \(Open Inference Protocol\)/],
    ['GET /v1/classify', () => fetch(`${server.url}/v1/classify`), 405, /GET \/v1\/classify is not allowed; use POST/],
    ['POST /healthz', () => fetch(`${server.url}/healthz`, { method: 'POST' }), 405, /use GET/],
    ['DELETE /metrics', () => fetch(`${server.url}/metrics`, { method: 'DELETE' }), 405, /use GET/],
    ['PUT /v1/metadata', () => fetch(`${server.url}/v1/metadata`, { method: 'PUT' }), 405, /use GET/],
  ];
  it.each(cases)('%s', async (_name, send, status, message) => {
    const res = await send();
    expect(res.status).toBe(status);
    const json = (await res.json()) as { statusCode: number; error: string };
    expect(json.statusCode).toBe(status);
    expect(json.error).toMatch(message);
    if (status === 405) expect(res.headers.get('allow')).toMatch(/^(POST|GET, HEAD)$/);
  });
});

describe('concurrency', () => {
  it('concurrent requests (some bad) each get their own answers; good ones are merged into fewer runs', async () => {
    const before = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
    const runsBefore = metricValue(before, 'ecg_batch_size_beats_count', {});
    const beatsBefore = metricValue(before, 'ecg_batch_size_beats_sum', {});
    const requests = Array.from({ length: 40 }, (_, r) => randomBeats(1 + (r % 4), 140, 1000 + r));
    const responses = await Promise.all(
      requests.map((beats, r) => post(server.url, { beats: beats.map((b) => (r % 7 === 3 ? Array.from(b).slice(2) : Array.from(b))) })),
    );
    let good = 0;
    let goodBeats = 0;
    for (const [r, res] of responses.entries()) {
      if (r % 7 === 3) {
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: string }).error).toMatch(/body\/beats\/0 must NOT have fewer than 140 items/);
      } else {
        expect(res.status).toBe(200);
        checkAnswers((await res.json()) as ClassifyResponse, requests[r]!);
        good++;
        goodBeats += requests[r]!.length;
      }
    }
    const after = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
    const runs = metricValue(after, 'ecg_batch_size_beats_count', {}) - runsBefore;
    expect(metricValue(after, 'ecg_batch_size_beats_sum', {}) - beatsBefore).toBe(goodBeats);
    expect(runs).toBeLessThan(good);
    expect(runs).toBeGreaterThanOrEqual(Math.ceil(goodBeats / 16));
    expect(metricValue(after, 'ecg_batch_size_beats_bucket', { le: '16' })).toBe(metricValue(after, 'ecg_batch_size_beats_count', {}));
  });

  it('with batching off every request is its own run', async () => {
    const solo = await start({ batching: false });
    try {
      const requests = Array.from({ length: 12 }, (_, r) => randomBeats(1 + (r % 3), 140, 2000 + r));
      const responses = await Promise.all(requests.map((beats) => post(solo.url, { beats: beats.map((b) => Array.from(b)) })));
      for (const [r, res] of responses.entries()) checkAnswers((await res.json()) as ClassifyResponse, requests[r]!);
      const samples = parsePrometheus(await (await fetch(`${solo.url}/metrics`)).text());
      expect(metricValue(samples, 'ecg_batch_size_beats_count', {})).toBe(12);
      // The default body limit leaves room for the default largest request (1024 full-precision beats).
      const big = randomBeats(1024, 140, 31);
      const res = await post(solo.url, { beats: big.map((b) => Array.from(b)) });
      expect(res.status).toBe(200);
      checkAnswers((await res.json()) as ClassifyResponse, big);
    } finally {
      await solo.close();
    }
  });
});

describe('graceful close', () => {
  it('requests waiting in the batcher are answered, then the port is closed', async () => {
    const slow = await start({ batchWaitMs: 600_000 }); // only the drain can run these
    const beats = randomBeats(3, 140, 99);
    const pending = beats.map((b) => post(slow.url, { beats: [Array.from(b)] }));
    for (;;) {
      const samples = parsePrometheus(await (await fetch(`${slow.url}/metrics`)).text());
      if (metricValue(samples, 'ecg_batch_queue_beats', {}) === 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await slow.close();
    const responses = await Promise.all(pending);
    for (const [i, res] of responses.entries()) {
      expect(res.status).toBe(200);
      checkAnswers((await res.json()) as ClassifyResponse, [beats[i]!]);
    }
    await expect(fetch(`${slow.url}/healthz`)).rejects.toThrow();
  }, 60_000);
});
