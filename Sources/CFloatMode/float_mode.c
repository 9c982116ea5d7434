// The one place that touches the floating-point control register: Swift has no intrinsic for it.
#include "float_mode.h"

float dt_multiply(float a, float b) {
    volatile float x = a;
    return x * b;
}

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
// MXCSR bit 15 (FTZ: flush-to-zero) and bit 6 (DAZ: denormals-are-zero).
static const unsigned int flushBits = 0x8040;

void dt_flush_subnormals(void) { _mm_setcsr(_mm_getcsr() | flushBits); }

void dt_keep_subnormals(void) { _mm_setcsr(_mm_getcsr() & ~flushBits); }

bool dt_flushes_subnormals(void) { return (_mm_getcsr() & flushBits) == flushBits; }

#elif defined(__aarch64__)
#include <stdint.h>
// FPCR bit 24 (FZ): subnormal inputs and results become zero.
static const uint64_t flushBit = (uint64_t)1 << 24;

static uint64_t fpcr(void) {
    uint64_t value;
    __asm__ volatile("mrs %0, fpcr" : "=r"(value));
    return value;
}

void dt_flush_subnormals(void) {
    uint64_t value = fpcr() | flushBit;
    __asm__ volatile("msr fpcr, %0" : : "r"(value));
}

void dt_keep_subnormals(void) {
    uint64_t value = fpcr() & ~flushBit;
    __asm__ volatile("msr fpcr, %0" : : "r"(value));
}

bool dt_flushes_subnormals(void) { return (fpcr() & flushBit) != 0; }

#else
void dt_flush_subnormals(void) {}

void dt_keep_subnormals(void) {}

bool dt_flushes_subnormals(void) { return false; }
#endif
