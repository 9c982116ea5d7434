// oneDNN's C API (Debian: libdnnl-dev): dnnl_sgemm, whose kernels are generated at run time for the
// instruction sets the CPU reports, and the version and ISA queries.
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

// From libgomp, oneDNN's OpenMP runtime: the team size is per calling thread.
void omp_set_num_threads(int);
