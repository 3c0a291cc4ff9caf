// Refusals of layers and options (ops/, layer-config.ts, convert.ts): one case per refusal site,
// each naming the layer, the option or shape and what is supported.
import * as tf from '@tensorflow/tfjs';
import { ResetAfterGRU } from '../../train/gru.js';
import { configOf, edited, entryOf, fn, layersOf, on, option, seq, type Refusal } from './refusal-helpers.js';

const L = tf.layers;
const conv1 = seq([8, 2], L.conv1d({ filters: 2, kernelSize: 3 }));
const conv2 = seq([6, 6, 2], L.conv2d({ filters: 2, kernelSize: 3 }));
const dense = seq([4], L.dense({ units: 2 }));
const gru = seq([5, 2], L.gru({ units: 2 }));
const lstm = seq([5, 2], L.lstm({ units: 2 }));
const bi = seq([5, 2], L.bidirectional({ layer: L.lstm({ units: 2 }) as tf.RNN }));
const td = seq([3, 4], L.timeDistributed({ layer: L.dense({ units: 2 }) }));
const unsupported = (what: string) => new RegExp(`${what} is not supported; supported: `);
/** Sets batch_input_shape of the model's InputLayer. */
const inputShape = (shape: unknown[]) => (a: tf.io.ModelArtifacts) => (configOf(a, 'InputLayer').batch_input_shape = shape);

