// The ONNX versions every exported file declares, in one place. Opset 17 / IR 8 is the newest pair
// that the pinned onnx.proto and its checker (ONNX 1.12.0, Debian python3-onnx) know, and both
// onnxruntime-node 1.30 and onnxruntime-web 1.30 run it (they support opsets 7..23).

/** Default-domain operator set the converters target (e.g. Softmax with a single axis, Reduce* with an axes attribute). */
export const OPSET = 17;
/** ONNX IR version matching OPSET (IR 8 = ONNX 1.10..1.12). */
export const IR_VERSION = 8;
/** Oldest opset the converters' node forms are valid in (Clip/Pad/Unsqueeze take inputs, Split attrs). */
export const MIN_OPSET = 13;
export const PRODUCER_NAME = 'ecg-onnx';
