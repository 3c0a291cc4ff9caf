// The server's option checks (what `ecg serve` passes through): batching limits, the listening port and
// host, each refused with the flag it came from before anything listens (found untested by the mutation run).
import { describe, expect, it } from 'vitest';
import { load } from '../../runtime-node/index.js';
import { buildServer } from '../../runtime-node/server/app.js';
import { startServer } from '../../runtime-node/server/listen.js';
import { tinyOnnxModel } from './tiny-onnx.js';

const tiny = tinyOnnxModel({ seed: 23 });
const served = async () => ({ metadata: (await load(tiny.bytes, { device: 'cpu' })).metadata, provider: 'cpu', runPacked: async () => new Float32Array() });

describe('buildServer options', () => {
  it('--max-batch must be a positive integer and --batch-wait-ms a number >= 0', async () => {
    const model = await served();
    for (const maxBatch of [0, -1, 1.5, Number.NaN]) expect(() => buildServer(model, { maxBatch }), `maxBatch ${maxBatch}`).toThrow(`--max-batch must be a positive integer, got ${maxBatch}`);
    for (const batchWaitMs of [-1, -0.5, Number.NaN]) expect(() => buildServer(model, { batchWaitMs }), `batchWaitMs ${batchWaitMs}`).toThrow(`--batch-wait-ms must be >= 0, got ${batchWaitMs}`);
    // The boundaries are accepted: one beat per run, no waiting; a multi-digit version.
    for (const options of [{ maxBatch: 1 }, { batchWaitMs: 0 }, { modelVersion: '10' }]) {
      const server = buildServer(model, options);
      await server.app.close();
    }
  });
});

describe('startServer options', () => {
  it('--port must be an integer 0..65535 (refused before the model is served)', async () => {
    for (const port of [-1, 65536, 80.5]) {
      const classifier = await load(tiny.bytes, { device: 'cpu' });
      await expect(startServer(classifier, { port }), `port ${port}`).rejects.toThrow(`--port must be an integer 0..65535, got ${port}`);
      await classifier.dispose();
    }
  });

  it('listens on 127.0.0.1 unless told otherwise', async () => {
    const server = await startServer(await load(tiny.bytes, { device: 'cpu' }), { port: 0 });
    try {
      expect(new URL(server.url).hostname).toBe('127.0.0.1');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
