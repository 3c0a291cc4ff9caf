// The Vulkan inspection behind 'auto' and the WebGPU error messages, on manifests written here: the
// loader's search order and overrides, relative library paths, which drivers count as software.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { autoWebGpuSkipReason, hasHardwareAdapter, inspectWebGpuEnvironment, webGpuMissing } from '../../runtime-node/index.js';

let dir: string;
const manifest = async (path: string, library: unknown) => {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } }));
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecg-vulkan-'));
  await manifest(join(dir, 'data', 'vulkan', 'icd.d', 'nvidia_icd.json'), 'libGLX_nvidia.so.0');
  await manifest(join(dir, 'data', 'vulkan', 'icd.d', 'lvp_icd.x86_64.json'), '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so');
  await manifest(join(dir, 'config', 'vulkan', 'icd.d', 'radeon_icd.x86_64.json'), '/usr/lib/x86_64-linux-gnu/libvulkan_radeon.so');
  await manifest(join(dir, 'chromium', 'vk_swiftshader_icd.json'), './libvk_swiftshader.so');
  await writeFile(join(dir, 'data', 'vulkan', 'icd.d', 'broken.json'), '{ not json');
});

describe('inspectWebGpuEnvironment', () => {
  it("follows the loader's folders (XDG config, then data), and resolves relative library paths", () => {
    const env = inspectWebGpuEnvironment({ HOME: join(dir, 'home'), XDG_CONFIG_DIRS: join(dir, 'config'), XDG_DATA_DIRS: join(dir, 'data') }, 'linux');
    const found = env.drivers.filter((d) => d.manifest.startsWith(dir)).map((d) => [d.manifest.slice(dir.length), d.software]);
    expect(found).toEqual([
      ['/config/vulkan/icd.d/radeon_icd.x86_64.json', false],
      ['/data/vulkan/icd.d/lvp_icd.x86_64.json', true],
      ['/data/vulkan/icd.d/nvidia_icd.json', false],
    ]);
    expect(env.searched).toContain(join(dir, 'data', 'vulkan', 'icd.d'));
  });

  it('VK_ICD_FILENAMES / VK_DRIVER_FILES replace the search; SwiftShader is software, its library beside its manifest', () => {
    const swiftshader = join(dir, 'chromium', 'vk_swiftshader_icd.json');
    const env = inspectWebGpuEnvironment({ VK_ICD_FILENAMES: swiftshader, XDG_DATA_DIRS: join(dir, 'data') }, 'linux');
    expect(env.drivers).toEqual([{ manifest: swiftshader, library: join(dir, 'chromium', 'libvk_swiftshader.so'), software: true }]);
    const both = inspectWebGpuEnvironment({ VK_DRIVER_FILES: join(dir, 'data', 'vulkan', 'icd.d'), VK_ICD_FILENAMES: swiftshader }, 'linux');
    expect(both.drivers.map((d) => d.library)).toEqual(['/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so', 'libGLX_nvidia.so.0']);
    expect(inspectWebGpuEnvironment({ VK_ICD_FILENAMES: join(dir, 'none.json') }, 'linux').drivers).toEqual([]);
  });

  it('says nothing about Vulkan off Linux, where Dawn uses Metal or D3D12', () => {
    const env = inspectWebGpuEnvironment({}, 'darwin');
    expect(env).toEqual({ platform: 'darwin', drivers: [], searched: [], gpuDevices: [] });
    expect(webGpuMissing(env)).toBeUndefined();
    expect(autoWebGpuSkipReason(env)).toMatch(/cannot be checked on darwin/);
  });

  it('a hardware adapter needs the loader, a hardware driver and a GPU device node', () => {
    const base = { platform: 'linux' as const, loader: '/lib/libvulkan.so.1', searched: ['x'], gpuDevices: ['/dev/dri/renderD128'] };
    const radeon = { manifest: 'r.json', library: 'libvulkan_radeon.so', software: false };
    const lvp = { manifest: 'l.json', library: 'libvulkan_lvp.so', software: true };
    expect(hasHardwareAdapter({ ...base, drivers: [radeon] })).toBe(true);
    expect(autoWebGpuSkipReason({ ...base, drivers: [radeon, lvp] })).toBeUndefined();
    expect(hasHardwareAdapter({ ...base, drivers: [lvp] })).toBe(false);
    expect(hasHardwareAdapter({ ...base, drivers: [radeon], gpuDevices: [] })).toBe(false);
    expect(hasHardwareAdapter({ ...base, drivers: [radeon], loader: undefined })).toBe(false);
  });
});
