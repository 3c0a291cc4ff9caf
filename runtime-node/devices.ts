// Device -> execution provider choice for onnxruntime-node, in one ordered, frozen table.
// onnxruntime-node does not fall back by itself: a session asking for 'cuda' throws when the CUDA
// libraries are missing, so 'auto' tries each provider in order and reports the one that runs.
// 'webgpu' is the WebGPU provider bundled in the npm package (Dawn over Vulkan on Linux); 'auto'
// takes it only when a hardware adapter is likely (vulkan.ts), never a software GPU slower than the CPU.
import { env, InferenceSession } from 'onnxruntime-node';
import { DeviceUnavailableError, ModelFormatError } from '@ecg-onnx/core';
import { autoWebGpuSkipReason, inspectWebGpuEnvironment, VULKAN_INSTALL_HINT, webGpuMissing, type WebGpuEnvironment } from './vulkan.js';

export type Device = 'auto' | 'cpu' | 'cuda' | 'webgpu';

/** Providers tried, in order, for each device. */
export const DEVICE_PROVIDERS: Readonly<Record<Device, readonly string[]>> = Object.freeze({
  auto: Object.freeze(['cuda', 'webgpu', 'cpu']),
  cpu: Object.freeze(['cpu']),
  cuda: Object.freeze(['cuda']),
  webgpu: Object.freeze(['webgpu']),
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
  /** true: not tried at all ('auto' ruled it out beforehand, e.g. a software-only GPU). */
  skipped?: boolean;
}

export interface OpenedSession {
  session: InferenceSession;
  /** The execution provider the session runs on. */
  provider: string;
  /** Providers tried (or skipped) before it, and why each was not used. */
  failures: ProviderFailure[];
  /** What the provider runs on when it is worth saying (e.g. WebGPU on a software Vulkan driver). */
  note?: string;
}

export interface SessionSettings {
  /** Intra-op threads; 0 lets onnxruntime choose (one per core). */
  threads?: number;
  /** Where the model came from, for error messages. */
  source?: string;
  /** Replaces the inspection of this machine's Vulkan loader, drivers and GPU devices (tests). */
  webgpuEnvironment?: WebGpuEnvironment;
  /** Profile every run into files starting with this path (placement.ts reads them back). */
  profileFilePrefix?: string;
}

export function selectExecutionProviders(device: string): readonly string[] {
  if (!Object.hasOwn(DEVICE_PROVIDERS, device)) {
    throw new DeviceUnavailableError(`unknown device "${device}"; valid devices: ${DEVICES.join(', ')}`);
  }
  return DEVICE_PROVIDERS[device as Device];
}

// onnxruntime's messages carry ANSI colours, its whole log line and, for failed checks, the source
// location and the condition; keep the first readable sentence.
function firstLine(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).replace(/\x1b\[[0-9;]*m/g, '');
  const line = text.split('\n')[0]!.trim();
  return line.replace(/^\S+\.cc:\d+ .* was false\. /, '');
}

/** "cpu (cuda unavailable: ...; webgpu skipped: ...)": what the CLI prints about the device choice. */
export function describeProviderChoice(opened: Pick<OpenedSession, 'provider' | 'failures' | 'note'>): string {
  const others = opened.failures.map((f) => `${f.provider} ${f.skipped ? 'skipped' : 'unavailable'}: ${f.message}`);
  const notes = [...(opened.note ? [opened.note] : []), ...others];
  return notes.length ? `${opened.provider} (${notes.join('; ')})` : opened.provider;
}

function webGpuFailureAdvice(environment: WebGpuEnvironment): string {
  const missing = webGpuMissing(environment);
  if (missing) return `${missing[0]!.toUpperCase()}${missing.slice(1)}. To use WebGPU, ${VULKAN_INSTALL_HINT}`;
  const drivers = environment.drivers.map((d) => d.manifest).join(', ');
  return `Vulkan drivers found (${drivers || 'not checked on this platform'}) but Dawn accepted no adapter (Mesa's lavapipe is rejected); ` +
    `check the driver matches your GPU (\`vulkaninfo --summary\`), or use --device cpu / auto`;
}

function webGpuNote(environment: WebGpuEnvironment): string | undefined {
  if (environment.platform !== 'linux' || environment.drivers.some((d) => !d.software)) return undefined;
  return `software Vulkan driver ${environment.drivers.map((d) => d.library).join(', ')}: correct, but slower than the CPU provider`;
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
  let environment = settings.webgpuEnvironment;
  const webgpu = () => (environment ??= inspectWebGpuEnvironment());
  const failures: ProviderFailure[] = [];
  for (const provider of providers) {
    if (provider === 'webgpu' && device === 'auto') {
      const reason = autoWebGpuSkipReason(webgpu());
      if (reason) {
        failures.push({ provider, message: reason, skipped: true });
        continue;
      }
    }
    try {
      const session = await factory(model, {
        executionProviders: [provider],
        intraOpNumThreads: threads,
        graphOptimizationLevel: 'all',
        ...(settings.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: settings.profileFilePrefix } : {}),
      });
      return { session, provider, failures, note: provider === 'webgpu' ? webGpuNote(webgpu()) : undefined };
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
  const advice = device === 'webgpu' ? webGpuFailureAdvice(webgpu()) : `To use a GPU, ${CUDA_INSTALL_HINT}`;
  throw new DeviceUnavailableError(`device "${device}" is not available: tried ${tried}. ${advice}`);
}
