import ArgumentParser
import Dataset
import Foundation
import Model

/// `trainer augment-preview`: a PNG of training digits and their distorted versions, to see what
/// `--augment` trains on before spending minutes on it.
struct AugmentPreview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment-preview",
        abstract: "Write a PNG grid of training images as --augment distorts them, epoch after epoch.",
        discussion:
            "Each row is one training image (one of each class): first as it is, then as epochs 1, 2, 3, … show it to the network."
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "The distortions to show, as for train --augment.", transform: Augmentation.init(parsing:))
    var augment = Augmentation(affine: 1, elastic: 1, thickness: 1)

    @Option(help: "The training seed the distortions are drawn for.")
    var seed: UInt64 = 1

    @Option(help: "Distorted versions per image (epochs shown).")
    var variants = 8

    @Option(help: "Screen pixels per image pixel.")
    var scale = 4

    @Option(name: .shortAndLong, help: "The PNG to write.")
    var output = "augment-preview.png"

    func validate() throws {
        guard (1...64).contains(variants) else { throw ValidationError("--variants must be between 1 and 64") }
        guard (1...16).contains(scale) else { throw ValidationError("--scale must be between 1 and 16") }
    }

    func run() throws {
        let data = try dataOptions.load()
        let indices = AugmentationPreview.oneOfEachClass(data.train)
        let sheet = AugmentationPreview.sheet(
            data.train, indices: indices, augmentation: augment, seed: seed,
            variants: variants, scale: scale)
        try PNG.write(sheet, to: output)
        print(
            "wrote \(output): \(indices.count) \(data.kind.rawValue) training images, each as it is and in \(variants) epochs of --augment \(augment.spec) (seed \(seed))"
        )
    }
}
