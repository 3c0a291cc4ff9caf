// Device -> execution provider choice for onnxruntime-node, in one ordered, frozen table.
// onnxruntime-node does not fall back by itself: a session asking for 'cuda' throws when the CUDA
// libraries are missing, so 'auto' tries each provider in order and reports the one that runs.
import { env, InferenceSession } from 'onnxruntime-node';
import { DeviceUnavailableError, ModelFormatError } from '@ecg-onnx/core';

export type Device = 'auto' | 'cpu' | 'cuda';

/** Providers tried, in order, for each device. */
export const DEVICE_PROVIDERS: Readonly<Record<Device, readonly string[]>> = Object.freeze({
  auto: Object.freeze(['cuda', 'cpu']),
  cpu: Object.freeze(['cpu']),
  cuda: Object.freeze(['cuda']),
});

export const DEVICES = Object.freeze(Object.keys(DEVICE_PROVIDERS) as Device[]);

export const CUDA_INSTALL_HINT =
  'install the CUDA execution provider with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node` ' +
  '(needs CUDA 12 + cuDNN 9 on the library path), or use --device cpu / auto';

/** Creates a session for one provider; injectable so tests can simulate a machine with CUDA. */
export type SessionFactory = (model: Uint8Array, options: InferenceSession.SessionOptions) => Promise<InferenceSession>;

export const ortSessionFactory: SessionFactory = (model, options) => InferenceSession.create(model, options);

export interface ProviderFailure {
  provider: string;
  message: string;
}

export interface OpenedSession {
  session: InferenceSession;
  /** The execution provider the session runs on. */
  provider: string;
  /** Providers tried before it, and why each failed. */
  failures: ProviderFailure[];
}

export interface SessionSettings {
  /** Intra-op threads; 0 lets onnxruntime choose (one per core). */
  threads?: number;
  /** Where the model came from, for error messages. */
  source?: string;
}

export function selectExecutionProviders(device: string): readonly string[] {
  if (!Object.hasOwn(DEVICE_PROVIDERS, device)) {
    throw new DeviceUnavailableError(`unknown device "${device}"; valid devices: ${DEVICES.join(', ')}`);
  }
  return DEVICE_PROVIDERS[device as Device];
}

// onnxruntime's messages carry ANSI colours and its whole log line; keep the first readable line.
function firstLine(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).replace(/\x1b\[[0-9;]*m/g, '');
  return text.split('\n')[0]!.trim();
}

/** Opens `model` on the first provider of `device` that works; the error says what was tried. */
export async function openSession(model: Uint8Array, device: string, settings: SessionSettings = {}, factory: SessionFactory = ortSessionFactory): Promise<OpenedSession> {
  const providers = selectExecutionProviders(device);
  const threads = settings.threads ?? 0;
  if (!Number.isInteger(threads) || threads < 0) throw new DeviceUnavailableError(`option threads must be a non-negative integer, got ${threads}`);
  // onnxruntime logs a failed CUDA load at error level on a process-wide logger fixed by the first
  // session; under 'auto' that failure is expected on CPU machines, so keep it off stderr unless the
  // user picked a log level (providerFailures still records it).
  if (providers.length > 1 && env.logLevel === 'warning') env.logLevel = 'fatal';
  const failures: ProviderFailure[] = [];
  for (const provider of providers) {
    try {
      const session = await factory(model, {
        executionProviders: [provider],
        intraOpNumThreads: threads,
        graphOptimizationLevel: 'all',
      });
      return { session, provider, failures };
    } catch (err) {
      failures.push({ provider, message: firstLine(err) });
    }
  }
  const source = settings.source ?? 'model';
  const last = failures[failures.length - 1]!;
  // The CPU provider always exists, so a CPU failure means the file, not the device, is the problem.
  if (last.provider === 'cpu') {
    throw new ModelFormatError(`${source}: onnxruntime cannot load it: ${last.message}; re-export it with "ecg export"`);
  }
  const tried = failures.map((f) => `${f.provider} (${f.message})`).join('; ');
  throw new DeviceUnavailableError(`device "${device}" is not available: tried ${tried}. To use a GPU, ${CUDA_INSTALL_HINT}`);
}
