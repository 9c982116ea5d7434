/// `GET /api/weights?unit=J`: a first-layer unit's incoming weights as a picture: `side × side`
/// int8s, scaled by `scale` (red +, blue − on the page).
struct UnitWeights: Encodable, Sendable {
    var unit: Int
    var side: Int
    var scale: Double
    var weights: [Int]
}
