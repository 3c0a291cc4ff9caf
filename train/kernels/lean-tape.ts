// Faster saves for the gradient tape. While recording, TF.js keeps each op's inputs and outputs for the
// backward pass by cloning them, and every clone is a full Identity kernel dispatch that records a tape
// node of its own, which no gradient ever reaches: ~210 of the ~740 kernel calls of a training step
// here. A saved tensor needs only a second reference to the same data, which is all our Identity
// kernel makes anyway, so this takes that reference directly. Engine-level (tfjs-core 4.22's
// Engine.saveTensorsForBackwardMode), hence a switch; bit-identical gradients either way (tested).
import * as tf from '@tensorflow/tfjs';

interface EngineInternals {
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
  keep<T extends tf.Tensor>(t: T): T;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
  backend: tf.KernelBackend & { incRef?(dataId: tf.DataId): void };
}

let original: EngineInternals['saveTensorsForBackwardMode'] | undefined;

function leanSave(this: EngineInternals, tensors: tf.Tensor[]): tf.Tensor[] {
  const backend = this.backend;
  if (typeof backend.incRef !== 'function') return original!.call(this, tensors);
  return tensors.map((t) => {
    backend.incRef!(t.dataId);
    return this.keep(this.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }));
  });
}

/** Turns the lean saves on (what initBackend does for training) or back to TF.js's clones. */
export function setLeanTapeSaves(on: boolean): void {
  const engine = tf.engine() as unknown as EngineInternals;
  original ??= engine.saveTensorsForBackwardMode;
  engine.saveTensorsForBackwardMode = on ? leanSave : original;
}

export function leanTapeSavesOn(): boolean {
  return (tf.engine() as unknown as EngineInternals).saveTensorsForBackwardMode === leanSave;
}
