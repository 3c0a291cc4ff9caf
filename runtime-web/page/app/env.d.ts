// Types for the build-time values Vite puts into the page: the bundled test beats and the ORT folder (see ../vite.config.ts).
declare module 'virtual:bundled-beats' {
  const beats: { row: number; label: string; values: number[] }[];
  export default beats;
}

/** The content-hashed folder (relative to the page, ending in '/') that holds onnxruntime-web's .mjs/.wasm. */
declare const ORT_DIR: string;
