// The exporter's version, written into every .onnx as producer_version (a test keeps it equal to
// package.json's, which cannot be read at run time in a browser).
export const EXPORTER_VERSION = '0.2.0';
