// Data-parallel worker threads, started before the model exists: a worker boots (module loading, the
// WASM backend) while the main thread builds its model, and receives its replica's part later in one
// message (coordinator.ts). prestartWorkers() at the start of a training run keeps them warm until the
// run's parallelStepper takes them; a pool nobody takes does not keep the process alive.
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../backend.js';

/** What a worker is started with; the rest (shared buffers, model) comes as its first message. */
export interface WorkerBoot {
  thread: number;
  backend: BackendName;
}

export interface BootedWorker {
  readonly worker: Worker;
  readonly thread: number;
  /** Errors the worker reported or threw, from its start on. */
  readonly errors: string[];
  readonly exited: Promise<void>;
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './worker.ts' : './worker.js', import.meta.url);

/**
 * The compiled package starts dist/parallel/worker.js. Run from its TypeScript sources (the repository's
 * tests and scripts), a worker first registers tsx's loader itself (a worker does not inherit --import),
 * and resolves the workspace packages to their sources as the main thread does.
 */
function startWorker(boot: WorkerBoot): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL, { workerData: boot });
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: boot, execArgv: ['--conditions=ecg-source'] });
}

/** Starts threads 1..count on `backend`. */
export function bootWorkers(count: number, backend: BackendName): BootedWorker[] {
  return Array.from({ length: count }, (_, i) => {
    const thread = i + 1;
    const worker = startWorker({ thread, backend });
    const errors: string[] = [];
    worker.on('message', (m: { error?: string }) => m.error && errors.push(`worker ${thread}: ${m.error}`));
    worker.on('error', (e) => errors.push(`worker ${thread}: ${e.stack ?? e.message}`));
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    return { worker, thread, errors, exited };
  });
}

const warm = new Map<BackendName, BootedWorker[]>();

/** Boots the workers a `workers`-thread run on `backend` will need, unless they are already warm; returns the warm pool. */
export function prestartWorkers(workers: number, backend: BackendName): readonly BootedWorker[] {
  if (workers < 2) return [];
  const existing = warm.get(backend);
  if (existing) return existing;
  const booted = bootWorkers(workers - 1, backend);
  booted.forEach((b) => b.worker.unref());
  warm.set(backend, booted);
  return booted;
}

/** `count` booted workers: the warm ones when they fit, else fresh ones (a warm pool of another size is stopped). */
export function takeWorkers(count: number, backend: BackendName): BootedWorker[] {
  const pool = warm.get(backend);
  warm.delete(backend);
  if (pool && pool.length === count && pool.every((b) => b.errors.length === 0)) {
    pool.forEach((b) => b.worker.ref());
    return pool;
  }
  pool?.forEach((b) => void b.worker.terminate());
  return bootWorkers(count, backend);
}
