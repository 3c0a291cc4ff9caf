// Starts the inference server on a loopback address by default and shuts it down gracefully: stop
// accepting, run what the batcher holds, finish in-flight requests, then release the session.
import { InvalidInputError } from '@ecg-onnx/core';
import type { NodeClassifier } from '../classifier.js';
import { buildServer, type InferenceServer, type ServerOptions } from './app.js';

export interface ListenOptions extends ServerOptions {
  /** Default 127.0.0.1; binding elsewhere is an explicit choice. */
  host?: string;
  /** 0 picks a free port. Default 8080. */
  port?: number;
}

export interface RunningServer extends InferenceServer {
  url: string;
  /** Drains and closes; resolves when every in-flight request has its answer and the session is released. */
  close(): Promise<void>;
}

export async function startServer(classifier: NodeClassifier, options: ListenOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidInputError(undefined, `--port must be an integer 0..65535, got ${port}`);
  const server = buildServer(classifier, options);
  const address = await server.app.listen({ host, port });
  let closing: Promise<void> | undefined;
  return {
    ...server,
    url: address,
    close: () =>
      (closing ??= (async () => {
        await server.app.close();
        await classifier.dispose();
      })()),
  };
}
