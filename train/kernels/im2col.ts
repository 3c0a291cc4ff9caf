// The im2col / col2im loops behind our matMul-based convolution kernels (NHWC, no dilation).
// Row (n, ho, wo) of the column matrix holds the receptive field (kh, kw, ci) of that output;
// for each kernel row kh that field is one contiguous run of x, so rows are filled with memcpy.
import type * as tf from '@tensorflow/tfjs';
import type { HeapSimd } from './heap-simd.js';

export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

export function geometryOf(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Writes cols [N*Ho*Wo, Kh*Kw*Cin] (row-major) from x [N, H, W, Cin]. */
export function im2col(x: Float32Array, cols: Float32Array, g: ConvGeometry): void {
  const rowLength = g.filterHeight * g.filterWidth * g.inChannels;
  const runLength = g.filterWidth * g.inChannels;
  const xRow = g.inWidth * g.inChannels;
  let row = 0;
  for (let n = 0; n < g.batchSize; n++) {
    for (let ho = 0; ho < g.outHeight; ho++) {
      for (let wo = 0; wo < g.outWidth; wo++, row++) {
        const w0 = wo * g.strideWidth - g.padLeft;
        const wStart = Math.max(w0, 0);
        const wEnd = Math.min(w0 + g.filterWidth, g.inWidth);
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const dst = row * rowLength + kh * runLength;
          const h = ho * g.strideHeight + kh - g.padTop;
          if (h < 0 || h >= g.inHeight || wEnd <= wStart) {
            cols.fill(0, dst, dst + runLength);
            continue;
          }
          const lead = (wStart - w0) * g.inChannels;
          const body = (wEnd - wStart) * g.inChannels;
          if (lead > 0) cols.fill(0, dst, dst + lead);
          const src = n * g.inHeight * xRow + h * xRow + wStart * g.inChannels;
          cols.set(x.subarray(src, src + body), dst + lead);
          if (lead + body < runLength) cols.fill(0, dst + lead + body, dst + runLength);
        }
      }
    }
  }
}

/** Accumulates cols [N*Ho*Wo, Kh*Kw*Cin] back into dx [N, H, W, Cin] (dx is zeroed first); simd: both on its heap. */
export function col2im(cols: Float32Array, dx: Float32Array, g: ConvGeometry, simd?: HeapSimd): void {
  dx.fill(0);
  const rowLength = g.filterHeight * g.filterWidth * g.inChannels;
  const runLength = g.filterWidth * g.inChannels;
  const xRow = g.inWidth * g.inChannels;
  let row = 0;
  for (let n = 0; n < g.batchSize; n++) {
    for (let ho = 0; ho < g.outHeight; ho++) {
      for (let wo = 0; wo < g.outWidth; wo++, row++) {
        const w0 = wo * g.strideWidth - g.padLeft;
        const wStart = Math.max(w0, 0);
        const wEnd = Math.min(w0 + g.filterWidth, g.inWidth);
        if (wEnd <= wStart) continue;
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const h = ho * g.strideHeight + kh - g.padTop;
          if (h < 0 || h >= g.inHeight) continue;
          const src = row * rowLength + kh * runLength + (wStart - w0) * g.inChannels;
          const dst = n * g.inHeight * xRow + h * xRow + wStart * g.inChannels;
          const body = (wEnd - wStart) * g.inChannels;
          let i = 0;
          if (simd) {
            i = body & ~3;
            simd.addInto(dx.byteOffset + 4 * dst, cols.byteOffset + 4 * src, i);
          }
          for (; i < body; i++) dx[dst + i]! += cols[src + i]!;
        }
      }
    }
  }
}

/** Writes colsT [Kh*Kw*Cin, N*Ho*Wo], the transpose of im2col's matrix, from x [N, H, W, Cin]. */
export function im2colTransposed(x: Float32Array, colsT: Float32Array, g: ConvGeometry): void {
  const cols = g.batchSize * g.outHeight * g.outWidth;
  const xRow = g.inWidth * g.inChannels;
  const xImage = g.inHeight * xRow;
  const step = g.strideWidth * g.inChannels;
  for (let kw = 0; kw < g.filterWidth; kw++) {
    // Outputs wo in [lo, hi) read inside x for this tap; the rest read padding (zeros).
    const lo = Math.min(g.outWidth, Math.max(0, Math.ceil((g.padLeft - kw) / g.strideWidth)));
    const hi = Math.max(lo, Math.min(g.outWidth, Math.floor((g.inWidth - 1 - kw + g.padLeft) / g.strideWidth) + 1));
    for (let kh = 0; kh < g.filterHeight; kh++) {
      for (let ci = 0; ci < g.inChannels; ci++) {
        const base = ((kh * g.filterWidth + kw) * g.inChannels + ci) * cols;
        let c = base;
        for (let n = 0; n < g.batchSize; n++) {
          for (let ho = 0; ho < g.outHeight; ho++, c += g.outWidth) {
            const h = ho * g.strideHeight + kh - g.padTop;
            // Zeros by plain stores: the runs are a few floats, a fill() call each cost more (~1/3 of the loop).
            if (h < 0 || h >= g.inHeight || lo === hi) {
              for (let k = c; k < c + g.outWidth; k++) colsT[k] = 0;
              continue;
            }
            for (let k = c; k < c + lo; k++) colsT[k] = 0;
            let src = n * xImage + h * xRow + (lo * g.strideWidth + kw - g.padLeft) * g.inChannels + ci;
            for (let wo = lo; wo < hi; wo++, src += step) colsT[c + wo] = x[src]!;
            for (let k = c + hi; k < c + g.outWidth; k++) colsT[k] = 0;
          }
        }
      }
    }
  }
}
