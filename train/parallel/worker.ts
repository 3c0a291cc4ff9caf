// A data-parallel training worker (worker_threads): starts the same TF.js backend as the main thread,
// rebuilds the main thread's model from its topology (any layers model; ours registers ResetAfterGRU),
// takes the shared parameters and BatchNorm statistics, then runs ThreadStep for every step the main
// thread publishes until it says exit. Started by coordinator.ts, never imported.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../backend.js';
import '../gru.js';
import { Replica } from '../replica.js';
import { COMMAND, CTRL, SharedViews, type SharedBuffers } from './shared-state.js';
import { ThreadStep } from './thread-step.js';

export interface WorkerInit {
  buffers: SharedBuffers;
  thread: number;
  backend: BackendName;
  /** model.toJSON(null, false) of the main thread's model. */
  topology: object;
  numClasses: number;
  channels: number;
  learningRate: number;
}

const init = workerData as WorkerInit;
const views = new SharedViews(init.buffers);
try {
  await initBackend(init.backend);
  const model = await tf.models.modelFromJSON({ modelTopology: init.topology } as tf.io.ModelJSON);
  const replica = new Replica(model, init.numClasses, init.channels);
  if (replica.size !== init.buffers.layout.params) throw new Error(`worker ${init.thread}: model has ${replica.size} parameters, the main thread's has ${init.buffers.layout.params}`);
  replica.writeParams(views.adam.params); // the main thread's weights and statistics, whatever the initialisers did
  if (replica.statsSize > 0) replica.writeStats(views.stats(0));
  const step = new ThreadStep(views, replica, init.thread, init.learningRate);
  Atomics.add(views.control, CTRL.ready, 1);
  Atomics.notify(views.control, CTRL.ready);
  let generation = 0;
  for (;;) {
    while (Atomics.load(views.control, CTRL.generation) === generation) Atomics.wait(views.control, CTRL.generation, generation, 1000);
    generation = Atomics.load(views.control, CTRL.generation);
    if (Atomics.load(views.control, CTRL.command) === COMMAND.exit) break;
    step.run();
  }
  model.dispose();
} catch (err) {
  Atomics.store(views.control, CTRL.failed, 1);
  Atomics.notify(views.control, CTRL.arrivedA);
  Atomics.notify(views.control, CTRL.arrivedB);
  Atomics.notify(views.control, CTRL.ready);
  parentPort?.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
