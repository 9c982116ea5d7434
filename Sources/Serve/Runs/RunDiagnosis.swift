import Model

extension Playground {
    /// A warning for a run that finished near chance: its loss stayed finite, so nothing stopped it,
    /// but it learned nothing. Says the likely why from the last live figures: dead units (a learning
    /// rate too high for ReLU) or saturated ones with a vanishing gradient (sigmoid too deep).
    static func learnedNothing(accuracy: Double, classes: Int, live: LiveRecord, config: TrainingConfig) -> String? {
        let chance = 1 / Double(max(classes, 1))
        guard accuracy < 2 * chance else { return nil }
        let words = String(
            format: "learned nothing: %.1f%% test accuracy, where guessing gets %.0f%%", accuracy * 100, chance * 100)
        let smallerRate = String(format: "try a smaller learning rate (say %g)", config.effectiveLearningRate / 10)
        let layers = live.probe.layers
        if let (l, layer) = layers.enumerated().max(by: { $0.element.deadFraction < $1.element.deadFraction }),
            layer.deadFraction > 0.5
        {
            return words
                + String(
                    format: "; %.0f%% of layer %d's units are dead (no gradient passes through them): %@",
                    layer.deadFraction * 100, l + 1, smallerRate)
        }
        if let (l, layer) = layers.enumerated().max(by: { $0.element.saturatedFraction < $1.element.saturatedFraction }
        ),
            layer.saturatedFraction > 0.5
        {
            var why = String(
                format: "; %.0f%% of layer %d's units are saturated", layer.saturatedFraction * 100, l + 1)
            let first = layers[0].gradientNorm ?? 0, last = layers[layers.count - 1].gradientNorm ?? 0
            if layers.count > 1, first > 0, last > 10 * first {
                why += String(
                    format:
                        " and the first layer's gradient is %.0f times smaller than the last's (vanishing gradients): try fewer layers, or an activation that does not saturate (relu, leaky-relu, swish)",
                    last / first)
            } else {
                why += ": " + smallerRate + ", or an activation that does not saturate"
            }
            return words + why
        }
        return words + ": " + smallerRate + ", or more epochs"
    }
}
