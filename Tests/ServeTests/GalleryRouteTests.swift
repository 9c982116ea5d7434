import Foundation
import Testing
import TestSupport

@testable import Model
@testable import Serve

/// `GET /api/activations`, what the gallery draws: every activation's f and f′ are `Model`'s own
/// values, a parameter changes them, and a wrong activation or range is a 400 naming it.
@Suite struct GalleryRouteTests {
    @Test func theCurvesAreTheTrainingCodesValues() throws {
        let (app, playground) = try PlaygroundTests.make()
        defer { playground.shutdown() }
        let list = PlaygroundTests.call(app, "GET", "/api/activations")
        let cards = try #require(list.object["activations"] as? [[String: Any]])
        #expect(list.status == 200 && cards.map { $0["name"] as? String } == Activation.all.map(\.name))
        for (card, activation) in zip(cards, Activation.all) {
            let curve = try #require(card["curve"] as? [String: Any])
            let (f, df) = (try #require(curve["f"] as? [Double]), try #require(curve["df"] as? [Double]))
            let range = try #require(curve["range"] as? Double)
            #expect(range == 4 && f.count == ActivationCurve.points && df.count == f.count)
            for (i, (y, dy)) in zip(f, df).enumerated() {
                let x = -range + 2 * range * Double(i) / Double(f.count - 1)
                let slope = activation.parameter ?? 0
                #expect(abs(y - activation.value(x, slope: slope)) <= 1e-6 * max(1, abs(y)), "\(activation) f(\(x))")
                #expect(
                    abs(dy - activation.derivative(x, slope: slope)) <= 1e-6 * max(1, abs(dy)), "\(activation) f′(\(x))"
                )
            }
            #expect(
                card["init"] as? String == activation.initDescription
                    && card["lr"] as? Double == activation.defaultLearningRate)
        }
        // A parameter and a range: LeakyReLU with α = 0.2 over ±10 is −2 at the left end.
        let one = PlaygroundTests.call(
            app, "GET", "/api/activations", query: ["activation": "leaky-relu:0.2", "range": "10"])
        let card = try #require((one.object["activations"] as? [[String: Any]])?.first)
        let curve = try #require(card["curve"] as? [String: Any])
        #expect(card["parameter"] as? Double == 0.2 && (curve["f"] as? [Double])?.first == -2)
        for (query, field) in [
            (["activation": "leaky-relu:x"], "activation"), (["range": "0"], "range"), (["range": "nan"], "range")
        ] {
            let bad = PlaygroundTests.call(app, "GET", "/api/activations", query: query)
            #expect(bad.status == 400 && bad.object["field"] as? String == field, "\(query): \(bad)")
        }
    }
}
