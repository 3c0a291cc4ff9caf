// `ecg serve` as a real process: it prints its address, serves /v1 and /v2 (under --name and
// --model-version), and SIGTERM drains requests of both still waiting for their batch (answered
// correctly), exits 0 and frees the port.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { metricValue, parsePrometheus } from './prometheus-text.js';
import { randomBeats, tinyOnnxModel } from './tiny-onnx.js';

const tiny = tinyOnnxModel({ seed: 4 });

describe('ecg serve (CLI process)', () => {
  it('SIGTERM finishes in-flight /v1 and /v2 requests, then exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecg-serve-'));
    const model = join(dir, 'tiny.onnx');
    await writeFile(model, tiny.bytes);
    // A batch wait of 10 minutes: the queued requests can only be answered by the SIGTERM drain.
    const child = spawn('node', ['cli/bin/ecg.js', 'serve', '--model', model, '--port', '0', '--device', 'cpu', '--batch-wait-ms', '600000', '--name', 'heart', '--model-version', '3'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`ecg serve exited with ${code} before listening: ${stderr}`)));
      });
      expect((await fetch(`${url}/v2/models/heart/versions/3/ready`)).status).toBe(200);
      expect((await fetch(`${url}/v2/models/ecg/ready`)).status).toBe(404);
      const beats = randomBeats(4, 140, 8);
      const pending = beats.map((b, i) =>
        i % 2 === 0
          ? fetch(`${url}/v1/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ beats: [Array.from(b)] }) })
          : fetch(`${url}/v2/models/heart/versions/3/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'beats', shape: [1, 140, 1], datatype: 'FP32', data: Array.from(b) }] }) }),
      );
      for (;;) {
        const samples = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
        if (metricValue(samples, 'ecg_batch_queue_beats', {}) === beats.length) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGTERM');
      const responses = await Promise.all(pending);
      for (const [i, res] of responses.entries()) {
        expect(res.status).toBe(200);
        const json = (await res.json()) as { predictions?: { probabilities: number[] }[]; model_name?: string; outputs?: { data: number[] }[] };
        if (i % 2 === 1) expect(json.model_name).toBe('heart');
        assertClose(i % 2 === 0 ? json.predictions![0]!.probabilities : json.outputs![0]!.data, tiny.expected(beats[i]!), TOLERANCES.onnxAbs);
      }
      expect(await exited).toBe(0);
      expect(stderr).toContain('SIGTERM, draining in-flight requests');
      expect(stderr).toContain('ecg serve: stopped');
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
