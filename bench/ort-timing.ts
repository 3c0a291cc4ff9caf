// Timing .onnx files on onnxruntime-node CPU fairly: each (file, batch) alone in a fresh child process
// (ort-throughput.mjs), files interleaved over rounds; shared by bench/export.ts and bench/ensemble.ts.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const CHILD = join(import.meta.dirname, 'ort-throughput.mjs');

/**
 * Each measurement runs one model alone in a fresh process (onnxruntime's worker threads spin after a
 * run; sessions sharing a process steal the 2 cores from each other, unevenly); rounds interleave the
 * models so drift hits all alike. Reports the median over rounds of each process's median ms per run.
 */
export function measureBatch(files: string[], inputs: string[], batch: number, seconds: number, rounds: number, threads: number): number[] {
  const runs: number[][] = files.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, file] of files.entries()) {
      const out = execFileSync(process.execPath, [CHILD, file, inputs[i]!, String(batch), String(seconds), String(threads)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      runs[i]!.push((JSON.parse(out) as { ms: number }).ms);
    }
  }
  return runs.map((ts) => ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]!);
}
