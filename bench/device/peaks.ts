// Dense peak TFLOP/s of the GPUs the device benchmarks meet, for "% of peak": FP32 on the CUDA
// cores, and BF16 on the tensor cores (FP32 accumulate; FP16 runs at the same rate on all of
// these). Matched against the device name (cudaDeviceProp.name, as torch.cuda.get_device_name()
// gives it); the most specific pattern first. NVIDIA's datasheets quote tensor-core rates with
// 2:4 structured sparsity: the dense rate is half of that.
interface Peak {
  fp32: number;
  bf16: number;
}

const PEAKS: [RegExp, Peak][] = [
  // H100 datasheet (nvidia.com/en-us/data-center/h100): FP32 67 / 51 / 60 TFLOPS and BF16 tensor
  // 1,979 / 1,513 / 1,671 TFLOPS with sparsity for H100 SXM / PCIe / NVL.
  [/\bH100\b.*PCIe/i, { fp32: 51, bf16: 756.5 }],
  [/\bH100 NVL\b/i, { fp32: 60, bf16: 835.5 }],
  [/\bH100\b/i, { fp32: 67, bf16: 989.5 }],
  // H200 datasheet (nvidia.com/en-us/data-center/h200): FP32 67 / 60 TFLOPS and BF16 tensor
  // 1,979 / 1,671 TFLOPS with sparsity for H200 SXM / NVL. (GH200 is another product: unknown.)
  [/\bH200 NVL\b/i, { fp32: 60, bf16: 835.5 }],
  [/\bH200\b/i, { fp32: 67, bf16: 989.5 }],
  // A100 datasheet (nvidia.com/en-us/data-center/a100): FP32 19.5 TFLOPS, BF16 tensor 312 TFLOPS
  // dense (624 with sparsity), SXM and PCIe alike.
  [/\bA100\b/i, { fp32: 19.5, bf16: 312 }],
  // L40S datasheet (nvidia.com/en-us/data-center/l40s): FP32 91.6 TFLOPS, BF16 tensor 362.05
  // TFLOPS dense (733 with sparsity).
  [/\bL40S\b/i, { fp32: 91.6, bf16: 362.05 }],
  // RTX 4090: NVIDIA Ada Lovelace GPU architecture whitepaper, appendix A: FP32 82.6 TFLOPS, BF16
  // tensor with FP32 accumulate 165.2 TFLOPS dense (330.4 with sparsity). Not the 4090 D.
  [/\bRTX 4090$/i, { fp32: 82.6, bf16: 165.2 }],
];

/** The dense peak of `device` in TFLOP/s, or null when the device is not in the table. */
export function peakTflops(device: string | null, kind: keyof Peak): number | null {
  const found = device === null ? undefined : PEAKS.find(([pattern]) => pattern.test(device.trim()));
  return found ? found[1][kind] : null;
}
