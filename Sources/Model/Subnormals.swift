import CFloatMode

/// Subnormal floats (below 1.18e-38 in magnitude) flushed to zero in every thread that computes.
///
/// Why: weights whose gradient is always zero (the border pixels' weights, a dead ReLU unit's)
/// keep a velocity that decays by the momentum each step, straight through the subnormal range,
/// and the weight-gradient GEMM reads them every step. Intel cores take a microcode assist for
/// each subnormal operand: on an Emerald Rapids the default run's later epochs were 1.3–1.7×
/// slower than its first, and ReLU measured slowest in the ablation for that reason alone.
/// Flushing changes only numbers that would have been subnormal, which are below anything a
/// training step can resolve beside a weight of 1e-3; TensorFlow and XLA flush in their CPU
/// threads by default, PyTorch offers `torch.set_flush_denormal`.
public enum Subnormals {
    /// Sets flush-to-zero and denormals-are-zero for the calling thread (a no-op where the CPU
    /// has no such mode). Called where every thread that computes starts: the worker team's
    /// threads, the caller of each team run, the inspector.
    @inline(__always)
    public static func flushInThisThread() { dt_flush_subnormals() }

    /// Lets the calling thread compute subnormals again: only for the tests' contrast.
    static func keepInThisThread() { dt_keep_subnormals() }

    /// a × b computed at run time in the calling thread's mode: only for the tests' probe.
    static func product(_ a: Float, _ b: Float) -> Float { dt_multiply(a, b) }

    /// Whether the calling thread flushes subnormals.
    public static var flushedInThisThread: Bool { dt_flushes_subnormals() }
}