export const LAYER_REFUSALS: Refusal[] = [
  // layer-config.ts validators
  option('LayerConfig.oneOf: padding', conv1, 'Conv1D', 'padding', 'causal', /\(Conv1D\): padding "causal" is not supported; supported: same, valid/),
  option('LayerConfig.bool: use_bias', conv1, 'Conv1D', 'use_bias', 'yes', /use_bias "yes" is not supported; supported: true or false/),
  option('LayerConfig.number: epsilon', seq([4], L.batchNormalization({})), 'BatchNormalization', 'epsilon', 'small', /epsilon "small" is not supported; supported: a finite number/),
  option('LayerConfig.positiveInt: units', dense, 'Dense', 'units', 0, /units 0 is not supported; supported: a positive integer/),
  option('LayerConfig.size1d: two pool sizes', seq([8, 2], L.maxPooling1d({ poolSize: 2 })), 'MaxPooling1D', 'pool_size', [2, 2], /pool_size \[2,2\] is not supported; supported: one value/),
  option('LayerConfig.size1d: pool size 0', seq([8, 2], L.maxPooling1d({ poolSize: 2 })), 'MaxPooling1D', 'pool_size', 0, /pool_size 0 is not supported; supported: a positive integer/),
  option('LayerConfig.sizes: one kernel size for Conv2D', conv2, 'Conv2D', 'kernel_size', [3], /kernel_size \[3\] is not supported; supported: 2 integers >= 1/),
  option('LayerConfig.pairs: padding', seq([4, 4, 2], L.zeroPadding2d({ padding: 1 })), 'ZeroPadding2D', 'padding', 'x', /padding "x" is not supported; supported: k, \[k1, .., k2\]/),
  option('LayerConfig.requireDefault: groups', conv1, 'Conv1D', 'groups', 2, /groups 2 is not supported; supported: 1/),
  // core.ts
  edited('InputLayer dtype', dense, (a) => (configOf(a, 'InputLayer').dtype = 'bool'), /\(InputLayer\): dtype "bool" is not supported; supported: float32, int32/),
  option('InputLayer sparse', dense, 'InputLayer', 'sparse', true, unsupported('sparse/ragged true')),
  edited('InputLayer batch_input_shape', dense, inputShape([null, -3]), /batch_input_shape \[null,-3\] is not supported; supported: \[null, \.\.\.sizes\]/),
  option('Dense kernel_constraint', dense, 'Dense', 'kernel_constraint', { class_name: 'MaxNorm' }, unsupported('kernel_constraint .*')),
  edited('Dense on a dynamic last axis', dense, inputShape([null, null]), /\(Dense\): input's last dimension is not static/),
  option('Flatten data_format', seq([3, 2], L.flatten()), 'Flatten', 'data_format', 'nhwc', unsupported('data_format "nhwc"')),
  edited('Flatten of a dynamic axis', seq([3, 2], L.flatten(), L.dense({ units: 2 })), inputShape([null, null, 2]), /\(Flatten\): input shape \[N,\w+_d1,2\] has a dynamic dimension; Flatten needs static sizes/),
  option('Embedding embeddings_constraint', seq([4], L.embedding({ inputDim: 5, outputDim: 2 })), 'Embedding', 'embeddings_constraint', { class_name: 'NonNeg' }, unsupported('embeddings_constraint .*')),
  edited('Embedding mask_zero on rank-3 ids', seq([3, 4], L.embedding({ inputDim: 5, outputDim: 2 })), (a) => (configOf(a, 'Embedding').mask_zero = true), /mask_zero with input rank 3 is not supported; supported: ids \[N, T\]/),
  option('Reshape target_shape', seq([4], L.reshape({ targetShape: [2, 2] })), 'Reshape', 'target_shape', [0, 4], /target_shape \[0,4\] is not supported; supported: a list of positive sizes/),
  edited('Reshape of a dynamic axis', seq([4, 2], L.reshape({ targetShape: [8] })), inputShape([null, null, 2]), /\(Reshape\): input shape \[N,\w+_d1,2\] has a dynamic dimension; Reshape needs static sizes/),
  { ...option('Reshape that does not fit', seq([4], L.reshape({ targetShape: [2, 2] })), 'Reshape', 'target_shape', [3, 2], /target_shape \[3,2\] does not fit input \[N,4\]/), error: 'format' },
  // activations
  option('unknown activation', dense, 'Dense', 'activation', 'gelu_new', /activation "gelu_new" is not supported; supported: elu, /),
  option('ReLU negative_slope', seq([4], L.reLU({})), 'ReLU', 'negative_slope', 0.1, unsupported('negative_slope 0.1')),
  option('ReLU threshold', seq([4], L.reLU({})), 'ReLU', 'threshold', 0.5, unsupported('threshold 0.5')),
  option('Softmax axis 0', seq([4], L.softmax({})), 'Softmax', 'axis', 0, /\(Softmax\): axis 0 is not supported; supported: one non-batch axis/),
  option('PReLU alpha_constraint', seq([4], L.prelu({})), 'PReLU', 'alpha_constraint', { class_name: 'NonNeg' }, unsupported('alpha_constraint .*')),
  option('PReLU shared_axes', seq([4], L.prelu({})), 'PReLU', 'shared_axes', [0], /shared_axes \[0\] is not supported; supported: axes 1\.\.1/),
  edited('PReLU on a dynamic axis', seq([3, 2], L.prelu({})), inputShape([null, null, 2]), /\(PReLU\): input shape .* is not supported; supported: static sizes on the axes that are not shared/),
  // conv.ts, conv-transpose.ts, window.ts, pooling.ts
  edited('Conv1D strides with dilation', conv1, (a) => Object.assign(configOf(a, 'Conv1D'), { strides: [2], dilation_rate: [2] }), /strides with dilation_rate \[\[2\],\[2\]\] is not supported; supported: strides 1 when dilation_rate > 1/),
  edited('Conv1D on a dynamic channel count', conv1, inputShape([null, 8, null]), /\(Conv1D\): input \[N,8,\w+_d2\] needs a static channel count/),
  option('Conv1D kernel larger than the input', conv1, 'Conv1D', 'kernel_size', [9], /\(Conv1D\): input \[N,8,2\] is smaller than the kernel \(9, dilation 1\) with padding valid/),
  option('Conv1D kernel_constraint', conv1, 'Conv1D', 'kernel_constraint', { class_name: 'MaxNorm' }, unsupported('kernel_constraint .*')),
  option('DepthwiseConv2D depthwise_constraint', seq([5, 5, 2], L.depthwiseConv2d({ kernelSize: 3 })), 'DepthwiseConv2D', 'depthwise_constraint', { class_name: 'MaxNorm' }, unsupported('depthwise_constraint .*')),
  option('Conv2D data_format', conv2, 'Conv2D', 'data_format', 'NCHW', unsupported('data_format "NCHW"')),
  edited('Conv2D on a rank-3 input', conv1, (a) => {
    const e = entryOf(a, 'Conv1D');
    e.class_name = 'Conv2D';
  }, /\(Conv2D\): input rank 3 is not supported; supported: 4 \(\[N, H, W, C\]\)/),
  option('Conv2DTranspose output_padding', seq([4, 4, 2], L.conv2dTranspose({ filters: 2, kernelSize: 3 })), 'Conv2DTranspose', 'output_padding', [1, 1], unsupported('output_padding \\[1,1\\]')),
  option('Conv2DTranspose kernel_constraint', seq([4, 4, 2], L.conv2dTranspose({ filters: 2, kernelSize: 3 })), 'Conv2DTranspose', 'kernel_constraint', { class_name: 'MaxNorm' }, unsupported('kernel_constraint .*')),
  option('Conv2DTranspose dilation', seq([4, 4, 2], L.conv2dTranspose({ filters: 2, kernelSize: 3 })), 'Conv2DTranspose', 'dilation_rate', [2, 2], /dilation_rate \[2,2\] is not supported; supported: 1 \(TF\.js has no dilated/),
  option('Conv2DTranspose padding', seq([4, 4, 2], L.conv2dTranspose({ filters: 2, kernelSize: 3 })), 'Conv2DTranspose', 'padding', 'full', unsupported('padding "full"')),
  edited('Conv2DTranspose on dynamic sizes', seq([4, 4, 2], L.conv2dTranspose({ filters: 2, kernelSize: 3 })), inputShape([null, null, 4, 2]), /\(Conv2DTranspose\): input .* needs static spatial sizes and channels/),
  option('MaxPooling2D padding', seq([4, 4, 2], L.maxPooling2d({ poolSize: 2 })), 'MaxPooling2D', 'padding', 'full', unsupported('padding "full"')),
  option('MaxPooling1D pool larger than the input', seq([3, 2], L.maxPooling1d({ poolSize: 2 })), 'MaxPooling1D', 'pool_size', [5], /pool_size \[5\] is not supported; supported: at most the input size \[3\] with padding valid/),
  // merge.ts
  edited('Add with one input', fn([[3]], (x) => on(L.add(), [x, x])), (a) => ((entryOf(a, 'Add').inbound_nodes as unknown[][][])[0]!.splice(1)), /\(Add\): needs at least 2 inputs, got 1/),
  option('Concatenate on the batch axis', fn([[3]], (x) => on(L.concatenate(), [x, x])), 'Concatenate', 'axis', 0, /axis 0 is not supported; supported: a non-batch axis in 1\.\.1/),
  edited('Concatenate of different ranks', fn([[3], [2, 3]], (x, y) => [on(L.concatenate({ axis: -1 }), [y, y]), on(L.dense({ units: 1 }), x)]), (a) => ((entryOf(a, 'Concatenate').inbound_nodes as unknown[][][])[0]![0]![0] = layersOf(a).find((l) => l.class_name === 'InputLayer' && ((l.config as Record<string, unknown[]>).batch_input_shape)?.length === 2)!.name), /input ranks \[2,3\] is not supported; supported: inputs of equal rank/),
  edited('Subtract of three inputs', fn([[3]], (x) => on(L.add(), [x, x, x])), (a) => (entryOf(a, 'Add').class_name = 'Subtract'), /\(Subtract\): needs exactly 2 inputs, got 3/),
  edited('Dot of three inputs', fn([[3]], (x) => on(L.add(), [x, x, x])), (a) => {
    const e = entryOf(a, 'Add');
    e.class_name = 'Dot';
    (e.config as Record<string, unknown>).axes = 1;
  }, /\(Dot\): needs exactly 2 inputs, got 3/),
  option('Dot axes on the batch', fn([[3]], (x) => on(L.dot({ axes: 1 }), [x, x])), 'Dot', 'axes', 0, /axes 0 is not supported; supported: one non-batch axis per input/),
  edited('Dot of rank 4', fn([[2, 3]], (x) => on(L.dot({ axes: 2 }), [x, x])), inputShape([null, 2, 2, 3]), /input ranks \[4,4\] is not supported; supported: rank 2 or 3/),
  edited('Dot of different sizes', fn([[3], [3]], (x, y) => on(L.dot({ axes: 1 }), [x, y])), (a) => (configOf(a, 'InputLayer', 1).batch_input_shape = [null, 4]), /\(Dot\): contracted sizes differ \(3 vs 4\)/),
  // normalization.ts
  option('BatchNormalization axis 0', seq([4], L.batchNormalization({})), 'BatchNormalization', 'axis', 0, /axis 0 is not supported; supported: non-batch axes of the rank-2 input/),
  option('BatchNormalization two axes', seq([3, 4], L.batchNormalization({})), 'BatchNormalization', 'axis', [1, 2], /axis \[1,2\] is not supported; supported: one axis/),
  edited('BatchNormalization of a dynamic channel', seq([3, 4], L.batchNormalization({})), inputShape([null, 3, null]), /channels "\w+_d2" is not supported; supported: a static size/),
  edited('LayerNormalization of a dynamic axis', seq([3, 4], L.layerNormalization({})), inputShape([null, 3, null]), /normalised axes \["\w+_d2"\] is not supported; supported: static sizes/),
  // recurrent.ts, recurrent-cells.ts, wrappers.ts
  option('GRU stateful', gru, 'GRU', 'stateful', true, /stateful true is not supported; supported: false/),
  option('LSTM time_major', lstm, 'LSTM', 'time_major', true, /time_major true is not supported; supported: false/),
  option('LSTM recurrent activation', lstm, 'LSTM', 'recurrent_activation', 'swish', /recurrent_activation "swish" is not supported; supported: hard_sigmoid/),
  edited('LSTM on rank 2', seq([5, 2], L.lstm({ units: 2 })), (a) => (configOf(a, 'InputLayer').batch_input_shape = [null, 5]), /\(LSTM\): input \[N,5\] must be \[N, T, features\] with static features/),
  option('mask_zero into return_sequences', fn([{ shape: [5], dtype: 'int32' }], (x) => on(L.lstm({ units: 2, returnSequences: true }), on(L.embedding({ inputDim: 4, outputDim: 2 }), x))), 'Embedding', 'mask_zero', true, /\(LSTM\): return_sequences on an Embedding mask_zero mask is not supported/),
  edited('mask_zero that does not reach the recurrent layer', fn([{ shape: [6], dtype: 'int32' }], (x) => on(L.lstm({ units: 2 }), on(L.conv1d({ filters: 2, kernelSize: 2 }), on(L.embedding({ inputDim: 4, outputDim: 2 }), x)))), (a) => (configOf(a, 'Embedding').mask_zero = true), /\(LSTM\): the model has an Embedding with mask_zero, but its mask does not reach this recurrent layer directly/),
  option('ResetAfterGRU go_backwards', seq([5, 2], new ResetAfterGRU({ units: 2 }) as unknown as tf.layers.Layer), 'ResetAfterGRU', 'go_backwards', true, /go_backwards true is not supported; supported: false: ResetAfterGRU/),
  option('ResetAfterGRU return_state', seq([5, 2], new ResetAfterGRU({ units: 2 }) as unknown as tf.layers.Layer), 'ResetAfterGRU', 'return_state', true, /return_state true is not supported; supported: false: ResetAfterGRU/),
  edited('ResetAfterGRU initial_state', fn([[5, 2], [2]], (x, h) => on(L.add(), [on(new ResetAfterGRU({ units: 2 }) as unknown as tf.layers.Layer, x), h])), (a) => ((entryOf(a, 'ResetAfterGRU').inbound_nodes as unknown[][][])[0]!.push([entryOf(a, 'InputLayer', 1).name as string, 0, 0, {}])), /initial_state "1 tensors" is not supported; supported: none: ResetAfterGRU/),
  edited('LSTM with one initial state', fn([[5, 2], [2]], (x, h) => on(L.add(), [on(L.lstm({ units: 2 }), x), h])), (a) => ((entryOf(a, 'LSTM').inbound_nodes as unknown[][][])[0]!.push([entryOf(a, 'InputLayer', 1).name as string, 0, 0, {}])), /\(LSTM\): got 1 initial states; a LSTM takes 2/),
  option('Bidirectional layer config', bi, 'Bidirectional', 'layer', 'lstm', /layer "lstm" is not supported; supported: a \{class_name, config\} layer/),
  edited('Bidirectional(ResetAfterGRU)', bi, (a) => (((configOf(a, 'Bidirectional').layer as Record<string, unknown>).class_name = 'ResetAfterGRU')), /wraps ResetAfterGRU, which has no go_backwards/),
  edited('Bidirectional(Dense)', bi, (a) => (((configOf(a, 'Bidirectional').layer as Record<string, unknown>).class_name = 'Dense')), /\(Bidirectional\): wraps Dense; supported: GRU, LSTM, SimpleRNN/),
  option('Bidirectional backward_layer', bi, 'Bidirectional', 'backward_layer', { class_name: 'LSTM', config: {} }, /backward_layer "\(a separate layer\)" is not supported/),
  option('Bidirectional merge_mode', bi, 'Bidirectional', 'merge_mode', 'max', unsupported('merge_mode "max"')),
  edited('Bidirectional go_backwards inside', bi, (a) => ((((configOf(a, 'Bidirectional').layer as Record<string, unknown>).config as Record<string, unknown>).go_backwards = true)), /go_backwards true is not supported; supported: false inside Bidirectional/),
  edited('Bidirectional with one initial state', fn([[5, 2], [4]], (x, h) => on(L.add(), [on(L.bidirectional({ layer: L.lstm({ units: 2 }) as tf.RNN }), x), h])), (a) => ((entryOf(a, 'Bidirectional').inbound_nodes as unknown[][][])[0]!.push([entryOf(a, 'InputLayer', 1).name as string, 0, 0, {}])), /\(Bidirectional\): got 1 initial states; a bidirectional LSTM takes 4/),
  edited('TimeDistributed on rank 2', td, (a) => (configOf(a, 'InputLayer').batch_input_shape = [null, 4]), /input rank 2 is not supported; supported: at least 3/),
  edited('TimeDistributed(Flatten) on dynamic time', seq([3, 4, 2], L.timeDistributed({ layer: L.flatten() })), inputShape([null, null, 4, 2]), /TimeDistributed\(Flatten\) needs static sizes after the batch/),
  edited('TimeDistributed(LSTM return_state)', seq([3, 4, 2], L.timeDistributed({ layer: L.lstm({ units: 2 }) as tf.RNN })), (a) => ((((configOf(a, 'TimeDistributed').layer as Record<string, unknown>).config as Record<string, unknown>).return_state = true)), /TimeDistributed\(LSTM\) gives 3 outputs; supported: one/),
  edited('TimeDistributed(Conv3D)', td, (a) => (((configOf(a, 'TimeDistributed').layer as Record<string, unknown>).class_name = 'Conv3D')), /\(TimeDistributed\): wrapped layer class Conv3D is not supported; supported: Activation/),
  // reshaping.ts
  option('Permute dims', seq([2, 3], L.permute({ dims: [2, 1] })), 'Permute', 'dims', [1, 1], /dims \[1,1\] is not supported; supported: a permutation of 1\.\.2/),
  edited('RepeatVector of rank 3', seq([2, 3], L.flatten(), L.repeatVector({ n: 2 })), (a) => layersOf(a).splice(1, 1), /\(RepeatVector\): input rank 3 is not supported; supported: 2/),
  option('Cropping2D that leaves nothing', seq([4, 4, 2], L.cropping2D({ cropping: [[1, 1], [1, 1]] })), 'Cropping2D', 'cropping', [[2, 2], [0, 0]], /cropping 2 \+ 2 leaves nothing of axis 1 \(size 4\)/),
  option('UpSampling2D interpolation', seq([4, 4, 2], L.upSampling2d({ size: [2, 2] })), 'UpSampling2D', 'interpolation', 'bicubic', unsupported('interpolation "bicubic"')),
  edited('ZeroPadding1D on rank 4', seq([4, 4, 2], L.zeroPadding2d({ padding: 1 })), (a) => {
    const e = entryOf(a, 'ZeroPadding2D');
    e.class_name = 'ZeroPadding1D';
    (e.config as Record<string, unknown>).padding = [1, 1];
  }, /\(ZeroPadding1D\): input rank 4 is not supported; supported: 3/),
  // convert.ts
  edited('unknown layer class', dense, (a) => (entryOf(a, 'Dense').class_name = 'Conv3D'), /layer "dense_Dense\d+" \(Conv3D\): layer class not supported; supported: Activation, Add/),
  { ...edited('a weight missing from the manifest', dense, (a) => (a.weightSpecs![0]!.name = 'renamed/kernel'), /has no weight "kernel" in weightsManifest \(looked for "dense_Dense\d+\/kernel"\)/), error: 'format' },
  { ...edited('a weight of the wrong shape', dense, (a) => (configOf(a, 'Dense').units = 3), /weight "dense_Dense\d+\/kernel" has shape \[4,2\], expected \[4,3\] from the layer config/), error: 'format' },
  edited('int32 input into a Dense', dense, (a) => (configOf(a, 'InputLayer').dtype = 'int32'), /\(Dense\): reads the int32 tensor "[^"]+"; only Embedding takes integer inputs \(TF\.js too\)/),
];
