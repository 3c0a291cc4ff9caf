// A float64 1-D convolution (NWC input, [kernel, in, out] filter, TF 'same'/'valid' padding) and its
// gradients for loss = sum(y * probe), in plain TypeScript: the yardstick for every backend's conv.

export interface ConvCase {
  batch: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: 'same' | 'valid';
}

/** TF's output width and left padding ('same' puts the odd pad at the end). */
export function convGeometry(c: ConvCase): { outWidth: number; padLeft: number } {
  if (c.padding === 'valid') return { outWidth: Math.ceil((c.width - c.kernel + 1) / c.stride), padLeft: 0 };
  const outWidth = Math.ceil(c.width / c.stride);
  const padTotal = Math.max((outWidth - 1) * c.stride + c.kernel - c.width, 0);
  return { outWidth, padLeft: Math.floor(padTotal / 2) };
}

export interface ConvResult {
  y: Float64Array;
  dx: Float64Array;
  dFilter: Float64Array;
}

export function referenceConv1d(c: ConvCase, x: ArrayLike<number>, filter: ArrayLike<number>, probe: ArrayLike<number>): ConvResult {
  const { outWidth, padLeft } = convGeometry(c);
  const { batch, width, inChannels: ci, outChannels: co, kernel, stride } = c;
  const y = new Float64Array(batch * outWidth * co);
  const dx = new Float64Array(batch * width * ci);
  const dFilter = new Float64Array(kernel * ci * co);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outWidth; o++) {
      for (let k = 0; k < kernel; k++) {
        const w = o * stride + k - padLeft;
        if (w < 0 || w >= width) continue;
        for (let i = 0; i < ci; i++) {
          const xv = x[(n * width + w) * ci + i]!;
          for (let j = 0; j < co; j++) {
            const f = (k * ci + i) * co + j;
            const out = (n * outWidth + o) * co + j;
            y[out]! += xv * filter[f]!;
            dx[(n * width + w) * ci + i]! += probe[out]! * filter[f]!;
            dFilter[f]! += probe[out]! * xv;
          }
        }
      }
    }
  }
  return { y, dx, dFilter };
}
