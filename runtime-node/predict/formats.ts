// Output formats of `ecg predict`, one entry each in a frozen table. Each format writes its pieces as
// the rows arrive (header, rows, footer), so output streams like the input does.
import { type ClassificationReport, formatReport, InvalidInputError, type ModelMetadata, type Prediction } from '@ecg-onnx/core';

export interface PredictionRow {
  index: number;
  /** The label from the input file, when it has a label column. */
  trueLabel: string | undefined;
  prediction: Prediction;
}

export interface OutputFormat {
  header(metadata: ModelMetadata, hasLabels: boolean): string;
  row(row: PredictionRow, first: boolean): string;
  /** Text after the last row. `report` is set when the input had labels. */
  footer(report: ClassificationReport | undefined): string;
  /** Where the accuracy report goes when it is not part of the data (tsv keeps stdout machine-readable). */
  reportToStderr: boolean;
}

const probabilityHeaders = (m: ModelMetadata, prefix: string) => m.classes.map((c) => `${prefix}${c.label}`);

function table(): OutputFormat {
  let nameWidth = 0;
  let labels = false;
  return {
    header(metadata, hasLabels) {
      labels = hasLabels;
      nameWidth = Math.max(5, ...metadata.classes.map((c) => c.name.length));
      const cols = ['index'.padStart(7), ...(hasLabels ? ['true'.padStart(5)] : []), 'label'.padStart(5), 'class'.padEnd(nameWidth)];
      return [...cols, ...probabilityHeaders(metadata, 'p').map((h) => h.padStart(7))].join('  ') + '\n';
    },
    row({ index, trueLabel, prediction: p }) {
      const cols = [String(index).padStart(7), ...(labels ? [(trueLabel ?? '').padStart(5)] : []), p.label.padStart(5), p.name.padEnd(nameWidth)];
      return [...cols, ...p.probabilities.map((v) => v.toFixed(4).padStart(7))].join('  ') + '\n';
    },
    footer: (report) => (report ? `\n${formatReport(report)}\n` : ''),
    reportToStderr: false,
  };
}

function tsv(): OutputFormat {
  let labels = false;
  return {
    header(metadata, hasLabels) {
      labels = hasLabels;
      return [...['index', ...(hasLabels ? ['true_label'] : []), 'label', 'name'], ...probabilityHeaders(metadata, 'p_')].join('\t') + '\n';
    },
    row: ({ index, trueLabel, prediction: p }) => [index, ...(labels ? [trueLabel ?? ''] : []), p.label, p.name, ...p.probabilities].join('\t') + '\n',
    footer: () => '',
    reportToStderr: true,
  };
}

function json(): OutputFormat {
  return {
    header: (metadata) =>
      `{"model":${JSON.stringify({ classes: metadata.classes, inputLength: metadata.inputLength, channels: metadata.channels, sourceSha256: metadata.sourceSha256 })},\n"predictions":[\n`,
    row: ({ index, trueLabel, prediction: p }, first) =>
      (first ? '' : ',\n') + JSON.stringify({ index, ...(trueLabel === undefined ? {} : { trueLabel }), label: p.label, name: p.name, probabilities: p.probabilities }),
    footer: (report) => `\n]${report ? `,\n"report":${JSON.stringify(report)}` : ''}}\n`,
    reportToStderr: false,
  };
}

export const OUTPUT_FORMATS = Object.freeze({ json, table, tsv } as const);
export type OutputFormatName = keyof typeof OUTPUT_FORMATS;
export const OUTPUT_FORMAT_NAMES = Object.freeze(Object.keys(OUTPUT_FORMATS) as OutputFormatName[]);

export function createOutputFormat(name: string): OutputFormat {
  if (!Object.hasOwn(OUTPUT_FORMATS, name)) throw new InvalidInputError(undefined, `unknown --format "${name}"; valid formats: ${OUTPUT_FORMAT_NAMES.join(', ')}`);
  return OUTPUT_FORMATS[name as OutputFormatName]();
}
