import ArgumentParser
import Model
import Testing
@testable import trainer

/// `--hidden` (repeatable, with the WIDTHxLAYERS shorthand) and `--lr` (a list with `default`),
/// parsed in process: ablate takes several, train exactly one.
@Suite struct AblationGridCLITests {
    @Test func layerWidthsTakeTheShorthand() throws {
        #expect(try LayerWidths(parsing: "256,128").widths == [256, 128])
        #expect(try LayerWidths(parsing: "128x4").widths == [128, 128, 128, 128])
        #expect(try LayerWidths(parsing: "256,128x2").widths == [256, 128, 128])
        for bad in ["", "128x0", "x4", "128y4", "128x", "0", "-5", "128x4x2", "256,,128", "128x1001"] {
            #expect(throws: ValidationError.self, "\(bad)") { try LayerWidths(parsing: bad) }
        }
    }

    @Test func learningRatesTakeDefaultAndLists() throws {
        #expect(try LearningRateList(parsing: "0.1").rates == [.rate(0.1)])
        #expect(
            try LearningRateList(parsing: "default,0.01,0.1,0.5").rates == [
                .default, .rate(0.01), .rate(0.1), .rate(0.5)
            ])
        for bad in ["", "fast", "0", "-0.1", "0.1,0.1", "default,default", "inf", "nan"] {
            #expect(throws: ValidationError.self, "\(bad)") { try LearningRateList(parsing: bad) }
        }
    }

    @Test func ablateTakesAxesAndTrainOneOfEach() throws {
        let ablate = try #require(
            try TrainerCommand.parseAsRoot([
                "ablate", "--hidden", "256,128", "--hidden", "128x4", "--hidden", "128x8",
                "--lr", "default,0.01,0.1,0.5"
            ]) as? Ablate)
        #expect((try ablate.architectures()) == [[256, 128], [128, 128, 128, 128], Array(repeating: 128, count: 8)])
        #expect((try ablate.learningRates()) == [.default, .rate(0.01), .rate(0.1), .rate(0.5)])
        let plain = try #require(try TrainerCommand.parseAsRoot(["ablate"]) as? Ablate)
        #expect(try plain.architectures() == [[256, 128]])
        #expect(try plain.learningRates() == [.default])

        #expect(throws: (any Error).self) {
            try TrainerCommand.parseAsRoot(["ablate", "--hidden", "64", "--hidden", "64"])
        }
        #expect(throws: (any Error).self) {
            try TrainerCommand.parseAsRoot(["train", "--hidden", "64", "--hidden", "32"])
        }
        #expect(throws: (any Error).self) { try TrainerCommand.parseAsRoot(["train", "--lr", "0.1,0.2"]) }
        let train = try #require(try TrainerCommand.parseAsRoot(["train", "--hidden", "64x3", "--lr", "0.2"]) as? Train)
        let config = try train.makeConfig()
        #expect(config.hidden == [64, 64, 64] && config.learningRate == 0.2)
        let byDefault = try #require(try TrainerCommand.parseAsRoot(["train", "--lr", "default"]) as? Train)
        #expect(try byDefault.makeConfig().learningRate == nil)
    }

    @Test func aStudyStandsForItsGridAndTheUsersOptionsOverrideIt() throws {
        let expanded = Study.expanding(["ablate", "--study", "depth", "--seeds", "1"])
        let depth = try #require(try TrainerCommand.parseAsRoot(expanded) as? Ablate)
        #expect((try depth.architectures()) == [[128, 128], [128, 128, 128, 128], Array(repeating: 128, count: 8)])
        #expect(depth.seeds.seeds == [1], "the user's --seeds wins")
        #expect(depth.output == "ablation-depth" && depth.study == .depth)
        let rates = try #require(
            try TrainerCommand.parseAsRoot(Study.expanding(["ablate", "--study=learning-rate", "--hidden", "64x2"]))
                as? Ablate)
        #expect((try rates.learningRates()) == [.rate(0.01), .rate(0.05), .rate(0.1), .rate(0.2)])
        #expect((try rates.architectures()) == [[64, 64]], "the user's --hidden replaces the study's")
        #expect(throws: (any Error).self) {
            try TrainerCommand.parseAsRoot(Study.expanding(["ablate", "--study", "width"]))
        }
    }

    /// A paper study's default budget, `--full` for the paper's, and the options that make no sense with one.
    @Test func aPaperStudyHasTwoBudgetsAndItsOwnActivations() throws {
        let short = try #require(
            try TrainerCommand.parseAsRoot(Study.expanding(["ablate", "--study", "gelu-2016"])) as? Ablate)
        let config = try short.baseConfig()
        #expect(config.hidden == Array(repeating: 128, count: 8) && config.optimizer == .adam)
        #expect(config.initialization == .unitNorm && config.schedule == .constant && config.batchSize == 128)
        let rates = try short.learningRates()
        #expect(config.epochs == 8 && short.seeds.seeds == [1, 2, 3] && rates == [.rate(0.001)])
        let full = try #require(
            try TrainerCommand.parseAsRoot(Study.expanding(["ablate", "--study", "gelu-2016", "--full"])) as? Ablate)
        let (fullConfig, fullRates) = (try full.baseConfig(), try full.learningRates())
        #expect(fullConfig.epochs == 50 && full.seeds.seeds == [1, 2, 3, 4, 5])
        #expect(fullRates == [.rate(0.001), .rate(0.0001), .rate(0.00001)])
        // The user's option still wins over the full budget's.
        let mine = try #require(
            try TrainerCommand.parseAsRoot(
                Study.expanding(["ablate", "--study", "glorot-2010", "--full", "--epochs", "3"])) as? Ablate)
        let (myConfig, myRates) = (try mine.baseConfig(), try mine.learningRates())
        #expect(myConfig.epochs == 3 && myRates.count == 4)
        #expect(myConfig.momentum == 0 && myConfig.hidden == Array(repeating: 1000, count: 5))
        for refused in [
            ["ablate", "--full"], ["ablate", "--study", "depth", "--full"],
            ["ablate", "--study", "gelu-2016", "--activations", "relu,tanh"],
            ["ablate", "--study", "glorot-2010", "--shard", "1/2"]
        ] {
            #expect(throws: (any Error).self, "\(refused)") { try TrainerCommand.parseAsRoot(Study.expanding(refused)) }
        }
    }
}
