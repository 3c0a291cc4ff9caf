// Shared command wrapper: EcgErrors become one clear line on stderr and a non-zero exit, no stack.
import { EcgError } from '@ecg-onnx/core';

export async function runCommand(action: () => Promise<void> | void): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof EcgError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
