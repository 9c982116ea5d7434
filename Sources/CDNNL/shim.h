// oneDNN's C API (Debian: libdnnl-dev): dnnl_sgemm and the matmul primitive, whose kernels are
// generated at run time for the instruction sets the CPU reports, and the version and ISA queries.
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

// From libgomp, oneDNN's OpenMP runtime: the team size is per calling thread.
void omp_set_num_threads(int);

// DNNL_RUNTIME_F32_VAL is a macro over a union Swift cannot import: "this scale is given at
// execution time", so one primitive serves every learning rate.
static inline float dnnl_runtime_f32_value(void) { return DNNL_RUNTIME_F32_VAL; }
