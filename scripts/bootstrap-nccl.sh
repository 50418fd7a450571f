#!/usr/bin/env bash
# Builds .deps/nccl/librlrun_nccl.so: c10d's NCCL backend for `rlrun --device cuda` runs of
# several processes (Sources/NCCLBackend/nccl_backend.cpp). Idempotent: an up-to-date library
# is detected from a stamp file and the script exits at once.
#
# ProcessGroupNCCL's header needs NCCL's and CUDA's headers. They come from the PyPI wheels the
# installed PyTorch depends on (NCCL at the version its metadata pins), so the class matches the
# one compiled into libtorch_cuda.so; only the headers are kept (about 25 MB). The library is
# built without a GPU and links nothing: libtorch_cuda.so, which rlrun loads first, provides
# every symbol it uses.
#
# On another machine, copy the library beside the rlrun executable or name it in
# RLRUN_NCCL_BACKEND.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap-libtorch.sh"
torch="$(readlink -f "$root/.deps/torch")"
target="$root/.deps/nccl"
source_file="$root/Sources/NCCLBackend/nccl_backend.cpp"

# NCCL as the installed PyTorch pins it; the CUDA headers of the CUDA 13.0 toolkit it was built with.
metadata="$(ls "$torch"/../torch-*.dist-info/METADATA 2>/dev/null | head -1 || true)"
nccl_version="$( (grep -o 'nvidia-nccl-cu13==[0-9.]*' "$metadata" 2>/dev/null || true) | head -1 | cut -d= -f3)"
if [ -z "$nccl_version" ]; then
  echo "error: cannot find the NCCL version PyTorch pins (nvidia-nccl-cu13 in ${metadata:-the METADATA of torch});" >&2
  echo "       a CUDA 13 build of PyTorch 2.11 is needed (the default bootstrap installs one)." >&2
  exit 1
fi
wheels=(
  "nvidia-nccl-cu13==$nccl_version"
  "nvidia-cuda-runtime==13.0.96" "nvidia-cuda-crt==13.0.88" "nvidia-cuda-cccl==13.0.85"
  "nvidia-cublas==13.1.0.3" "nvidia-cusparse==12.6.3.3" "nvidia-cusolver==12.0.4.66"
)
stamp_text="$(printf '%s\n' "${wheels[@]}" "$torch"; sha256sum "$source_file" | cut -d' ' -f1)"
stamp="$target/.built"
if [ -f "$stamp" ] && [ -f "$target/librlrun_nccl.so" ] && [ "$(cat "$stamp")" = "$stamp_text" ]; then
  exit 0
fi

echo "Building the NCCL backend (NCCL $nccl_version headers from PyPI, about 1 GB of wheels downloaded, 25 MB of headers kept)..."
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
python3 -m pip download --quiet --no-deps --dest "$scratch/wheels" "${wheels[@]}"
mkdir -p "$scratch/include"
for wheel in "$scratch"/wheels/*.whl; do
  # Each wheel keeps its headers under nvidia/<part>/include/.
  python3 - "$wheel" "$scratch/include" <<'PY'
import sys, zipfile, os
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        parts = name.split("/")
        if len(parts) > 3 and parts[0] == "nvidia" and parts[2] == "include" and not name.endswith("/"):
            path = os.path.join(out, *parts[3:])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with z.open(name) as src, open(path, "wb") as dst:
                dst.write(src.read())
PY
done
[ -f "$scratch/include/nccl.h" ] || { echo "error: the NCCL wheel held no nccl.h" >&2; exit 1; }

mkdir -p "$target"
${CXX:-c++} -std=c++17 -O2 -fPIC -shared -w -DUSE_C10D_NCCL \
  -I"$torch/include" -I"$torch/include/torch/csrc/api/include" -I"$scratch/include" \
  "$source_file" -o "$target/librlrun_nccl.so.partial"
mv "$target/librlrun_nccl.so.partial" "$target/librlrun_nccl.so"
rm -rf "$target/include"
mv "$scratch/include" "$target/include"
printf '%s' "$stamp_text" > "$stamp"
echo "NCCL backend built: $target/librlrun_nccl.so"
