#!/usr/bin/env node
// The first step of `npm test`: the Debian packages the tests need (Chromium for the browser tests,
// python3-onnx + numpy for onnx.checker, the Vulkan loader for onnxruntime-node's WebGPU provider).
// What is missing is installed with apt-get (as root, or with sudo when it needs no password);
// otherwise this stops at once and prints the exact command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const works = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const python = (code) => existsSync('/usr/bin/python3') && works('/usr/bin/python3', ['-c', code]);
const hasLibrary = (soname) => {
  try {
    return execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }).includes(soname);
  } catch {
    return ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib'].some((d) => existsSync(`${d}/${soname}`));
  }
};

/** Debian package -> how to tell it is usable (not just installed). */
const SYSTEM_PACKAGES = Object.freeze([
  { name: 'chromium', why: 'browser tests (Debian Chromium driven by playwright-core)', present: () => existsSync(process.env.ECG_CHROMIUM ?? '/usr/bin/chromium') },
  { name: 'python3-onnx', why: 'onnx.checker full_check of every exported model (/usr/bin/python3)', present: () => python('import onnx') },
  { name: 'python3-numpy', why: 'the checker script reads tensors with numpy', present: () => python('import numpy') },
  { name: 'libvulkan1', why: "onnxruntime-node's WebGPU provider (Dawn needs the Vulkan loader)", present: () => hasLibrary('libvulkan.so.1') },
]);

const missing = SYSTEM_PACKAGES.filter((p) => !p.present());
if (missing.length === 0) process.exit(0);

const names = missing.map((p) => p.name);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = !isRoot && works('sudo', ['-n', 'true']) ? ['sudo'] : [];
const command = `${isRoot ? '' : 'sudo '}apt-get update && ${isRoot ? '' : 'sudo '}apt-get install -y --no-install-recommends ${names.join(' ')}`;
for (const p of missing) process.stderr.write(`system-packages: ${p.name} is missing (${p.why})\n`);
if (!existsSync('/usr/bin/apt-get') || (!isRoot && sudo.length === 0)) {
  process.stderr.write(`system-packages: cannot install them here; run:\n  ${command}\nthen run the tests again.\n`);
  process.exit(1);
}
process.stderr.write(`system-packages: installing ${names.join(', ')} with apt-get ...\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const apt = (args) => spawnSync(sudo[0] ?? 'apt-get', sudo.length ? ['apt-get', ...args] : args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
if (!apt(['update', '-qq']) || !apt(['install', '-y', '-qq', '--no-install-recommends', ...names])) {
  process.stderr.write(`system-packages: apt-get failed; run it yourself:\n  ${command}\n`);
  process.exit(1);
}
const still = missing.filter((p) => !p.present()).map((p) => p.name);
if (still.length > 0) {
  process.stderr.write(`system-packages: installed, but still not usable: ${still.join(', ')}\n`);
  process.exit(1);
}
process.stderr.write(`system-packages: installed ${names.join(', ')}\n`);
