// @ecg-onnx/web-app: the in-browser beat classifier page, built (Vite) into dist/app/ with
// onnxruntime-web's WASM files beside it so it works offline, and the small loopback server that
// `ecg web`, parity and the benchmarks serve it with (the model at /model.onnx).
export { WEB_APP_DIR, webAppDir } from './app-dir.js';
export { startWebServer, type RunningWebServer, type WebServerOptions } from './server.js';
