#!/usr/bin/env bash
# onnxruntime-node's WebGPU provider on a real GPU, in one run that fits 10 minutes on a machine that has
# no Node, no npm and no network (the project's lent GPU machines): `pack` here bundles what travels
# into .gpu/ (node, onnxruntime-node, the Vulkan loader .debs, the bundled benchmark, the model);
# `run` there unpacks it under $TMPDIR, finds the NVIDIA Vulkan driver, and runs bench/gpu-bench.ts:
# parity WebGPU vs CPU on the 4,500 test beats, node placement, throughput at batch 1/32/1024/8192,
# and whether CUDA loads. `run --swiftshader` does the same on Chromium's software Vulkan driver (a test
# of the script here, not a measurement).
#   bash bench/gpu.sh pack [MODEL.onnx]      # here: writes .gpu/ (about 40 MB; carry it: carry [".gpu"])
#   bash bench/gpu.sh run [--swiftshader] [gpu-bench options, e.g. --batches 1,32]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PACK=$ROOT/.gpu
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
SWIFTSHADER_ICD=/usr/lib/chromium/vk_swiftshader_icd.json
# What Dawn needs to reach NVIDIA's Vulkan driver: the loader and GLVND (libGLX_nvidia links against it).
DEBS=(libvulkan1 libglvnd0 libglx0 libegl1 libgl1)

pack() {
  local model=${1:-}
  if [[ -z $model ]]; then model=$(ls -t "$ROOT"/test-artifacts/exported-model/*.onnx 2>/dev/null | head -1 || true); fi
  [[ -n $model && -f $model ]] || { echo "gpu.sh pack: no model; pass one, or run the tests once (they export test-artifacts/exported-model/*.onnx)" >&2; exit 1; }
  rm -rf "$PACK.tmp" && mkdir -p "$PACK.tmp/debs" /tmp/ecg-gpu-apt/partial
  local apt=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/ecg-gpu-apt)
  apt-get "${apt[@]}" update -qq
  (cd "$PACK.tmp/debs" && apt-get "${apt[@]}" download "${DEBS[@]}")
  xz -T0 -6 -c "$(command -v node)" > "$PACK.tmp/node.xz"
  local ort=$ROOT/node_modules
  tar -C "$ort" -cJf "$PACK.tmp/node_modules.tar.xz" onnxruntime-common/package.json onnxruntime-common/dist \
    onnxruntime-node/package.json onnxruntime-node/dist onnxruntime-node/bin/napi-v6/linux/x64
  "$ort/.bin/esbuild" "$ROOT/bench/gpu-bench.ts" --bundle --platform=node --format=esm --target=node20 \
    --conditions=ecg-source --external:onnxruntime-node --outfile="$PACK.tmp/gpu-bench.mjs" --log-level=warning \
    --banner:js="import { createRequire as __ecgRequire } from 'node:module'; const require = __ecgRequire(import.meta.url);"
  cp "$model" "$PACK.tmp/model.onnx"
  rm -rf "$PACK" && mv "$PACK.tmp" "$PACK"
  du -sh "$PACK"/* | sed 's/^/gpu.sh pack: /'
}

unxz_to() { # xz may be missing there; Python's lzma is not
  if command -v xz >/dev/null; then xz -dc "$1" > "$2"; else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$1" "$2"; fi
}

run() {
  local software=0
  if [[ ${1:-} == --swiftshader ]]; then software=1; shift; fi
  [[ -f $PACK/gpu-bench.mjs ]] || { echo "gpu.sh run: $PACK is missing; run 'bash bench/gpu.sh pack' first and carry .gpu" >&2; exit 1; }
  local work=${TMPDIR:-/tmp}/ecg-gpu out=${OUT:-${TMPDIR:-/tmp}/ecg-gpu/out}
  rm -rf "$work/app" && mkdir -p "$work/app" "$work/vulkan" "$out"
  unxz_to "$PACK/node.xz" "$work/node" && chmod +x "$work/node"
  unxz_to "$PACK/node_modules.tar.xz" "$work/node_modules.tar" && tar -C "$work/app" -xf "$work/node_modules.tar" --one-top-level=node_modules
  cp "$PACK/gpu-bench.mjs" "$work/app/"
  # The loader and GLVND unpacked beside, not into /: only this process sees them.
  if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
    for f in "$PACK"/debs/*.deb; do dpkg -x "$f" "$work/vulkan"; done
    export LD_LIBRARY_PATH=$work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
  if (( software )); then
    export VK_ICD_FILENAMES=$SWIFTSHADER_ICD; unset VK_DRIVER_FILES
  elif [[ -z ${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-} && -f $NVIDIA_ICD ]]; then
    export VK_DRIVER_FILES=$NVIDIA_ICD
  fi
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$work/xdg}; mkdir -p -m 700 "$XDG_RUNTIME_DIR"
  echo "gpu.sh run: node $("$work/node" --version), LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}, VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
  "$work/node" "$work/app/gpu-bench.mjs" --model "$PACK/model.onnx" --data "$ROOT/data/ECG5000/ECG5000_TEST.tsv" --out "$out" "$@" 2>&1 | tee "$out/gpu-bench.log"
}

case ${1:-} in
  pack) shift; pack "$@" ;;
  run) shift; run "$@" ;;
  *) echo "usage: bash bench/gpu.sh pack [MODEL.onnx] | run [--swiftshader] [--batches 1,32,1024,8192] [--beats 4500]" >&2; exit 2 ;;
esac
