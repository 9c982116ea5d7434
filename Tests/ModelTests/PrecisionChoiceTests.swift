import Testing

@testable import Model

/// `auto` precision: the choice is a pure function of the two measured step times, and a run made
/// with it trains (and saves) the format it chose.
@Suite struct PrecisionChoiceTests {
    @Test func bf16OnlyWhereItsStepIsClearlyFaster() {
        #expect(PrecisionChoice.choose(fp32Seconds: 1.0, bf16Seconds: 0.5) == .bf16, "Zen 4/5: about twice as fast")
        #expect(PrecisionChoice.choose(fp32Seconds: 1.0, bf16Seconds: 0.94) == .bf16)
        #expect(PrecisionChoice.choose(fp32Seconds: 1.0, bf16Seconds: 0.96) == .fp32, "within the timings' noise")
        #expect(PrecisionChoice.choose(fp32Seconds: 1.0, bf16Seconds: 1.0) == .fp32, "a tie goes to exact products")
        #expect(PrecisionChoice.choose(fp32Seconds: 1.0, bf16Seconds: 1.64) == .fp32, "Emerald Rapids: 0.61x")
    }

    @Test func aRunChoosesAFormatAndSaysWhy() {
        var config = TrainingConfig()
        (config.hidden, config.precision, config.validationCount) = ([32], .auto, 0)
        let choice = PrecisionChoice.measure(config, inputs: 784, classes: 10, threads: 2, steps: 2)
        #expect(choice.precision == .fp32 || choice.precision == .bf16)
        if Precision.nativeBF16 {
            let (fp32, bf16) = (choice.fp32Seconds ?? 0, choice.bf16Seconds ?? 0)
            #expect(fp32 > 0 && bf16 > 0)
            #expect(choice.precision == PrecisionChoice.choose(fp32Seconds: fp32, bf16Seconds: bf16))
            #expect(choice.description.contains("ms in bf16"))
        } else {
            #expect(choice.precision == .fp32 && choice.fp32Seconds == nil && choice.description.contains("no native"))
        }
    }
}
