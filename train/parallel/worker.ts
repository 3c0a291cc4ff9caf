// A data-parallel training worker (worker_threads): starts the same TF.js backend as the main thread
// while that thread still builds its model (worker-pool.ts), then takes its first message: the shared
// buffers and the model's topology (any layers model; ours registers ResetAfterGRU). It rebuilds the
// model, takes the shared parameters and BatchNorm statistics, then runs ThreadStep for every step (or
// share of an inference) the main thread publishes until it says exit. Started by worker-pool.ts only.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.js';
import '../gru.js';
import { Replica } from '../replica.js';
import { COMMAND, CTRL, SharedViews, type PredictBuffers, type SharedBuffers } from './shared-state.js';
import { ThreadStep } from './thread-step.js';
import type { WorkerBoot } from './worker-pool.js';

/** The first message: this thread's part of the shared state. */
export interface WorkerInit {
  buffers: SharedBuffers;
  /** model.toJSON(null, false) of the main thread's model (initialisers zeroed: replicaTopology). */
  topology: object;
  numClasses: number;
  channels: number;
  learningRate: number;
}

const boot = workerData as WorkerBoot;
let views: SharedViews | undefined;
try {
  await initBackend(boot.backend);
  const init = await new Promise<WorkerInit>((resolve) => parentPort!.once('message', resolve));
  views = new SharedViews(init.buffers);
  const model = await tf.models.modelFromJSON({ modelTopology: init.topology } as tf.io.ModelJSON);
  const replica = new Replica(model, init.numClasses, init.channels);
  if (replica.size !== init.buffers.layout.params) throw new Error(`worker ${boot.thread}: model has ${replica.size} parameters, the main thread's has ${init.buffers.layout.params}`);
  replica.writeParams(views.adam.params); // the main thread's weights and statistics, whatever the initialisers did
  if (replica.statsSize > 0) replica.writeStats(views.stats(0));
  const step = new ThreadStep(views, replica, boot.thread, init.learningRate);
  Atomics.add(views.control, CTRL.ready, 1);
  Atomics.notify(views.control, CTRL.ready);
  let generation = 0;
  let predict: { x: Float32Array; probs: Float32Array } | undefined;
  for (;;) {
    while (Atomics.load(views.control, CTRL.generation) === generation) Atomics.wait(views.control, CTRL.generation, generation, 1000);
    generation = Atomics.load(views.control, CTRL.generation);
    const command = Atomics.load(views.control, CTRL.command);
    if (command === COMMAND.exit) break;
    if (command === COMMAND.predict) {
      // The main thread posts new buffers before it publishes a prediction that outgrows the old ones.
      for (let m = receiveMessageOnPort(parentPort!); m; m = receiveMessageOnPort(parentPort!)) {
        const b = m.message as PredictBuffers;
        predict = { x: new Float32Array(b.x), probs: new Float32Array(b.probs) };
      }
      step.predict(predict!.x, predict!.probs);
      continue;
    }
    step.run();
  }
  model.dispose();
} catch (err) {
  if (views) {
    Atomics.store(views.control, CTRL.failed, 1);
    Atomics.notify(views.control, CTRL.arrivedA);
    Atomics.notify(views.control, CTRL.arrivedB);
    Atomics.notify(views.control, CTRL.ready);
  }
  parentPort?.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
