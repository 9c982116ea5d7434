import Foundation

/// A trained network as an ONNX model, for ONNX Runtime (servers, phones, browsers) and every other
/// runtime that reads ONNX: input `pixels`, float32 `[N, 784]` (N chosen at run time) with values
/// 0–1 as the model saw them; output `probabilities`, float32 `[N, classes]`. One Gemm per layer
/// (`x · Wᵀ + b`, the weights as stored, `out × in`), the activation as ONNX operators, Softmax.
public enum ONNXExport {
    /// The lowest operator set that has every operator we use: Erf (GELU), PRelu with a per-unit
    /// slope and Greater on floats (step) arrived in opset 9; the rest is older.
    public static let opset = 9
    /// The IR version that came with opset 9 (ONNX 1.4), the first whose initializers need not be graph inputs.
    public static let irVersion = 4

    /// The model's bytes; `properties` are extra metadata (key → value) beside those the checkpoint gives.
    public static func model(of checkpoint: Checkpoint, properties: [(String, String)] = []) -> [UInt8] {
        let mlp = checkpoint.model
        var graph = Graph()
        var x = "pixels"
        for (l, layer) in mlp.layers.enumerated() {
            let weight = graph.initializer(
                "layers.\(l).weight", shape: [layer.outputs, layer.inputs], Array(mlp.parameters[layer.weight]))
            let bias = graph.initializer("layers.\(l).bias", shape: [layer.outputs], Array(mlp.parameters[layer.bias]))
            let hidden = l < mlp.layers.count - 1
            let pre = graph.node("Gemm", [x, weight, bias], name: hidden ? "layers.\(l).pre" : "logits") {
                $0.int("transB", 1)
            }
            if hidden {
                let slopes = Array(mlp.parameters[layer.slope])
                x = activation(layer.activation, of: pre, layer: l, slopes: slopes, in: &graph)
            } else {
                x = pre
            }
        }
        _ = graph.node("Softmax", [x], name: "probabilities") { $0.int("axis", 1) }

        var model = ProtobufMessage()
        model.integer(1, irVersion)  // ir_version
        model.string(2, "digit-trainer")  // producer_name
        model.string(3, Checkpoint.formatVersion)  // producer_version
        // doc_string
        model.string(6, "An MLP digit classifier trained by digit-trainer (\(mlp.architecture.summary)).")
        model.message(7) { g in  // graph
            for node in graph.nodes { g.message(1, node) }
            g.string(2, "digit-trainer")
            for tensor in graph.initializers { g.message(5, tensor) }
            g.message(11, valueInfo("pixels", columns: mlp.architecture.inputs))
            g.message(12, valueInfo("probabilities", columns: mlp.architecture.outputs))
        }
        model.message(8) { opset in  // opset_import: the default domain
            opset.string(1, "")
            opset.integer(2, Self.opset)
        }
        for (key, value) in metadata(of: checkpoint) + properties {
            model.message(14) { entry in  // metadata_props
                entry.string(1, key)
                entry.string(2, value)
            }
        }
        return model.bytes
    }

    /// What a user of the file needs to know besides the graph.
    static func metadata(of checkpoint: Checkpoint) -> [(String, String)] {
        let config = checkpoint.config
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var entries: [(String, String)] = [
            ("architecture", checkpoint.model.architecture.summary),
            ("activations", checkpoint.model.architecture.activations.map(\.spec).joined(separator: ",")),
            ("dataset", checkpoint.dataset),
            ("training", (try? encoder.encode(config)).map { String(decoding: $0, as: UTF8.self) } ?? ""),
            ("epochs_trained", String(checkpoint.state.epochsCompleted))
        ]
        if let kind = checkpoint.datasetKind { entries.append(("classes", kind.classNames.joined(separator: ","))) }
        if let accuracy = checkpoint.testAccuracy { entries.append(("test_accuracy", String(accuracy))) }
        return entries
    }

