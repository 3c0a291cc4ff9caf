// @ecg-onnx/ecg5000: where the shipped copy of the UCR ECG5000 split lies, as absolute paths, so every
// package (training default, parity, the page's bundled beats) reads the same files wherever it is installed.
import { fileURLToPath } from 'node:url';

/** The folder holding ECG5000_TRAIN.tsv, ECG5000_TEST.tsv and SOURCE.md. */
export const ECG5000_DIR = fileURLToPath(new URL('./ECG5000/', import.meta.url)).replace(/[\\/]$/, '');
export const ECG5000_TRAIN = fileURLToPath(new URL('./ECG5000/ECG5000_TRAIN.tsv', import.meta.url));
export const ECG5000_TEST = fileURLToPath(new URL('./ECG5000/ECG5000_TEST.tsv', import.meta.url));
