#define GRU_CELL_NAME gru_cell_scalar
#include "cpu/gru_cell.inc"
