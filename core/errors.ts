// Typed errors shared by every stage: each message says what was wrong, where, and what to do next.

/** Base class: the CLI prints `message` (no stack) and exits non-zero for any EcgError. */
export class EcgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A data file that does not parse: names the file, the 1-based line and (when known) the field. */
export class DataFormatError extends EcgError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
    readonly field?: number,
  ) {
    const where = line === undefined ? file : field === undefined ? `${file}:${line}` : `${file}:${line} field ${field}`;
    super(`${where}: ${problem}`);
  }
}

/** Beats handed to a classifier that cannot be run: names the index of the first bad beat. */
export class InvalidInputError extends EcgError {
  constructor(
    readonly index: number | undefined,
    readonly problem: string,
  ) {
    super(index === undefined ? problem : `beat ${index}: ${problem}`);
  }
}

/** A model file or directory that cannot be read or is not what the stage expects. */
export class ModelFormatError extends EcgError {}

/** A layer or option the ONNX exporter does not support (never exported as a different model). */
export class UnsupportedLayerError extends EcgError {}

/** A device / execution provider that was asked for and cannot be used. */
export class DeviceUnavailableError extends EcgError {}
