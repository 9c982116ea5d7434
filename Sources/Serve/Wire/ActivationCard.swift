import Model

/// One activation as the gallery (`/gallery.html`) draws it: f and f′ over ±`range` from the code
/// that trains (`ActivationCurve`), its parameter, the weights it starts from and the learning rate
/// it trains at by default. `GET /api/activations` lists every one at its default parameter;
/// `?activation=SPEC` (`leaky-relu:0.2`) gives one, `&range=R` over ±R.
struct ActivationCard: Encodable, Sendable {
    let name: String
    let spec: String
    let parameter: Double?
    let initialization: String
    let lr: Double
    let curve: ActivationCurve

    init(_ activation: Activation, range: Double) {
        (name, spec, parameter) = (activation.name, activation.spec, activation.parameter)
        (initialization, lr) = (activation.initDescription, activation.defaultLearningRate)
        curve = ActivationCurve(activation, slope: activation.parameter ?? 0, range: range)
    }

    enum CodingKeys: String, CodingKey { case name, spec, parameter, lr, curve, initialization = "init" }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(spec, forKey: .spec)
        try c.encode(parameter, forKey: .parameter)  // null, not absent, for none
        try c.encode(initialization, forKey: .initialization)
        try c.encode(lr, forKey: .lr)
        try c.encode(curve, forKey: .curve)
    }

    /// The widest range asked for: beyond ±50 every activation is flat or a line.
    static let ranges = 1.0...50.0
}

/// `GET /api/activations`.
struct ActivationGallery: Encodable, Sendable {
    let activations: [ActivationCard]
}

extension DigitWebApp {
    /// `GET /api/activations[?activation=SPEC][&range=R]`: 400 naming the parameter when it is wrong.
    func activationGallery(_ request: WebRequest) -> WebResponse {
        var range = 4.0
        if let text = request.query["range"] {
            guard let value = Double(text), ActivationCard.ranges.contains(value) else {
                return .failure(
                    400,
                    "range: give a number from \(Int(ActivationCard.ranges.lowerBound)) to \(Int(ActivationCard.ranges.upperBound)) (got \(Self.shown(text)))",
                    field: "range")
            }
            range = value
        }
        guard let spec = request.query["activation"] else {
            return .json(ActivationGallery(activations: Activation.all.map { ActivationCard($0, range: range) }))
        }
        guard let activation = Activation(spec: spec) else {
            return .failure(
                400,
                "activation: give one of \(Activation.all.map(\.name).joined(separator: ", ")), with :VALUE for α or β (got \(Self.shown(spec)))",
                field: "activation")
        }
        return .json(ActivationGallery(activations: [ActivationCard(activation, range: range)]))
    }
}
