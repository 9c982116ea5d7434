import Dataset

/// One mini-batch training step, in the algorithm's order: forward → loss → backward, with the
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
    /// The bf16 copies the products multiply in mixed precision; nil: fp32 products.
    let bf16: BF16Operands?
    /// What the gradient minimises; the loss the step reports is cross-entropy either way.
    let objective: TrainingObjective

    init(
        layers: [DenseLayout], classes: Int, workspace: Workspace<Float>, team: WorkerTeam,
        precision: Precision = .fp32,
        objective: TrainingObjective = TrainingObjective()
    ) {
        (self.layers, self.classes, self.workspace, self.team) = (layers, classes, workspace, team)
        self.objective = objective
        precondition(precision != .auto, "auto is chosen by TrainingRun before a step is made")
        bf16 =
            precision == .bf16 ? BF16Operands(layers: layers, capacity: workspace.capacity, teamSize: team.size) : nil
    }

    /// Trains on the examples `batch` has selected and returns their summed loss and the number
    /// classified correctly (with `dropout`'s units dropped, as training sees them). When the loss
    /// is not finite the parameters are left untouched.
    func callAsFunction(_ batch: BatchGatherer, update: Optimizer.StepUpdate, dropout: Dropout? = nil) -> (
        loss: Double, correct: Int
    ) {
        precondition(batch.copies >= team.size, "one copy of the batch per member of the team")
        let labels = UnsafePointer(batch.labels.baseAddress!)
        let rows = batch.rows
        var result = (loss: 0.0, correct: 0)
        let bf16 = bf16
        if let bf16, !bf16.weightsCurrent { bf16.roundAllWeights(from: update.w) }
        team.run { index in
            let member = TeamMember(team: team, index: index)
            let inputs: UnsafePointer<Float>
            if batch.augments {
                // Distorting an image costs more than fetching it from the other core: share the rows.
                batch.copyPixels(rows: member.units(rows), copy: 0, worker: index)
                member.barrier()
                inputs = UnsafePointer(batch.inputs(copy: 0))
            } else {
                // The whole batch into this member's own copy: no barrier, no lines fetched from another core.
                batch.copyPixels(rows: 0..<rows, copy: index)
                inputs = UnsafePointer(batch.inputs(copy: index))
            }
            if let bf16 {
                bf16.roundInput(0, from: inputs, rows: member.units(rows), columns: 0..<layers[0].inputs)
                member.barrier()
            }
            MLP<Float>.forward(
                layers: layers, parameters: update.w, inputs: inputs, rows: rows, workspace: workspace,
                dropout: dropout, bf16: bf16, as: member)
            loss(labels: labels, rows: member.units(rows), of: rows)
            bf16?.roundDelta(
                layers.count - 1, from: workspace.logitGradient, rows: member.units(rows), columns: 0..<classes)
            member.barrier()
            // Every member adds the losses up itself (64 numbers), rather than wait at a barrier for one to do it.
            let batch = total(rows: rows)
            if index == 0 { result = batch }
            guard batch.loss.isFinite else { return }
            MLP<Float>.backward(
                layers: layers, parameters: update.w, inputs: inputs, rows: rows, workspace: workspace,
                weights: update.destination, dropout: dropout, bf16: bf16, as: member
            ) { layer, units in
                update.finish(layers[layer], units: units)
                bf16?.roundWeights(layers[layer], units: units, from: update.w)  // for the next step's products
            }
        }
        return result
    }

    /// For the examples `share` of a batch of `rows`: each one's cross-entropy and whether it was
    /// right, and the mean loss's gradient into `workspace.logitGradient`: (softmax − one-hot) / rows,
    /// or the run's objective's.
    private func loss(labels: UnsafePointer<Int32>, rows share: Range<Int>, of rows: Int) {
        for r in share {
            let (loss, correct) = SoftmaxCrossEntropy.evaluate(
                logits: workspace.logits + r * classes, labels: labels + r, rows: 1,
                classes: classes, gradient: workspace.logitGradient + r * classes,
                gradientScale: 1 / Float(rows))
            objective.adjust(
                workspace.logitGradient + r * classes, label: Int(labels[r]), classes: classes, scale: 1 / Float(rows))
            workspace.exampleLosses[r] = loss
            workspace.exampleCorrect[r] = correct == 1
        }
    }

    /// The batch's summed loss and correct count, added in example order so that the sum does not
    /// depend on how the examples were shared.
    private func total(rows: Int) -> (loss: Double, correct: Int) {
        var loss = 0.0, correct = 0
        for r in 0..<rows {
            loss += workspace.exampleLosses[r]
            correct += workspace.exampleCorrect[r] ? 1 : 0
        }
        return (loss, correct)
    }
}
