#!/bin/bash
# CPU-backend variants for `bench:runtime-build --runtime <label>=<folder>` (issue 12, point 3): each is
# node-llama-cpp's prebuilt runtime with only libggml-cpu.so replaced by one built here from the same
# source, so a difference in the table is the CPU backend's build and nothing else.
#
# Needs a node-llama-cpp copy whose `source build` has compiled ggml-cpu (its objects and
# compile_commands.json are reused; the addon and libllama need not be finished):
#   mkdir -p /tmp/nlc/node_modules && (symlink every entry of node_modules but node-llama-cpp into it)
#   cp -a node_modules/node-llama-cpp /tmp/nlc/node_modules/
#   cd /tmp/nlc/node_modules/node-llama-cpp && node dist/cli/cli.js source download --skipBuild   # clones the bundled git release, offline
#   nice -n 10 node dist/cli/cli.js source build --gpu false                                    # cmake + gcc, 2 jobs on 2 cores
#
# Variants written to $OUT/<name>/node_modules/node-llama-cpp (deps symlinked):
#   native-omp  -march=native, OpenMP (what `source build` makes; GGML_BACKEND_DL added to load it)
#   native      -march=native, no OpenMP (ggml's own thread pool, like the prebuilt)
#   zen4        as native, but sgemm/vec/ops with the prebuilt zen4 variant's -m flags
#   gcc11       as zen4, but sgemm.cpp compiled by g++-11 (the prebuilt's compiler; only if g++-11 exists)
#
# bash bench/runtimeBuildVariants.sh [/tmp/nlc] [/tmp/rtvariants]
set -euo pipefail
SRC=${1:-/tmp/nlc}
OUT=${2:-/tmp/rtvariants}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PKG=$SRC/node_modules/node-llama-cpp
B=$PKG/llama/localBuilds/linux-x64
O=$B/llama.cpp/ggml/src/CMakeFiles/ggml-cpu.dir
P=$(readlink -f "$ROOT/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64")
ZEN4="-msse4.2 -mavx -mf16c -mfma -mavx2 -mbmi2 -mavx512f -mavx512cd -mavx512vl -mavx512dq -mavx512bw -mavx512vbmi -mavx512vnni -mavx512bf16 -D__AVX512BF16__ -DGGML_AVX512_BF16"
OMP_FILES="ggml-cpu/ggml-cpu.c ggml-cpu/ggml-cpu.cpp ggml-cpu/amx/amx.cpp ggml-cpu/amx/mmq.cpp"

compile_cmd() {
  python3 -c "
import json, sys
for e in json.load(open('$B/compile_commands.json')):
    if e['file'].endswith('/' + sys.argv[1]): print(e['command'])
" "$1"
}

# $1 variant name, $2 "omp" or "", $3 files with zen4 flags, $4 files compiled by g++-11
variant() {
  local dir=$OUT/$1/obj objs=""
  mkdir -p "$dir"
  for o in $(ls $O/ggml-cpu/*.o $O/ggml-cpu/*/*.o $O/ggml-cpu/arch/x86/*.o); do
    local rel=${o#$O/} src name c
    src=${rel%.o}
    name=$(echo "$rel" | tr / _)
    local redo=0
    [[ " $OMP_FILES $3 $4 " == *" $src "* ]] && redo=1
    if [ $redo = 0 ]; then objs="$objs $o"; continue; fi
    c=$(compile_cmd "$src" | sed -e "s| -o [^ ]*\.o | -o $dir/$name |")
    [ "$2" = omp ] || c=$(echo "$c" | sed -e 's| -fopenmp||' -e 's| -DGGML_USE_OPENMP||')
    [ "$src" = ggml-cpu/ggml-cpu.cpp ] && c="$c -DGGML_BACKEND_DL"
    [[ " $3 $4 " == *" $src "* ]] && c=$(echo "$c" | sed "s| -march=native| $ZEN4|")
    [[ " $4 " == *" $src "* ]] && c=$(echo "$c" | sed 's|^/usr/bin/c++|g++-11|')
    echo "[$1] compile $src"
    nice -n 10 bash -c "$c" 2>/dev/null
    objs="$objs $dir/$name"
  done
  local omp=-lpthread
  [ "$2" = omp ] && omp="-fopenmp -lpthread"
  local dest=$OUT/$1/node_modules
  mkdir -p "$dest"
  for e in "$ROOT"/node_modules/* "$ROOT"/node_modules/.bin; do
    local n
    n=$(basename "$e")
    [ "$n" = node-llama-cpp ] || ln -sfn "$(readlink -f "$e")" "$dest/$n"
  done
  rm -rf "$dest/node-llama-cpp"
  cp -a "$(readlink -f "$ROOT/node_modules/node-llama-cpp")" "$dest/node-llama-cpp"
  local bins=$dest/node-llama-cpp/bins/linux-x64
  mkdir -p "$bins"
  for f in "$P"/*; do case $(basename "$f") in libggml-cpu-*) ;; *) cp -a "$f" "$bins/" ;; esac; done
  # No ggml_backend_score in a single-variant library: ggml then loads libggml-cpu.so by name.
  nice -n 10 c++ -fPIC -O3 -DNDEBUG -shared -Wl,-soname,libggml-cpu.so -o "$bins/libggml-cpu.so" $objs -Wl,-rpath,'$ORIGIN' -L"$P" -l:libggml-base.so $omp
  echo "[$1] $bins/libggml-cpu.so"
}

variant native-omp omp "" ""
variant native "" "" ""
variant zen4 "" "ggml-cpu/llamafile/sgemm.cpp ggml-cpu/vec.cpp ggml-cpu/ops.cpp" ""
if command -v g++-11 >/dev/null; then
  variant gcc11 "" "ggml-cpu/vec.cpp ggml-cpu/ops.cpp" "ggml-cpu/llamafile/sgemm.cpp"
fi
