// Mean's gradient without a full-size tensor of ones. TF.js computes dy * ones(x.shape) / n, so every
// training step builds and uploads a ones array as large as x (BatchNormalization's batch mean over
// [N, T, C], the SE blocks' global average pools) and runs two kernels over it. Broadcasting dy / n to
// x's shape gives the same bits (x * 1 is exact; each copy holds the one quotient) with one full-size
// kernel (Tile). Registered with our Mean kernel (kernels/index.ts).
import * as tf from '@tensorflow/tfjs';

export const meanGradConfig: tf.GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x!.shape);
    const reduceSize = axes.reduce((n, a) => n * x!.shape[a]!, 1);
    const expanded = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return { x: () => tf.broadcastTo(tf.div(tf.reshape(dy as tf.Tensor, expanded), reduceSize), x!.shape) };
  },
};
