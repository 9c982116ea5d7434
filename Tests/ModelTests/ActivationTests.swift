import Foundation
import Model
import Testing

@Suite struct ActivationTests {
    /// Inputs from tiny to huge, avoiding the kink at 0 where one-sided derivatives differ.
    static let inputs: [Double] = {
        var xs: [Double] = []
        for magnitude in [0.01, 0.1, 0.37, 0.5, 1, 1.7, 2.5, 4, 7, 12, 30, 80, 300, 1e4] {
            xs += [magnitude, -magnitude]
        }
        return xs
    }()

    @Test(arguments: Activation.all + [.leakyRelu(alpha: 0.2), .swish(beta: 1.7), .elu(alpha: 0.5)])
    func derivativeMatchesCentralDifferences(_ activation: Activation) {
        for x in Self.inputs {
            let h = max(1e-6, abs(x) * 1e-7)
            let numeric = (activation.value(x + h, slope: 0.25) - activation.value(x - h, slope: 0.25)) / (2 * h)
            let analytic = activation.derivative(x, slope: 0.25)
            let error = abs(numeric - analytic) / max(1, abs(numeric), abs(analytic))
            #expect(error < 1e-6, "\(activation) at \(x): numeric \(numeric), analytic \(analytic)")
        }
    }

    @Test(arguments: Activation.all)
    func finiteForEveryFloat(_ activation: Activation) {
        let extremes: [Float] = [
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e4, -1e4, 100, -100, 89, -89, 0,
            .leastNonzeroMagnitude
        ]
        for x in extremes {
            let v = activation.value(x, slope: 0.25), d = activation.derivative(x, slope: 0.25)
            if activation == .identity || activation.name.contains("relu") || activation == .elu(alpha: 1)
                || activation == .gelu || activation == .softplus || activation == .selu
            {
                #expect(!v.isNaN && !d.isNaN, "\(activation) at \(x)")
            } else {
                #expect(v.isFinite && d.isFinite, "\(activation) at \(x): \(v), \(d)")
            }
        }
    }

    @Test func knownValues() {
        #expect(Activation.sigmoid(Float(-1000)) == 0)
        #expect(Activation.sigmoid(Float(1000)) == 1)
        #expect(Activation.sigmoid(0.0) == 0.5)
        let s2 = Activation.sigmoid(2.0)
        #expect(s2 * (1 - s2) == Activation.all[3].derivative(2.0))
        // Swish is x·σ(x), not x/(1 − e^−x).
        #expect(abs(Activation.swish(beta: 1).value(2.0) - 2 / (1 + exp(-2.0))) < 1e-15)
        #expect(Activation.swish(beta: 1).value(Float(-1000)) == 0)
        #expect(Activation.leakyRelu(alpha: 0.01).value(-2.0) == -0.02)
        #expect(abs(Activation.gelu.value(1.0) - 0.8413447460685429) < 1e-12)
        #expect(abs(Activation.softplus.value(Float(100)) - 100) < 1e-3)
        #expect(Activation.softsign.value(3.0) == 0.75 && Activation.softsign.derivative(-3.0) == 1.0 / 16)
        #expect(abs(Activation.mish.value(1.0) - 0.8650983882673103) < 1e-12)
        #expect(Activation.mish.value(Float(-1000)) == 0 && Activation.mish.value(Float(1000)) == 1000)
        #expect(abs(Activation.selu.value(-1000.0) + Activation.seluLambda * Activation.seluAlpha) < 1e-12)
        #expect(Activation.selu.value(2.0) == 2 * Activation.seluLambda)
        #expect(Activation.selu.initRule == .lecun && Activation.softsign.initRule == .xavier)
    }

    /// SELU's constants make N(0, 1) its fixed point: for z ~ N(0, 1), selu(z) again has mean 0 and
    /// variance 1 (Klambauer et al. 2017, eq. 4–5), here by integrating over ±12 standard deviations.
    @Test func seluKeepsTheStandardNormalStandard() {
        var (mean, square) = (0.0, 0.0)
        let step = 1e-4
        for i in stride(from: -120_000, through: 120_000, by: 1) {
            let z = Double(i) * step
            let weight = exp(-z * z / 2) / (2 * Double.pi).squareRoot() * step
            let s = Activation.selu.value(z)
            mean += weight * s
            square += weight * s * s
        }
        #expect(abs(mean) < 1e-6, "mean \(mean)")
        #expect(abs(square - 1) < 1e-6, "second moment \(square)")
    }

    @Test func parsesSpellings() {
        #expect(Activation(spec: "silu") == .swish(beta: 1))
        #expect(Activation(spec: "leaky-relu:0.1") == .leakyRelu(alpha: 0.1))
        #expect(Activation(spec: "LeakyReLU") == .leakyRelu(alpha: 0.01))
        #expect(Activation(spec: "relu:3") == nil)
        #expect(Activation(spec: "swish:nan") == nil)
        #expect(Activation(spec: "bogus") == nil)
        for a in Activation.all { #expect(Activation(spec: a.spec) == a) }
        #expect(Activation.leakyRelu(alpha: 0.1).spec == "leaky-relu:0.1")
    }
}

/// The vectorisable Float tanh/sigmoid the training loops use stay within a few ulp of the
/// library functions over the whole useful range, and saturate cleanly far outside it.
@Suite struct FastMathTests {
    @Test func closeToTheLibraryEverywhere() {
        var worst: (tanh: Float, sigmoid: Float, exp: Float) = (0, 0, 0)
        var x: Float = -30
        while x <= 30 {
            worst.tanh = max(
                worst.tanh, abs(Float.fastTanh(x) - Float.tanh(x)) / max(abs(Float.tanh(x)), Float.leastNormalMagnitude)
            )
            worst.sigmoid = max(
                worst.sigmoid, abs(Float.fastSigmoid(x) - Activation.sigmoid(x)) / Activation.sigmoid(x))
            worst.exp = max(worst.exp, abs(Float.fastExp(x) - Float.exp(x)) / Float.exp(x))
            x += 0.000_37
        }
        // 2-4 ulp of a Float (ulp at 1 is 1.2e-7).
        #expect(worst.tanh < 5e-7, "tanh \(worst.tanh)")
        #expect(worst.sigmoid < 5e-7, "sigmoid \(worst.sigmoid)")
        #expect(worst.exp < 3e-7, "exp \(worst.exp)")
        for tiny: Float in [1e-30, 1e-8, -1e-5] { #expect(Float.fastTanh(tiny) == tiny) }
    }

    @Test func saturateWithoutOverflow() {
        for x: Float in [89, 200, 1e30, .greatestFiniteMagnitude, .infinity] {
            #expect(Float.fastTanh(x) == 1 && Float.fastTanh(-x) == -1)
            #expect(Float.fastSigmoid(x) == 1 && Float.fastSigmoid(-x) >= 0 && Float.fastSigmoid(-x) < 1e-37)
            #expect(Float.fastExp(x).isFinite && Float.fastExp(-x) >= 0)
        }
        #expect(Float.fastTanh(.nan).isNaN && Float.fastSigmoid(.nan).isNaN)
    }
}
