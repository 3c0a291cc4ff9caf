// Preloaded (node --import) into child processes by bench/runtime-node.ts: writes the process's peak
// resident set size (KiB) to $ECG_BENCH_RSS_FILE at exit, so the benchmark measures the real CLI.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.ECG_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
