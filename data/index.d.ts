// Types of @ecg-onnx/ecg5000 (index.js is plain JavaScript: nothing to build).
/** The folder holding ECG5000_TRAIN.tsv, ECG5000_TEST.tsv and SOURCE.md (absolute, no trailing slash). */
export declare const ECG5000_DIR: string;
/** The 500 training beats (UCR TSV: label, then 140 values). */
export declare const ECG5000_TRAIN: string;
/** The 4,500 test beats. */
export declare const ECG5000_TEST: string;