    /// The activation `activation` of layer `layer` applied to the value `x`, as nodes; the output's name.
    private static func activation(
        _ activation: Activation, of x: String, layer l: Int, slopes: [Float], in graph: inout Graph
    ) -> String {
        let out = "layers.\(l).out"
        switch activation {
        case .relu: return graph.node("Relu", [x], name: out)
        case .leakyRelu(let alpha): return graph.node("LeakyRelu", [x], name: out) { $0.float("alpha", Float(alpha)) }
        case .tanh: return graph.node("Tanh", [x], name: out)
        case .sigmoid: return graph.node("Sigmoid", [x], name: out)
        case .elu(let alpha): return graph.node("Elu", [x], name: out) { $0.float("alpha", Float(alpha)) }
        case .softplus: return graph.node("Softplus", [x], name: out)
        case .identity: return graph.node("Identity", [x], name: out)
        case .prelu:
            let slope = graph.initializer("layers.\(l).slope", shape: [slopes.count], slopes)
            return graph.node("PRelu", [x, slope], name: out)
        case .swish(let beta):
            // x · σ(βx); Swish has no operator of its own in any opset.
            let scaled = beta == 1 ? x : graph.node("Mul", [x, graph.constant(Float(beta))], name: "layers.\(l).beta_x")
            let gate = graph.node("Sigmoid", [scaled], name: "layers.\(l).gate")
            return graph.node("Mul", [x, gate], name: out)
        case .gelu:
            // x · Φ(x) = x · ½(1 + erf(x/√2)), the exact form the trainer uses (ONNX's Gelu needs opset 20).
            let erf = graph.node(
                "Erf",
                [graph.node("Div", [x, graph.constant(Float(2).squareRoot())], name: "layers.\(l).x_over_sqrt2")],
                name: "layers.\(l).erf")
            let cdf = graph.node(
                "Mul",
                [graph.node("Add", [erf, graph.constant(1)], name: "layers.\(l).one_plus_erf"), graph.constant(0.5)],
                name: "layers.\(l).cdf")
            return graph.node("Mul", [x, cdf], name: out)
        case .softsign: return graph.node("Softsign", [x], name: out)
        case .selu:
            return graph.node("Selu", [x], name: out) {
                $0.float("alpha", Float(Activation.seluAlpha))
                $0.float("gamma", Float(Activation.seluLambda))
            }
        case .mish:
            // x · tanh(softplus(x)); ONNX's Mish needs opset 18.
            let softplus = graph.node("Softplus", [x], name: "layers.\(l).softplus")
            return graph.node("Mul", [x, graph.node("Tanh", [softplus], name: "layers.\(l).tanh")], name: out)
        case .step:
            // 1 where x > 0, else 0.
            let positive = graph.node("Greater", [x, graph.constant(0)], name: "layers.\(l).positive")
            return graph.node("Cast", [positive], name: out) { $0.int("to", Graph.float) }
        }
    }

    /// A float tensor `[N, columns]` with N named "N" (any batch size).
    private static func valueInfo(_ name: String, columns: Int) -> ProtobufMessage {
        var info = ProtobufMessage()
        info.string(1, name)
        info.message(2) { type in  // TypeProto
            type.message(1) { tensor in  // tensor_type
                tensor.integer(1, Graph.float)  // elem_type
                tensor.message(2) { shape in  // shape
                    shape.message(1) { $0.string(2, "N") }  // dim_param
                    shape.message(1) { $0.integer(1, columns) }  // dim_value
                }
            }
        }
        return info
    }

    /// The graph being built: its nodes in order, and the tensors they read.
    private struct Graph {
        /// TensorProto.DataType FLOAT.
        static let float = 1
        var nodes: [ProtobufMessage] = []
        var initializers: [ProtobufMessage] = []
        private var constants: [Float: String] = [:]

        /// Adds a node of `op` reading `inputs`, whose one output is named `name`; returns `name`.
        mutating func node(
            _ op: String, _ inputs: [String], name: String, attributes: (inout Attributes) -> Void = { _ in }
        ) -> String {
            var node = ProtobufMessage()
            for input in inputs { node.string(1, input) }
            node.string(2, name)
            node.string(3, name)
            node.string(4, op)
            var list = Attributes()
            attributes(&list)
            for attribute in list.messages { node.message(5, attribute) }
            nodes.append(node)
            return name
        }

        /// Adds a float tensor of `shape` holding `values`; returns its name.
        mutating func initializer(_ name: String, shape: [Int], _ values: [Float]) -> String {
            var tensor = ProtobufMessage()
            for d in shape { tensor.integer(1, d) }  // dims
            tensor.integer(2, Self.float)  // data_type
            tensor.string(8, name)
            var raw: [UInt8] = []
            raw.reserveCapacity(values.count * 4)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            tensor.data(9, raw)  // raw_data, little-endian
            initializers.append(tensor)
            return name
        }

        /// A scalar constant, one initializer per value.
        mutating func constant(_ value: Float) -> String {
            if let name = constants[value] { return name }
            let name = initializer("constant.\(value)", shape: [], [value])
            constants[value] = name
            return name
        }
    }

    /// A node's attributes as AttributeProto messages.
    private struct Attributes {
        var messages: [ProtobufMessage] = []

        mutating func int(_ name: String, _ value: Int) {
            var a = ProtobufMessage()
            a.string(1, name)
            a.integer(3, value)
            a.integer(20, 2)  // AttributeType INT
            messages.append(a)
        }

        mutating func float(_ name: String, _ value: Float) {
            var a = ProtobufMessage()
            a.string(1, name)
            a.float(2, value)
            a.integer(20, 1)  // AttributeType FLOAT
            messages.append(a)
        }
    }
}
