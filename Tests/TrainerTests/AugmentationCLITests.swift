import Dataset
import Foundation
import Model
import Testing
import TestSupport
@testable import trainer

/// Recipes and augmentation options parsed in process, and the commands around augmentation run end to end.
@Suite(.serialized) struct AugmentationCLITests {
    @Test func aRecipeStandsForItsOptionsAndTheUsersOwnOverrideIt() throws {
        let expanded = Recipe.expanding(["--recipe", "mnist-best", "--epochs", "3"])
        let own = Recipe.mnistBest.arguments
        let epochs = own.firstIndex(of: "--epochs")!
        #expect(expanded == own[..<epochs] + own[(epochs + 2)...] + ["--recipe", "mnist-best", "--epochs", "3"])
        #expect(
            Recipe.expanding(["train", "--seed", "2", "--recipe=fashion-mnist-best"])
                == ["train"] + Recipe.fashionBest.arguments + ["--seed", "2", "--recipe=fashion-mnist-best"])
        #expect(Recipe.expanding(["--epochs", "3"]) == ["--epochs", "3"])
        #expect(Recipe.expanding(["--recipe", "unknown"]) == ["--recipe", "unknown"])

        let command = try TrainerCommand.parseAsRoot(expanded)
        let train = try #require(command as? Train)
        let config = try train.makeConfig()
        #expect(config.epochs == 3, "the user's --epochs wins over the recipe's")
        let hidden = own[own.firstIndex(of: "--hidden")! + 1]
        #expect(config.hidden == Architecture.hiddenWidths(spec: hidden) && config.validationCount == 0)
        #expect(config.augmentation == Augmentation(spec: "affine,elastic,thickness"))
        #expect(train.recipe == .mnistBest)

