import RealModule

/// Softmax fused with cross-entropy, computed through log-sum-exp so that logits of any size give
/// finite losses; the gradient is softmax − one-hot.
public enum SoftmaxCrossEntropy {
    /// Summed loss and number of correct arg-max predictions over `rows` examples of `classes` logits.
    /// When `gradient` is given it receives (softmax − onehot) · `gradientScale` (1/batch for a mean loss).
    public static func evaluate<T: NetworkScalar>(
        logits: UnsafePointer<T>, labels: UnsafePointer<Int32>, rows: Int, classes: Int,
        gradient: UnsafeMutablePointer<T>? = nil, gradientScale: T = 1
    ) -> (loss: Double, correct: Int) {
        // Each row's e^(z − max) is computed once, where that row's gradient goes (or in scratch space).
        let scratch = gradient == nil ? UnsafeMutablePointer<T>.allocate(capacity: classes) : nil
        defer { scratch?.deallocate() }
        var loss = 0.0
        var correct = 0
        for r in 0..<rows {
            let z = logits + r * classes
            let label = Int(labels[r])
            var best = 0
            for c in 1..<classes where z[c] > z[best] { best = c }
            if best == label { correct += 1 }
            let maxLogit = z[best]
            let e = scratch ?? gradient! + r * classes
            var sum: T = 0
            for c in 0..<classes {
                e[c] = T.fastExp(z[c] - maxLogit)
                sum += e[c]
            }
            // (max − z_label) + log Σ e^(z − max): no large terms cancel.
            loss += Double(maxLogit - z[label]) + Double(T.log(sum))
            if gradient != nil {
                let scale = gradientScale / sum
                for c in 0..<classes { e[c] *= scale }
                e[label] -= gradientScale
            }
        }
        return (loss, correct)
    }

    /// Softmax probabilities of one row of logits.
    public static func probabilities<T: NetworkScalar>(_ logits: UnsafePointer<T>, classes: Int) -> [T] {
        var maxLogit = logits[0]
        for c in 1..<classes { maxLogit = max(maxLogit, logits[c]) }
        let e = (0..<classes).map { T.exp(logits[$0] - maxLogit) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}
