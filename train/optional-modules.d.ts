// @tensorflow/tfjs-node is an optional dependency (its installer downloads libtensorflow, which not every
// machine can reach): where it is not installed, this keeps `import('@tensorflow/tfjs-node')` type-checking.
// Where it is installed, its own types win (a file resolution comes before an ambient declaration).
declare module '@tensorflow/tfjs-node';
