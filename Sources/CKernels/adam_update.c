#include "kernels.h"

// The same roundings on every CPU: no multiply-add fused into one where the CPU has FMA.
#pragma clang fp contract(off)

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__x86_64__) && defined(__linux__) && !__has_feature(thread_sanitizer) && \
    !__has_feature(address_sanitizer) && !__has_feature(memory_sanitizer)
// Wider lanes where the CPU has them, chosen once when the program loads (an ifunc). Not under the
// sanitizers: the resolver runs before their runtime is set up, and the instrumented one crashed
// the ThreadSanitizer test binary at start.
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void dt_adam_update(float *restrict w, float *restrict m, float *restrict s, const float *restrict g, long n,
                    float beta1, float beta2, float step_size, float root_correction, float epsilon, float keep) {
    const float keep1 = 1 - beta1, keep2 = 1 - beta2;
    for (long i = 0; i < n; i++) {
        const float gi = g[i];
        const float mi = beta1 * m[i] + keep1 * gi;
        const float si = beta2 * s[i] + keep2 * gi * gi;
        m[i] = mi;
        s[i] = si;
        // __builtin_elementwise_sqrt: IEEE's square root with no errno to set, so the loop vectorises.
        w[i] = w[i] * keep - step_size * mi / (__builtin_elementwise_sqrt(si) * root_correction + epsilon);
    }
}
