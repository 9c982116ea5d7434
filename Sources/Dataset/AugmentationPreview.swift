/// A contact sheet of what training with an augmentation shows the network: each row one training
/// image, first as it is, then as it is distorted in epochs 1, 2, 3, … (white ink on black, as the
/// network sees it), enlarged so that single pixels can be seen.
public enum AugmentationPreview {
    /// The sheet for images `indices` of `data`, `variants` epochs each, every pixel `scale`×`scale`.
    public static func sheet(
        _ data: DigitDataset, indices: [Int], augmentation: Augmentation, seed: UInt64,
        variants: Int, scale: Int
    ) -> GrayImage {
        precondition(!indices.isEmpty && variants >= 1 && scale >= 1)
        let (rows, cols) = (data.rows, data.cols)
        let gap = 2 * scale
        let (cellWidth, cellHeight) = (cols * scale, rows * scale)
        let width = gap + (variants + 1) * (cellWidth + gap)
        let height = gap + indices.count * (cellHeight + gap)
        // A mid-grey frame between cells, so that black image borders stay visible; a wider gap after the original.
        var sheet = GrayImage(
            width: width + gap, height: height, pixels: [UInt8](repeating: 110, count: (width + gap) * height))
        let augmenter = Augmenter(augmentation, rows: rows, cols: cols)
        for (row, index) in indices.enumerated() {
            let levels = Array(data.levels[index * rows * cols..<(index + 1) * rows * cols])
            for column in 0...variants {
                let image =
                    column == 0
                    ? levels.map(DigitDataset.value)
                    : augmenter.apply(levels, key: AugmentationKey(seed: seed, epoch: column - 1, index: index))
                let left = gap + column * (cellWidth + gap) + (column > 0 ? gap : 0),
                    top = gap + row * (cellHeight + gap)
                for y in 0..<cellHeight {
                    for x in 0..<cellWidth {
                        let value = image[(y / scale) * cols + x / scale]
                        sheet[left + x, top + y] = UInt8((value * 255).rounded().clamped(0, 255))
                    }
                }
            }
        }
        return sheet
    }

    /// The first image of each class in `data`, in class order: a row per digit.
    public static func oneOfEachClass(_ data: DigitDataset, classes: Int = 10) -> [Int] {
        (0..<classes).compactMap { label in data.labels.firstIndex(of: UInt8(label)) }
    }
}
