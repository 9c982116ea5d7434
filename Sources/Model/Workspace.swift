/// Buffers for one forward/backward pass of up to `capacity` examples, allocated once per run so
/// that a training step allocates nothing.
public final class Workspace<T: NetworkScalar> {
    public let capacity: Int
    /// Per layer: pre-activations, activations, and ∂L/∂pre-activations (`rows × width`).
    let pre: [UnsafeMutablePointer<T>]
    let post: [UnsafeMutablePointer<T>]
    let delta: [UnsafeMutablePointer<T>]
    /// With dropout, per hidden layer: the outputs after dropping (what the next layer reads) and
    /// the mask that made them (0, or 1/(1 − rate) for a kept unit); nil without.
    let dropped: [UnsafeMutablePointer<T>]?
    let dropMask: [UnsafeMutablePointer<T>]?
    private let widths: [Int]
    /// ∂L/∂parameters after `backward`, laid out like `MLP.parameters`.
    public let gradients: UnsafeMutableBufferPointer<T>
    /// Each example's loss and whether it was classified correctly, as the step's members compute them.
    let exampleLosses: UnsafeMutableBufferPointer<Double>
    let exampleCorrect: UnsafeMutableBufferPointer<Bool>

    /// Room for `capacity` examples; `dropout`: also for the dropped outputs and their masks.
    public init(architecture: Architecture, capacity: Int, dropout: Bool = false) {
        self.capacity = capacity
        widths = Array(architecture.widths.dropFirst())
        // Aligned to 64-byte cache lines: the team's shares of a row start on whole 16-float groups,
        // so with aligned rows no two threads ever write into the same line.
        func make(_ n: Int) -> UnsafeMutablePointer<T> {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<T>.stride, alignment: 64)
            return raw.initializeMemory(as: T.self, repeating: 0, count: n)
        }
        pre = widths.map { make($0 * capacity) }
        post = widths.map { make($0 * capacity) }
        delta = widths.map { make($0 * capacity) }
        dropped = dropout ? widths.dropLast().map { make($0 * capacity) } : nil
        dropMask = dropout ? widths.dropLast().map { make($0 * capacity) } : nil
        let parameterCount = MLP<T>.parameterCount(of: architecture)
        gradients = UnsafeMutableBufferPointer(start: make(parameterCount), count: parameterCount)
        exampleLosses = .allocate(capacity: capacity)
        exampleLosses.initialize(repeating: 0)
        exampleCorrect = .allocate(capacity: capacity)
        exampleCorrect.initialize(repeating: false)
    }

    deinit {
        for buffers in [pre, post, delta, dropped ?? [], dropMask ?? []] {
            for b in buffers { UnsafeMutableRawPointer(b).deallocate() }
        }
        UnsafeMutableRawPointer(gradients.baseAddress!).deallocate()
        exampleLosses.deallocate()
        exampleCorrect.deallocate()
    }

    /// The output layer's pre-activations after `forward`: `rows × classes`.
    public var logits: UnsafeMutablePointer<T> { pre[pre.count - 1] }
    /// Where the caller puts ∂L/∂logits before `backward`.
    public var logitGradient: UnsafeMutablePointer<T> { delta[delta.count - 1] }
    /// Activations of hidden layer `layer` after `forward` (`rows × width`).
    public func activations(layer: Int) -> UnsafePointer<T> { UnsafePointer(post[layer]) }
    public func preActivations(layer: Int) -> UnsafePointer<T> { UnsafePointer(pre[layer]) }
    /// Hidden layer `layer`'s outputs after dropout, when the forward pass had dropout.
    public func droppedActivations(layer: Int) -> UnsafePointer<T>? { dropped.map { UnsafePointer($0[layer]) } }
}
