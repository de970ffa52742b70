#!/usr/bin/env bash
# The CPU kernels on arm64, executed and not only compiled: cross-compiles native/cpu and its
# plain C++ test (native/test/kernels_test.cc) with Debian's g++-aarch64-linux-gnu and runs it
# under qemu-aarch64 (qemu-user), after running the same test natively on this x86-64 machine
# (every SIMD path it has). Build trees: build/kernels-test-{native,aarch64}.
# usage: scripts/aarch64-check.sh   (needs cmake, g++, g++-aarch64-linux-gnu, qemu-user)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
for tool in cmake aarch64-linux-gnu-g++ qemu-aarch64; do
  command -v "$tool" >/dev/null || { echo "$0: $tool not found (apt-get install cmake g++-aarch64-linux-gnu qemu-user)" >&2; exit 1; }
done

echo "# native ($(uname -m))"
cmake -S . -B build/kernels-test-native -DCMAKE_BUILD_TYPE=Release -DSEQCORE_KERNEL_TEST=ON >/dev/null
cmake --build build/kernels-test-native --target seqcore_kernels_test -j "$jobs" >/dev/null
build/kernels-test-native/seqcore_kernels_test

echo "# aarch64, under qemu-aarch64"
cmake -S . -B build/kernels-test-aarch64 -DCMAKE_BUILD_TYPE=Release -DSEQCORE_KERNEL_TEST=ON \
  -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64 -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ >/dev/null
cmake --build build/kernels-test-aarch64 --target seqcore_kernels_test -j "$jobs" >/dev/null
file build/kernels-test-aarch64/seqcore_kernels_test 2>/dev/null | sed 's/^/# /' || true
qemu-aarch64 -L /usr/aarch64-linux-gnu build/kernels-test-aarch64/seqcore_kernels_test
