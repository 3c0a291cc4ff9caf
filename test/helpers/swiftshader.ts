// WebGPU in Node without a GPU: onnxruntime-node's Dawn on the SwiftShader Vulkan driver that Debian's
// chromium ships. The variables are set for the test process (or handed to a child), never globally.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** VK_ICD_FILENAMES pointing at SwiftShader only, and a private XDG_RUNTIME_DIR (Dawn/Vulkan want one). */
export function swiftShaderEnv(): Record<string, string> {
  if (!existsSync(SWIFTSHADER_ICD)) {
    throw new Error(`${SWIFTSHADER_ICD} is missing: the WebGPU tests run on the SwiftShader driver of Debian's chromium (sudo apt-get install chromium libvulkan1)`);
  }
  return { VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'ecg-xdg-')) };
}

/** Points this test process's Vulkan loader at SwiftShader; call before the first WebGPU session. */
export function useSwiftShader(): void {
  Object.assign(process.env, swiftShaderEnv());
  delete process.env.VK_DRIVER_FILES; // it would take precedence over VK_ICD_FILENAMES
}

/** The environment for a child process (`ecg ... --device webgpu`) on SwiftShader. */
export function swiftShaderChildEnv(): NodeJS.ProcessEnv {
  const { VK_DRIVER_FILES: _ignored, ...rest } = process.env;
  return { ...rest, ...swiftShaderEnv() };
}
