import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
ort.env.wasm.numThreads = 1;
const bytes = new Uint8Array(readFileSync('test-artifacts/exported-model/c53a5f4e8f559fc7.onnx'));
const levels = ['all', 'extended', 'basic', 'disabled'];
const S = {};
for (const l of levels) S[l] = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: l });
const mk = (n) => new ort.Tensor('float32', new Float32Array(n*140).map(()=>Math.random()), [n,140,1]);
const x256 = mk(256), x1 = mk(1);
const t256 = {}, t1 = {};
for (const l of levels) { await S[l].run({ [S[l].inputNames[0]]: x256 }); t256[l]=[]; t1[l]=[]; }
for (let r=0;r<6;r++) for (const l of levels) {
  let t=performance.now(); await S[l].run({ [S[l].inputNames[0]]: x256 }); t256[l].push((performance.now()-t)/256);
  t=performance.now(); for (let i=0;i<10;i++) await S[l].run({ [S[l].inputNames[0]]: x1 }); t1[l].push((performance.now()-t)/10);
}
const med = (a) => [...a].sort((x,y)=>x-y)[a.length>>1];
for (const l of levels) console.log(l.padEnd(9), 'batch256', med(t256[l]).toFixed(3), 'ms/beat  batch1', med(t1[l]).toFixed(2), 'ms');
