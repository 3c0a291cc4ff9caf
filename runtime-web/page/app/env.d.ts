// Types for the build-time virtual module that carries the bundled test beats (see ../vite.config.ts).
declare module 'virtual:bundled-beats' {
  const beats: { row: number; label: string; values: number[] }[];
  export default beats;
}
