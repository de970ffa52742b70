// cuBLASLt, loaded at run time with dlopen: seqcore needs no cuBLAS headers or import library
// to build, and a machine without cuBLASLt still loads the addon (sgemm then throws, naming
// every place looked; cublas_info() says the same to `seqcore doctor`).
//
// The declarations below are the few C entry points, enum values and struct layouts of
// cuBLASLt that seqcore uses, copied by value from NVIDIA's headers of CUDA 12.6.3
// (cublasLt.h and cublas_api.h of cuBLAS 12.6.4.1, CUBLAS_VER_MAJOR 12 / MINOR 6 / PATCH 4 /
// BUILD 1), and cross-checked against the forward declarations Triton keeps of the same
// header (third_party/nvidia/include/cublas_types.h). cuBLAS keeps these values stable across
// releases (the ABI of libcublasLt.so.12 and .so.13 depends on them). cudaDataType_t
// (CUDA_R_32F = 0) and cudaStream_t come from the CUDA runtime headers (library_types.h,
// driver_types.h), which the toolkit ships.
#pragma once
#include <cuda_runtime.h>
#include <library_types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace seqcore {
namespace cuda {
namespace lt {

// cublasStatus_t (cublas_api.h). A C enum: int-sized in the ABI, so `int` here.
using Status = int;
enum : int {
  CUBLAS_STATUS_SUCCESS = 0,
  CUBLAS_STATUS_NOT_INITIALIZED = 1,
  CUBLAS_STATUS_ALLOC_FAILED = 3,
  CUBLAS_STATUS_INVALID_VALUE = 7,
  CUBLAS_STATUS_ARCH_MISMATCH = 8,
  CUBLAS_STATUS_MAPPING_ERROR = 11,
  CUBLAS_STATUS_EXECUTION_FAILED = 13,
  CUBLAS_STATUS_INTERNAL_ERROR = 14,
  CUBLAS_STATUS_NOT_SUPPORTED = 15,
  CUBLAS_STATUS_LICENSE_ERROR = 16,
};

// cublasOperation_t (cublas_api.h); int32_t as a CUBLASLT_MATMUL_DESC_TRANSA/B attribute.
enum : int32_t { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 };

// cublasComputeType_t (cublas_api.h).
using ComputeType = int;
enum : int {
  CUBLAS_COMPUTE_32F = 68,  // float, default: no down-conversion of the inputs
  CUBLAS_COMPUTE_32F_PEDANTIC = 69,
  CUBLAS_COMPUTE_32F_FAST_16BF = 75,  // float, allows down-converting the inputs to bfloat16 or TF32
  CUBLAS_COMPUTE_32F_FAST_TF32 = 77,  // float, allows down-converting the inputs to TF32
};

// cublasLtMatmulDescAttributes_t (cublasLt.h).
using MatmulDescAttribute = int;
enum : int {
  CUBLASLT_MATMUL_DESC_COMPUTE_TYPE = 0,
  CUBLASLT_MATMUL_DESC_SCALE_TYPE = 1,
  CUBLASLT_MATMUL_DESC_POINTER_MODE = 2,
  CUBLASLT_MATMUL_DESC_TRANSA = 3,  // int32_t (cublasOperation_t)
  CUBLASLT_MATMUL_DESC_TRANSB = 4,  // int32_t (cublasOperation_t)
};

// cublasLtMatmulPreferenceAttributes_t (cublasLt.h).
using MatmulPreferenceAttribute = int;
enum : int {
  CUBLASLT_MATMUL_PREF_SEARCH_MODE = 0,
  CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1,    // uint64_t, default 0
  CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES = 5,  // uint32_t, default 256
  CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES = 6,  // uint32_t, default 256
  CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES = 7,  // uint32_t, default 256
  CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES = 8,  // uint32_t, default 256
};

// Opaque handles. cublasLtHandle_t is `struct cublasLtContext*`; the descriptors point to
// semi-opaque structs the library allocates (we only hold the pointers).
struct Context;
using Handle = Context*;
struct MatmulDescOpaque;
using MatmulDesc = MatmulDescOpaque*;
struct MatrixLayoutOpaque;
using MatrixLayout = MatrixLayoutOpaque*;
struct MatmulPreferenceOpaque;
using MatmulPreference = MatmulPreferenceOpaque*;

// cublasLtMatmulAlgo_t: typedef struct { uint64_t data[8]; }.
struct MatmulAlgo {
  uint64_t data[8];
};

// cublasLtMatmulHeuristicResult_t, field for field.
struct MatmulHeuristicResult {
  MatmulAlgo algo;
  size_t workspaceSize;
  Status state;  // cublasStatus_t
  float wavesCount;
  int reserved[4];
};
static_assert(sizeof(MatmulAlgo) == 64, "cublasLtMatmulAlgo_t is 64 bytes");
static_assert(offsetof(MatmulHeuristicResult, workspaceSize) == 64, "cublasLtMatmulHeuristicResult_t layout");
static_assert(offsetof(MatmulHeuristicResult, state) == 72, "cublasLtMatmulHeuristicResult_t layout");
static_assert(offsetof(MatmulHeuristicResult, wavesCount) == 76, "cublasLtMatmulHeuristicResult_t layout");
static_assert(sizeof(MatmulHeuristicResult) == 96, "cublasLtMatmulHeuristicResult_t is 96 bytes");

// The entry points (C linkage in the library; plain function pointers here).
struct Api {
  Status (*Create)(Handle* handle);
  Status (*Destroy)(Handle handle);
  size_t (*GetVersion)(void);
  Status (*MatmulDescCreate)(MatmulDesc* desc, ComputeType compute, cudaDataType_t scale);
  Status (*MatmulDescDestroy)(MatmulDesc desc);
  Status (*MatmulDescSetAttribute)(MatmulDesc desc, MatmulDescAttribute attr, const void* buf, size_t bytes);
  Status (*MatrixLayoutCreate)(MatrixLayout* layout, cudaDataType_t type, uint64_t rows, uint64_t cols, int64_t ld);
  Status (*MatrixLayoutDestroy)(MatrixLayout layout);
  Status (*MatmulPreferenceCreate)(MatmulPreference* pref);
  Status (*MatmulPreferenceDestroy)(MatmulPreference pref);
  Status (*MatmulPreferenceSetAttribute)(MatmulPreference pref, MatmulPreferenceAttribute attr, const void* buf,
                                         size_t bytes);
  Status (*MatmulAlgoGetHeuristic)(Handle handle, MatmulDesc desc, MatrixLayout a, MatrixLayout b, MatrixLayout c,
                                   MatrixLayout d, MatmulPreference pref, int requested,
                                   MatmulHeuristicResult results[], int* returned);
  Status (*Matmul)(Handle handle, MatmulDesc desc, const void* alpha, const void* A, MatrixLayout a, const void* B,
                   MatrixLayout b, const void* beta, const void* C, MatrixLayout c, void* D, MatrixLayout d,
                   const MatmulAlgo* algo, void* workspace, size_t workspace_bytes, cudaStream_t stream);
};

// "CUBLAS_STATUS_NOT_SUPPORTED (15)" and the like.
std::string status_name(Status s);

}  // namespace lt

// Where cuBLASLt was loaded from, or why not.
//   path:     the file loaded (or the soname, when the loader's own search found it); empty if none
//   version:  cublasLtGetVersion(), 10000·major + 100·minor + patch; 0 if none
//   searched: every path tried, in order (a bare soname stands for the loader's own search)
//   error:    empty when loaded; else what was wrong, naming the library and every place looked
struct CublasInfo {
  std::string path;
  long version = 0;
  std::vector<std::string> searched;
  std::string error;
};

// Loads cuBLASLt once (thread-safe) and says from where. Never throws.
// Search order, each place trying libcublasLt.so.13, then .so.12, then .so:
//   $SEQCORE_CUBLAS_PATH (a file, loaded as is, or a folder), $CUDA_PATH/lib64,
//   /usr/local/cuda/lib64, the lib folders of the nvidia-cublas Python wheels
//   ({site,dist}-packages/nvidia/{cublas,cu13,cu12}/lib under /usr/lib/python3*,
//   /usr/local/lib/python3*, ~/.local/lib/python3*, $VIRTUAL_ENV/lib/python3*,
//   $CONDA_PREFIX/lib/python3*), then the loader's own path (LD_LIBRARY_PATH, the ld.so cache).
const CublasInfo& cublas_info();

// The loaded entry points; throws std::runtime_error "cuda: cuBLASLt: <cublas_info().error>"
// when cuBLASLt could not be loaded.
const lt::Api& cublaslt();

// gemm.cu: creates the cuBLASLt handle and the GEMM workspace now rather than at the first
// sgemm (so that init() reports a missing or unusable cuBLASLt); throws naming what failed.
void gemm_init();

}  // namespace cuda
}  // namespace seqcore
