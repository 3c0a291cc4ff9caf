// Per-epoch progress bar with ETA (cli-progress) for interactive terminals; in CI or when output is
// piped, no bar is drawn and each epoch is one plain line instead.
import cliProgress from 'cli-progress';
import type { EpochRecord } from './fit.js';

export interface ProgressReporter {
  onBatch: (epoch: number, batch: number, batches: number) => void;
  onEpoch: (record: EpochRecord, seconds: number) => void;
  stop: () => void;
}

export function isInteractive(stream: NodeJS.WriteStream = process.stderr): boolean {
  const ci = process.env.CI;
  return Boolean(stream.isTTY) && !(ci && ci !== 'false' && ci !== '0');
}

export function formatEpoch(r: EpochRecord, epochs: number, seconds: number): string {
  const val = r.valLoss === null ? '' : `  val loss ${r.valLoss.toFixed(4)}  val acc ${(100 * r.valAccuracy!).toFixed(2)}%`;
  return `epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}  loss ${r.loss.toFixed(4)}  acc ${(100 * r.accuracy).toFixed(2)}%${val}  ${seconds.toFixed(1)}s`;
}

/** `log` receives the per-epoch lines; the bar (when shown) draws on stderr. */
export function createProgress(epochs: number, log: (line: string) => void, interactive = isInteractive()): ProgressReporter {
  let bar: cliProgress.SingleBar | undefined;
  return {
    onBatch(epoch, batch, batches) {
      if (!interactive) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { format: `epoch ${epoch}/${epochs} [{bar}] {value}/{total} batches | ETA {eta_formatted}`, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(batches, 0);
      }
      bar.update(batch);
    },
    onEpoch(record, seconds) {
      bar?.stop();
      bar = undefined;
      log(formatEpoch(record, epochs, seconds));
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
