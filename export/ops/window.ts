// What convolutions, pools and the spatial reshaping layers share: where a Keras tensor's channel and
// spatial axes are (data_format channels_last, or channels_first where TF.js allows it) and the ONNX
// working layout (N, C, spatial...) that puts them where ONNX Conv/Pool/Pad/Resize expect them.
import type { Dim } from '../graph.js';
import { channelsFirst, identity, type Perm } from '../layout.js';
import type { ConvertContext, KerasValue } from '../convert-context.js';

export interface WindowLayout {
  channelsLast: boolean;
  /** Stored layout (N, C, spatial...) of the ONNX op's input and output. */
  perm: Perm;
  /** Keras axes of the spatial dims, in order. */
  spatialAxes: number[];
  channelAxis: number;
  spatial: Dim[];
  channels: Dim;
  /** The Keras shape of an output with these spatial dims and channels. */
  kerasShape(spatial: Dim[], channels: Dim): Dim[];
}

/** Reads data_format and checks the input rank (spatial rank + 2). */
export function windowLayout(ctx: ConvertContext, x: KerasValue, spatialRank: number): WindowLayout {
  const format = ctx.cfg.oneOf('data_format', ['channels_last', 'channels_first'] as const, 'channels_last');
  const rank = spatialRank + 2;
  if (x.shape.length !== rank) ctx.cfg.fail('input rank', x.shape.length, `${rank} ([N, ${spatialRank === 1 ? 'T' : spatialRank === 2 ? 'H, W' : 'spatial...'}, C])`);
  const channelsLast = format === 'channels_last';
  const spatialAxes = Array.from({ length: spatialRank }, (_, i) => (channelsLast ? i + 1 : i + 2));
  const channelAxis = channelsLast ? rank - 1 : 1;
  return {
    channelsLast,
    perm: channelsLast ? channelsFirst(rank) : identity(rank),
    spatialAxes,
    channelAxis,
    spatial: spatialAxes.map((a) => x.shape[a]!),
    channels: x.shape[channelAxis]!,
    kerasShape: (spatial, channels) => (channelsLast ? ['N', ...spatial, channels] : ['N', channels, ...spatial]),
  };
}
