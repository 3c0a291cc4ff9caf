// What onnxruntime-node's bundled WebGPU provider (Dawn) needs on Linux, checked without starting it:
// the Vulkan loader, the drivers (ICD manifests) that loader would read, and whether a GPU device exists.
// onnxruntime-node exposes no adapter info, and Dawn happily hands out a software adapter (SwiftShader),
// so this is how 'auto' avoids a software GPU that is slower than the CPU provider, and how
// `--device webgpu` says what is missing instead of Dawn's "No supported adapters".
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

export interface VulkanDriver {
  /** The ICD manifest (.json) the loader reads. */
  manifest: string;
  /** Its ICD.library_path. */
  library: string;
  /** A CPU implementation (SwiftShader, lavapipe/llvmpipe, the mock ICD): runs, but slower than onnxruntime's CPU provider. */
  software: boolean;
}

export interface WebGpuEnvironment {
  platform: NodeJS.Platform;
  /** Path of libvulkan.so.1 when found (Linux only). */
  loader?: string;
  /** Driver manifests the loader would read, in its search order. */
  drivers: VulkanDriver[];
  /** Where drivers were looked for (VK_DRIVER_FILES / VK_ICD_FILENAMES when set, else the loader's folders). */
  searched: string[];
  /** GPU device nodes (/dev/nvidia0, /dev/dri/renderD128, ...): a hardware driver without one has no GPU to drive. */
  gpuDevices: string[];
}

/** A GPU-backed adapter is possible: a hardware driver and a device node. */
export function hasHardwareAdapter(env: WebGpuEnvironment): boolean {
  return env.platform === 'linux' && !!env.loader && env.drivers.some((d) => !d.software) && env.gpuDevices.length > 0;
}

export const VULKAN_INSTALL_HINT =
  'install the Vulkan loader (Debian/Ubuntu: `sudo apt-get install libvulkan1`) and your GPU\'s Vulkan driver ' +
  '(NVIDIA: the driver\'s nvidia_icd.json, e.g. VK_DRIVER_FILES=/usr/share/vulkan/icd.d/nvidia_icd.json; AMD/Intel: `sudo apt-get install mesa-vulkan-drivers`)';

const SOFTWARE_DRIVER = /swiftshader|lvp|lavapipe|llvmpipe|mock_icd/i;
const LIBRARY_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib'];

const list = (value: string | undefined) => (value ?? '').split(':').filter((p) => p.length > 0);

function findLoader(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of list(env.LD_LIBRARY_PATH)) if (existsSync(join(dir, 'libvulkan.so.1'))) return join(dir, 'libvulkan.so.1');
  try {
    const cached = execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).match(/libvulkan\.so\.1 \(.*\) => (\S+)/);
    if (cached) return cached[1];
  } catch {
    // No ldconfig (minimal images): the standard folders below.
  }
  return LIBRARY_DIRS.map((d) => join(d, 'libvulkan.so.1')).find((p) => existsSync(p));
}

/** The loader's driver search (Vulkan-Loader docs/LoaderDriverInterface.md, Linux). */
function driverSearchPaths(env: NodeJS.ProcessEnv): string[] {
  const explicit = list(env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES);
  const added = list(env.VK_ADD_DRIVER_FILES);
  if (explicit.length > 0) return [...explicit, ...added];
  const home = env.HOME ?? homedir();
  const configDirs = [env.XDG_CONFIG_HOME ?? join(home, '.config'), ...(list(env.XDG_CONFIG_DIRS).length ? list(env.XDG_CONFIG_DIRS) : ['/etc/xdg']), '/etc', '/usr/local/etc'];
  const dataDirs = [env.XDG_DATA_HOME ?? join(home, '.local', 'share'), ...(list(env.XDG_DATA_DIRS).length ? list(env.XDG_DATA_DIRS) : ['/usr/local/share', '/usr/share'])];
  return [...added, ...[...configDirs, ...dataDirs].map((d) => join(d, 'vulkan', 'icd.d'))];
}

function readDriver(manifest: string): VulkanDriver | undefined {
  try {
    const library = (JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { library_path?: unknown } }).ICD?.library_path;
    if (typeof library !== 'string') return undefined;
    const path = library.includes('/') ? resolve(dirname(manifest), library) : library;
    return { manifest, library: path, software: SOFTWARE_DRIVER.test(basename(library)) };
  } catch {
    return undefined; // unreadable or not JSON: the loader skips it too
  }
}

function manifestsIn(path: string): string[] {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return [];
  if (info.isFile()) return [path];
  if (!info.isDirectory()) return [];
  return readdirSync(path).filter((n) => n.endsWith('.json')).sort().map((n) => join(path, n));
}

function gpuDeviceNodes(): string[] {
  const nodes: string[] = [];
  const scan = (dir: string, pattern: RegExp) => {
    try {
      for (const n of readdirSync(dir)) if (pattern.test(n)) nodes.push(join(dir, n));
    } catch {
      // folder absent: no such devices
    }
  };
  scan('/dev', /^nvidia\d+$/);
  scan('/dev/dri', /^renderD\d+$/);
  return nodes;
}

/** Inspects this machine (or `env`'s variables) for what Dawn's Vulkan backend needs. */
export function inspectWebGpuEnvironment(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): WebGpuEnvironment {
  if (platform !== 'linux') return { platform, drivers: [], searched: [], gpuDevices: [] };
  const searched = driverSearchPaths(env);
  const seen = new Set<string>();
  const drivers = searched.flatMap(manifestsIn).filter((m) => !seen.has(m) && seen.add(m)).map(readDriver).filter((d): d is VulkanDriver => d !== undefined);
  return { platform, loader: findLoader(env), drivers, searched, gpuDevices: gpuDeviceNodes() };
}

/** Why 'auto' does not use WebGPU here, or undefined when a hardware adapter is likely. */
export function autoWebGpuSkipReason(env: WebGpuEnvironment): string | undefined {
  if (env.platform !== 'linux') return `the adapter cannot be checked on ${env.platform} before starting it; pass --device webgpu to use it`;
  const missing = webGpuMissing(env);
  if (missing) return missing;
  const hardware = env.drivers.filter((d) => !d.software);
  if (hardware.length === 0) {
    return `only a software Vulkan driver (${env.drivers.map((d) => basename(d.library)).join(', ')}), slower than the CPU provider; --device webgpu runs on it anyway`;
  }
  if (env.gpuDevices.length === 0) return `a Vulkan driver (${hardware.map((d) => basename(d.library)).join(', ')}) but no GPU device (/dev/nvidia*, /dev/dri/renderD*)`;
  return undefined;
}

/** What is missing for WebGPU to start at all (loader, driver), or undefined when both are there. */
export function webGpuMissing(env: WebGpuEnvironment): string | undefined {
  if (env.platform !== 'linux') return undefined;
  if (!env.loader) return 'no Vulkan loader (libvulkan.so.1 not found)';
  if (env.drivers.length === 0) return `no Vulkan driver (no ICD manifest in ${env.searched.join(', ')})`;
  return undefined;
}
