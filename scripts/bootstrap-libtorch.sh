#!/usr/bin/env bash
# Installs libtorch 2.11.0 (C++ headers + shared libraries) from the PyPI wheels into
# .deps/libtorch of this checkout. Idempotent: a complete installation is detected from a
# stamp file and the script exits at once.
#
# To use an existing installation instead (for example a CUDA build of PyTorch in a
# virtualenv), set LIBTORCH to its `torch` package folder:
#   LIBTORCH=/path/to/site-packages/torch scripts/bootstrap-libtorch.sh
# The script then only checks that folder and links .deps/torch to it.
set -euo pipefail

TORCH_VERSION="2.11.0"
CUDA_RUNTIME_VERSION="13.0.96"
CUPTI_VERSION="13.0.85"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="$root/.deps"
target="$deps/libtorch"
link="$deps/torch"
stamp="$target/.rlrun-installed-$TORCH_VERSION"

check_install() {
  local torch_dir="$1"
  local missing=()
  for f in lib/libtorch_cpu.so lib/libc10.so lib/libtorch.so include/ATen/ATen.h \
           include/torch/csrc/api/include/torch/torch.h; do
    [ -e "$torch_dir/$f" ] || missing+=("$f")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "error: libtorch at '$torch_dir' is incomplete; missing: ${missing[*]}" >&2
    echo "       delete .deps/ and run scripts/bootstrap-libtorch.sh again, or point LIBTORCH at a" >&2
    echo "       PyTorch $TORCH_VERSION 'torch' package folder (site-packages/torch)." >&2
    return 1
  fi
}

point_link_at() {
  mkdir -p "$deps"
  if [ "$(readlink "$link" 2>/dev/null || true)" != "$1" ]; then
    ln -sfn "$1" "$link"
  fi
}

if [ -n "${LIBTORCH:-}" ]; then
  check_install "$LIBTORCH"
  version_file="$LIBTORCH/version.py"
  if [ -f "$version_file" ] && ! grep -q "__version__ = '$TORCH_VERSION" "$version_file"; then
    echo "warning: LIBTORCH=$LIBTORCH is not PyTorch $TORCH_VERSION ($(grep __version__ "$version_file"));" >&2
    echo "         rlrun is built and tested against $TORCH_VERSION." >&2
  fi
  point_link_at "$LIBTORCH"
  exit 0
fi

if [ -f "$stamp" ]; then
  point_link_at "$target/torch"
  exit 0
fi

echo "Installing libtorch $TORCH_VERSION from PyPI into .deps/libtorch (about 1 GB, once)..."
rm -rf "$target.partial"
mkdir -p "$target.partial"
python3 -m pip install --quiet --no-deps --no-compile --target "$target.partial" \
  "torch==$TORCH_VERSION" \
  "nvidia-cuda-runtime==$CUDA_RUNTIME_VERSION" \
  "nvidia-cuda-cupti==$CUPTI_VERSION"

# The wheel is kept whole: libtorch_cuda.so stays so that `--device cuda` can try to load it
# (with a clear message on a machine without the NVIDIA libraries or a GPU).
check_install "$target.partial/torch"
rm -rf "$target"
mv "$target.partial" "$target"
touch "$stamp"
point_link_at "$target/torch"
echo "libtorch $TORCH_VERSION installed in .deps/libtorch"
