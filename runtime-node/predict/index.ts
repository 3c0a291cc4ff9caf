// @ecg-onnx/runtime-node/predict: stream a beats file (UCR TSV, CSV, whitespace .txt) through a
// classifier in batches, in one of the output formats, with accuracy when the file has labels.
export { predictFile, type PredictFileOptions, type PredictFileResult } from './predict-file.js';
export { createOutputFormat, OUTPUT_FORMATS, OUTPUT_FORMAT_NAMES, type OutputFormat, type OutputFormatName, type PredictionRow } from './formats.js';
export { fileSize, readBeatBatches, type BeatBatch } from './read-batches.js';
export { RunningReport } from './running-report.js';
