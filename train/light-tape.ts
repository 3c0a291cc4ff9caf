// A lighter gradient tape for first-order gradients: TF.js saves every tensor a kernel's gradient
// needs through Engine.clone, which also records an Identity node on the tape for each one (228 of the
// paper model's ~730 tape nodes per step). Those nodes only matter to higher-order gradients (a
// gradient of a gradient reaching a saved tensor); for one tf.variableGrads they are dead weight that
// the engine still records, filters and walks. withLightTape saves the same tensors (Identity shares
// the data) without the tape node, for the duration of one synchronous call.
import * as tf from '@tensorflow/tfjs';

/** The engine method this swaps (tfjs-core 4.x; it exists since 3.0). */
interface SavingEngine {
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
  runKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap): tf.Tensor;
  keep<T extends tf.Tensor>(result: T): T;
}

function saveWithoutTapeNodes(this: SavingEngine, tensors: tf.Tensor[]): tf.Tensor[] {
  // Called while a kernel runs (kernel depth > 0), so the Identity itself adds nothing to the tape.
  return tensors.map((t) => this.keep(this.runKernel('Identity', { x: t })));
}

/**
 * Runs `fn` (synchronous; must not take a gradient of a gradient) with the lighter tape, then puts
 * the engine's own method back. Where the engine lacks the method, runs `fn` unchanged.
 */
export function withLightTape<T>(fn: () => T): T {
  const engine = tf.engine() as unknown as Partial<SavingEngine> & object;
  if (typeof engine.saveTensorsForBackwardMode !== 'function' || Object.prototype.hasOwnProperty.call(engine, 'saveTensorsForBackwardMode')) return fn();
  (engine as SavingEngine).saveTensorsForBackwardMode = saveWithoutTapeNodes;
  try {
    return fn();
  } finally {
    delete (engine as Partial<SavingEngine>).saveTensorsForBackwardMode; // the prototype's method again
  }
}
