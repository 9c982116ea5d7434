import Dataset

/// Who a browser is to the playground: the SHA-256 of the random id in its `trainer_person`
/// cookie. Only the hash is kept (in a run's `run.json` as its owner), so the folder of runs does
/// not hold anyone's cookie; `label` is what others see of it.
struct Person: Sendable, Hashable, Codable {
    /// The hash as hex; "" is the server itself (runs made before owners were recorded).
    let hash: String

    init(hash: String) { self.hash = hash }

    /// The person a cookie value stands for.
    init(cookie: String) { hash = sha256Hex(Array(cookie.utf8)) }

    /// Runs with no recorded owner (made by an older server) belong to nobody but the managers.
    static let nobody = Person(hash: "")

    /// Six hex digits of the hash: enough to tell a class's people apart on the page, and nothing
    /// that opens anything.
    var label: String { hash.isEmpty ? "server" : String(hash.prefix(6)) }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hash)
    }

    init(from decoder: Decoder) throws {
        hash = try decoder.singleValueContainer().decode(String.self)
    }
}

/// Who sent a request, as the gate found it: a person, and whether they may manage every run
/// (the teacher's key, or anyone when the server listens on loopback only).
struct Visitor: Sendable {
    var person: Person
    var managesAll: Bool

    /// May this visitor pause, step, resume, cancel or delete a run that `owner` started?
    func mayChange(runOf owner: Person) -> Bool { managesAll || owner == person }

    /// The visitor of an in-process call with no headers: the machine's own user.
    static let local = Visitor(person: .nobody, managesAll: true)
}
