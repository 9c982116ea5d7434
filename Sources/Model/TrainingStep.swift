import Dataset

/// One mini-batch step of SGD, in the algorithm's order: forward → loss → backward, with the
/// optimiser's update folded into the backward pass layer by layer.
///
/// The step runs on every member of a `WorkerTeam` at once; each member computes its share of the
/// units of every layer (a slice of the output columns going forward, the matching rows of the
/// weights going back), so both the GEMMs and the element-wise work are split, and each unit's
/// numbers are computed the same way whatever the team's size.
struct TrainingStep {
    let layers: [DenseLayout]
    let classes: Int
    let workspace: Workspace<Float>
    let team: WorkerTeam

    /// Trains on the examples `batch` has selected and returns their summed loss and the number
    /// classified correctly. When the loss is not finite the parameters are left untouched.
    func callAsFunction(_ batch: BatchGatherer, update: SGD.StepUpdate) -> (loss: Double, correct: Int) {
        let inputs = UnsafePointer(batch.inputs.baseAddress!), labels = UnsafePointer(batch.labels.baseAddress!)
        let rows = batch.rows
        var result = (loss: 0.0, correct: 0)
        team.run { index in
            let member = TeamMember(team: team, index: index)
            batch.copyPixels(rows: member.units(rows))
            member.barrier()
            MLP<Float>.forward(layers: layers, parameters: update.w, inputs: inputs, rows: rows, workspace: workspace, as: member)
            if index == 0 { result = loss(labels: labels, rows: rows) }
            member.barrier()
            guard result.loss.isFinite else { return }
            MLP<Float>.backward(layers: layers, parameters: update.w, inputs: inputs, rows: rows, workspace: workspace,
                                weights: update.destination, as: member) { layer, units in
                update.finish(layers[layer], units: units)
            }
        }
        return result
    }

    /// Mean cross-entropy's gradient (softmax − one-hot) / rows into `workspace.logitGradient`.
    private func loss(labels: UnsafePointer<Int32>, rows: Int) -> (loss: Double, correct: Int) {
        SoftmaxCrossEntropy.evaluate(logits: workspace.logits, labels: labels, rows: rows, classes: classes,
                                     gradient: workspace.logitGradient, gradientScale: 1 / Float(rows))
    }
}
