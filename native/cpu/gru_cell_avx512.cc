#define GRU_CELL_NAME gru_cell_avx512
#include "cpu/gru_cell.inc"
