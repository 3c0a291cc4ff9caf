// "Convert a TF.js model": model.json + weight files (picked, a picked folder, or dropped) exported to
// ONNX in this page by @ecg-onnx/tfjs-layers-to-onnx, loaded lazily so the classifier page does not pay
// for the exporter until it is used. Shows the summary, offers the .onnx for download, and when the
// result is a beat classifier ([N, T, C] in, [N, K] out) hands it to the page to classify with.
import type { ExportSummary, NamedFile } from '@ecg-onnx/tfjs-layers-to-onnx';

export interface ConvertHooks {
  $: <T extends Element>(id: string) => T;
  /** Load the exported model into the page's classifier (and classify the current beat). */
  useModel: (bytes: Uint8Array, name: string) => Promise<string>;
  showError: (err: unknown) => void;
  setBusy: (busy: boolean) => void;
}

const shape = (dims: (number | string)[]) => `[${dims.join(', ')}]`;

export function describeExport(s: ExportSummary): string {
  const ops = Object.entries(s.nodesByOp).map(([op, n]) => `${op} x${n}`).join(', ');
  const list = (vs: ExportSummary['inputs']) => vs.map((v) => `${v.name} ${shape(v.shape)}${v.dtype === 'float32' ? '' : ` ${v.dtype}`}`).join(', ');
  return `${s.source}: ${s.nodes} ONNX nodes (${ops}), ${(s.bytes / 1024).toFixed(1)} KiB, ${s.parameters.toLocaleString('en')} parameters, opset ${s.opset}; ` +
    `input ${list(s.inputs)} -> output ${list(s.outputs)}; exported in ${(s.seconds * 1000).toFixed(0)} ms`;
}

/** Files of a dropped folder (or files), read through the entries API. */
async function droppedFiles(items: DataTransferItemList): Promise<File[]> {
  const entries = Array.from(items).map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  const out: File[] = [];
  const visit = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) out.push(await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej)));
    else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const e of batch) await visit(e);
      }
    }
  };
  for (const e of entries) await visit(e);
  return out;
}

export function setupConverter(hooks: ConvertHooks): void {
  const { $ } = hooks;
  let lastUrl: string | undefined;
  const convert = async (files: NamedFile[]): Promise<void> => {
    if (files.length === 0) return;
    hooks.setBusy(true);
    const { exportModel, layersModelFilesFrom } = await import('@ecg-onnx/tfjs-layers-to-onnx');
    const { bytes, summary } = await exportModel(await layersModelFilesFrom(files));
    const result = $<HTMLElement>('convert-result');
    result.hidden = false;
    const text = $<HTMLElement>('convert-summary');
    text.textContent = describeExport(summary);
    Object.assign(text.dataset, { nodes: String(summary.nodes), bytes: String(summary.bytes), ops: JSON.stringify(summary.nodesByOp) });
    if (lastUrl) URL.revokeObjectURL(lastUrl);
    lastUrl = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const link = $<HTMLAnchorElement>('convert-download');
    link.href = lastUrl;
    link.download = `${summary.source.replace(/\.json$/i, '').replace(/^.*[\\/]/, '') || 'model'}.onnx`;
    const isBeatClassifier = summary.contract === 'ecg';
    $('convert-loaded').textContent = isBeatClassifier ? await hooks.useModel(bytes, link.download) : '(not a beat classifier: input [N, T, C] and output [N, K] are needed to classify with it here)';
    hooks.setBusy(false);
  };
  const run = (files: NamedFile[]) => void convert(files).catch((e) => hooks.showError(e));
  for (const id of ['convert-files', 'convert-folder']) {
    const input = $<HTMLInputElement>(id);
    input.addEventListener('change', () => run(Array.from(input.files ?? [])));
  }
  const zone = $<HTMLElement>('convert-drop');
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const items = e.dataTransfer?.items;
    if (items) void droppedFiles(items).then(run, (err) => hooks.showError(err));
  });
}
