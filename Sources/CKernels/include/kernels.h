#ifndef DIGIT_TRAINER_KERNELS_H
#define DIGIT_TRAINER_KERNELS_H

/// Adam's update of n parameters (AdamW's decoupled decay as `keep` = 1 − lr·λ):
///   m ← β₁m + (1 − β₁)g;  s ← β₂s + (1 − β₂)g²;  w ← w·keep − step_size · m / (√s · root_correction + ε),
/// step_size = lr / (1 − β₁ᵗ), root_correction = 1 / √(1 − β₂ᵗ). In C because Swift's square root
/// on Linux keeps errno's semantics, a branch per element that keeps the loop scalar.
void dt_adam_update(float *w, float *m, float *s, const float *g, long n, float beta1, float beta2,
                    float step_size, float root_correction, float epsilon, float keep);

#endif
