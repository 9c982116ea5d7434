/// Reading an image as the mean of the model's probabilities over it and copies of it moved by one
/// whole pixel (zeros coming in): the cheapest test-time augmentation, and one the recipe's model,
/// trained on moved digits, is steady under. On the mnist-best models it raised test accuracy by
/// 0.01–0.11 points (5 views) for 5× the reading time, which is milliseconds.
public struct TestTimeAugmentation: Sendable, Equatable {
    /// Whole-pixel moves, the unmoved image first.
    public let shifts: [Shift]

    public struct Shift: Sendable, Equatable {
        public let x: Int, y: Int
    }

    /// The numbers of views offered: the image alone, with its four neighbours, or all eight.
    public static let viewCounts = [1, 5, 9]

    /// `views` of 1 (the image alone), 5 (and moved left, right, up, down) or 9 (and diagonally).
    public init?(views: Int) {
        let all = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)]
        guard Self.viewCounts.contains(views) else { return nil }
        shifts = all.prefix(views).map { Shift(x: $0.0, y: $0.1) }
    }

    /// The image alone.
    public static let single = TestTimeAugmentation(views: 1)!

    public var views: Int { shifts.count }

    /// `rows` images of `height × width` in `source` moved by `shift` into `destination`.
    static func move(
        _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, images: Int,
        height: Int, width: Int, by shift: Shift
    ) {
        let size = height * width
        destination.update(repeating: 0, count: images * size)
        let columns = max(0, shift.x)..<min(width, width + shift.x)
        guard !columns.isEmpty else { return }
        for i in 0..<images {
            for y in max(0, shift.y)..<min(height, height + shift.y) {
                let from = source + i * size + (y - shift.y) * width - shift.x, to = destination + i * size + y * width
                for x in columns { to[x] = from[x] }
            }
        }
    }

    /// The mean over the views of the class probabilities of `rows` images of `height × width` in
    /// `pixels` (row after row), through `model`; `scratch` holds one moved copy.
    func probabilities(
        model: MLP<Float>, pixels: UnsafePointer<Float>, rows: Int, height: Int, width: Int,
        workspace: Workspace<Float>, team: WorkerTeam?, scratch: UnsafeMutablePointer<Float>,
        firstView: () -> Void = {}
    ) -> [Double] {
        let classes = model.architecture.outputs
        var sum = [Double](repeating: 0, count: rows * classes)
        for (v, shift) in shifts.enumerated() {
            if shift == Shift(x: 0, y: 0) {
                model.forward(pixels, rows: rows, workspace: workspace, team: team)
            } else {
                Self.move(pixels, into: scratch, images: rows, height: height, width: width, by: shift)
                model.forward(scratch, rows: rows, workspace: workspace, team: team)
            }
            if v == 0 { firstView() }
            for r in 0..<rows {
                let p = SoftmaxCrossEntropy.probabilities(workspace.logits + r * classes, classes: classes)
                for c in 0..<classes { sum[r * classes + c] += Double(p[c]) }
            }
        }
        return sum.map { $0 / Double(views) }
    }
}
