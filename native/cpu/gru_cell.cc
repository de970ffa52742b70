#include "cpu/gru_cell.h"

#include "cpu/cpu_features.h"

namespace seqcore {

GruCellKernels gru_cell_kernels() {
  switch (active_isa()) {
    case Isa::Avx512:
      return gru_cell_avx512();
    case Isa::Avx2:
      return gru_cell_avx2();
    default:
      return gru_cell_scalar();
  }
}

}  // namespace seqcore
