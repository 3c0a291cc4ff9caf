// Where the built page lies in the installed package, and a check that it was built.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EcgError } from '@ecg-onnx/core';
import { packageRoot } from '@ecg-onnx/core/node';

/** The built page: index.html, assets/, ort/ (onnxruntime-web's .mjs/.wasm). */
export const WEB_APP_DIR = join(packageRoot(import.meta.url, '@ecg-onnx/web-app'), 'dist', 'app');

/** WEB_APP_DIR, once it holds a built page; otherwise an error saying how to build it. */
export function webAppDir(): string {
  if (!existsSync(join(WEB_APP_DIR, 'index.html'))) {
    throw new EcgError(`the web page is not built (${WEB_APP_DIR} has no index.html); run "npm run build" in the ecg-onnx repository`);
  }
  return WEB_APP_DIR;
}
