// Runs the real `ecg` CLI as a child process, the way a user does, and collects its output.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** `node` arguments that run the CLI from its TypeScript sources (workspace packages resolve to source too). */
export const ECG_FROM_SOURCE = Object.freeze(['--conditions=ecg-source', '--import', 'tsx', 'cli/index.ts']);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `ecg ARGS` in the repository root (for long-running commands such as serve or web). */
export function spawnEcg(args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...ECG_FROM_SOURCE, ...args], { cwd: REPO_ROOT, stdio: 'pipe', env: env ?? process.env });
}

/** Resolves with the exit code and everything the child printed, once it has exited. */
export async function finished(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((res) => child.on('close', res));
  return { code, stdout, stderr };
}

/** Runs `ecg ARGS` to completion. */
export function runEcg(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return finished(spawnEcg(args, env));
}
