import Foundation

/// Who trains next, and in what order waiting runs will start: the playground's fairness, apart
/// from the thread that acts on it. Called with the playground's lock held.
///
/// - **Round-robin by person, then by run**: each person with a run ready gets one turn of the
///   training thread in each round, whatever number of runs they have; their runs take their
///   turns in order. Thirty students with one run each and one with six all get a sixth… no: a
///   thirty-first of the machine each.
/// - **Admission**: a run that has not started holds no network; it may start while fewer than
///   `capacity` runs hold one, and then only runs of the people holding the fewest go first, so a
///   person's first run starts before anyone's second.
struct TurnOrder {
    let runs: [PlaygroundRun]
    /// The most runs that may hold a network at once (`PlaygroundLimits.activeRuns`).
    let capacity: Int
    /// Whose turn it was last, and each person's run that trained last.
    let lastPerson: Person?
    let lastRunOf: [Person: PlaygroundRun]

    /// The runs that may have the next turn.
    var eligible: [PlaygroundRun] {
        let ready = runs.filter(\.wantsTurn)
        var chosen = ready.filter(\.started)
        let holding = runs.filter(\.holdsNetwork)
        guard holding.count < capacity else { return chosen }
        let waiting = ready.filter { !$0.started }
        var held: [Person: Int] = [:]
        for run in holding { held[run.owner, default: 0] += 1 }
        let fewest = waiting.map { held[$0.owner] ?? 0 }.min()
        chosen += waiting.filter { (held[$0.owner] ?? 0) == fewest }
        return chosen
    }

    /// The run to train next, or nil when none is ready.
    func next() -> PlaygroundRun? {
        let candidates = eligible
        let people = Set(candidates.map(\.owner)).sorted { $0.hash < $1.hash }
        guard let first = people.first else { return nil }
        let person = lastPerson.flatMap { last in people.first { $0.hash > last.hash } } ?? first
        let theirs = candidates.filter { $0.owner == person }.sorted(by: Self.madeBefore)
        if let last = lastRunOf[person], let after = theirs.first(where: { Self.madeBefore(last, $0) }) {
            return after
        }
        return theirs[0]
    }

    /// Whether a run other than `run` is waiting for a turn it could have now.
    func othersWaiting(besides run: PlaygroundRun) -> Bool { eligible.contains { $0 !== run } }

    /// The place in line of every run that waits to start (queued, not started): round by round as
    /// `next()` takes them, each person's oldest first, the people in turn order after `lastPerson`.
    func places() -> [String: Int] {
        var waiting: [Person: [PlaygroundRun]] = [:]
        for run in runs where run.status == .queued && !run.started && !run.cancelRequested {
            waiting[run.owner, default: []].append(run)
        }
        var people = waiting.keys.sorted { $0.hash < $1.hash }
        if let last = lastPerson, let split = people.firstIndex(where: { $0.hash > last.hash }) {
            people = Array(people[split...] + people[..<split])
        }
        var queues = people.map { waiting[$0]!.sorted(by: Self.madeBefore) }
        var places: [String: Int] = [:]
        var place = 1
        while queues.contains(where: { !$0.isEmpty }) {
            for k in queues.indices where !queues[k].isEmpty {
                places[queues[k].removeFirst().id] = place
                place += 1
            }
        }
        return places
    }

    static func madeBefore(_ a: PlaygroundRun, _ b: PlaygroundRun) -> Bool { (a.created, a.id) < (b.created, b.id) }
}