        let wider = try #require(
            try TrainerCommand.parseAsRoot(Recipe.expanding(["--recipe", "mnist-best", "--hidden", "2048"])) as? Train)
        #expect(try wider.makeConfig().hidden == [2048], "the user's --hidden replaces the recipe's, not adds to it")

        let fashion = try #require(
            try TrainerCommand.parseAsRoot(Recipe.expanding(["--recipe", "fashion-mnist-best"])) as? Train)
        #expect(fashion.dataOptions.dataset == .fashionMNIST)
        #expect(try fashion.makeConfig().augmentation.flip)

        #expect(throws: (any Error).self) { try TrainerCommand.parseAsRoot(["--recipe", "unknown"]) }
        do {
            _ = try TrainerCommand.parseAsRoot(
                Recipe.expanding(["--recipe", "mnist-best", "--resume", "m.safetensors"]))
            Issue.record("--recipe with --resume was accepted")
        } catch {
            #expect(TrainerCommand.message(for: error).contains("a resumed run keeps the settings it was started with"))
        }
    }

    /// `mnist-best` trains in at most 60% of the products of the recipe it replaced (1024-1024 for
    /// 60 epochs), test views counted in both, and `mnist-best-long` in no more than that one.
    @Test func theBestRecipesCostWhatTheyPromise() throws {
        func cost(_ arguments: [String]) throws -> TrainingCost {
            let train = try #require(try TrainerCommand.parseAsRoot(Recipe.expanding(arguments)) as? Train)
            return TrainingCost(try train.makeConfig(), images: 60_000, testImages: 10_000)
        }
        let first = try cost(["--recipe", "mnist-best", "--hidden", "1024,1024", "--epochs", "60"])
        #expect(
            abs(first.training / 1e12 - 34.43) < 0.01, "the first recipe's training: \(first.training / 1e12) TFLOP")
        let (best, long) = (try cost(["--recipe", "mnist-best"]), try cost(["--recipe", "mnist-best-long"]))
        #expect(best.total <= 0.6 * first.total, "\(best.total / 1e12) TFLOP against \(first.total / 1e12)")
        #expect(long.total <= first.total, "\(long.total / 1e12) TFLOP against \(first.total / 1e12)")
        // What --help says each recipe costs is what the command line would run.
        for recipe in Recipe.allCases {
            #expect(recipe.cost == (try cost(["--recipe", recipe.rawValue])), "\(recipe.rawValue)")
        }
    }

    @Test func augmentOptionsParseOnceAndBadOnesSayWhatIsWrong() throws {
        let train = try #require(try TrainerCommand.parseAsRoot(["--augment", "affine:0.5,shift:3"]) as? Train)
        #expect(try train.makeConfig().augmentation == Augmentation(affine: 0.5, shift: 3))
        #expect(try (TrainerCommand.parseAsRoot([]) as? Train)?.makeConfig().augmentation == Augmentation.none)
        let ablate = try #require(try TrainerCommand.parseAsRoot(["ablate", "--augment", "elastic"]) as? Ablate)
        #expect(try ablate.baseConfig().augmentation == Augmentation(elastic: 1))
        for bad in ["rotate", "affine:9", "shift:0.5"] {
            do {
                _ = try TrainerCommand.parseAsRoot(["--augment", bad])
                Issue.record("--augment \(bad) was accepted")
            } catch {
                let message = TrainerCommand.message(for: error)
                #expect(
                    message.contains("affine, elastic, thickness, flip, shift") && message.contains(bad),
                    "\(bad): \(message)")
            }
        }
    }

    @Test func previewWritesAGridOfDistortedDigits() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/preview.png"
        let result = try trainer(["augment-preview", "--data", folder, "--variants", "5", "--scale", "2", "-o", path])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains(path))
        let sheet = try PNG.read(contentsOf: path)
        // 10 rows (one per class) and 6 columns (the original and 5 epochs) of 56-pixel cells, 4-pixel gaps.
        #expect(sheet.height == 4 + 10 * (56 + 4) && sheet.width == 4 + 6 * (56 + 4) + 4)
        // The first cell is the first 0 of the training set as it is, enlarged twice.
        let data = try TrainAndTest(kind: .mnist, folder: folder)
        let first = data.train.labels.firstIndex(of: 0)!
        for (x, y) in [(10, 10), (14, 14), (20, 7)] {
            #expect(
                sheet[4 + 2 * x, 4 + 2 * y] == data.train.levels[first * 784 + y * 28 + x],
                "pixel (\(x), \(y)) of the first 0")
        }

        let bad = try trainer(["augment-preview", "--data", folder, "--augment", "rotate", "-o", dir + "/never.png"])
        #expect(
            bad.status != 0 && bad.err.contains("rotate") && !FileManager.default.fileExists(atPath: dir + "/never.png")
        )
    }

    @Test func robustnessIsMeasuredThroughPredict() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/m.safetensors"
        let trained = try trainer([
            "--data", folder, "--hidden", "128", "--epochs", "1", "--validation", "0", "--quiet", "-o", model
        ])
        #expect(trained.status == 0, "\(trained.err)")
        let result = try trainer([
            "evaluate", "--data", folder, "--model", model, "--robustness", "--robustness-limit", "300", "--json"
        ])
        #expect(result.status == 0, "\(result.err)")
        let rows = try #require(jsonObjects(result.out).first?["robustness"] as? [[String: Any]])
        #expect(rows.map { $0["variant"] as? String ?? "" } == RobustnessCheck.variants.map(\.name))
        let accuracy = Dictionary(
            uniqueKeysWithValues: rows.map { ($0["variant"] as! String, $0["accuracy"] as! Double) })
        let asTheyAre = accuracy["as they are"]!
        #expect(asTheyAre > 0.9)
        // An MLP trained on upright digits suffers from rotation; predict re-centres, so a shift costs nothing.
        #expect(accuracy["rotated 20° clockwise"]! < asTheyAre - 0.02)
        #expect(abs(accuracy["shifted 6 px right and down"]! - asTheyAre) <= 0.01)
        let text = try trainer([
            "evaluate", "--data", folder, "--model", model, "--robustness", "--robustness-limit", "100", "--worst", "0"
        ])
        #expect(text.out.contains("rotated 20° anticlockwise") && text.out.contains("points"))
    }
}
