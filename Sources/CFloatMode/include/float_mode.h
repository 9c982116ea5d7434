#ifndef DIGIT_TRAINER_FLOAT_MODE_H
#define DIGIT_TRAINER_FLOAT_MODE_H

#include <stdbool.h>

/// Makes this thread's floating-point unit flush subnormal results to zero and read subnormal
/// inputs as zero (x86-64: MXCSR's FTZ and DAZ bits; arm64: FPCR.FZ). Nothing elsewhere.
void dt_flush_subnormals(void);

/// Undoes `dt_flush_subnormals` for this thread (the tests' contrast).
void dt_keep_subnormals(void);

/// a × b, computed here at run time in this thread's mode (the tests' probe: a compiler may take
/// floating-point arithmetic to be free of the mode and fold or move it).
float dt_multiply(float a, float b);

/// Whether this thread flushes subnormals (false where `dt_flush_subnormals` can do nothing).
bool dt_flushes_subnormals(void);

#endif
