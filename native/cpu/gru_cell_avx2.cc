#define GRU_CELL_NAME gru_cell_avx2
#include "cpu/gru_cell.inc"
