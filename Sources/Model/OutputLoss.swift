/// What the output layer's training minimises. Cross-entropy on the softmax is the default and the
/// figure every report shows; squared error on the softmax's outputs is what older texts trained
/// with, kept so that a lesson can show why it was given up.
public enum OutputLoss: String, CaseIterable, Sendable, Codable {
    /// −log p_label: its gradient with respect to the logits is p − y, large when an output is wrong.
    case crossEntropy = "cross-entropy"
    /// ½ Σ_c (p_c − y_c)² on the softmax's outputs p and the one-hot label y.
    case mse

    /// Replaces one example's cross-entropy gradient `gradient` (= (p − y) · scale, as
    /// `SoftmaxCrossEntropy.evaluate` leaves it) with squared error's: ∂L/∂z_j = p_j (g_j − Σ_c p_c g_c)
    /// with g = p − y, the error passed back through the softmax's Jacobian. Where an output is
    /// confidently wrong (p_label ≈ 0 and one wrong p_c ≈ 1) every factor p_j (g_j − ⟨p, g⟩) is near
    /// zero: the gradient fades exactly where learning is most needed.
    static func squaredErrorGradient<T: NetworkScalar>(
        _ gradient: UnsafeMutablePointer<T>, label: Int, classes: Int, scale: T
    ) {
        // p = g/scale + y, recovered from the cross-entropy gradient without a second softmax.
        var mean: T = 0
        for c in 0..<classes {
            let g = gradient[c] / scale
            let p = g + (c == label ? 1 : 0)
            mean += p * g
        }
        for c in 0..<classes {
            let g = gradient[c] / scale
            let p = g + (c == label ? 1 : 0)
            gradient[c] = scale * p * (g - mean)
        }
    }

}
