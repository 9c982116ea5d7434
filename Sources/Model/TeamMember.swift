/// One thread's part of a step split over a `WorkerTeam`: which units it computes and where it
/// waits for the others. `alone` is the whole step on one thread.
struct TeamMember {
    let team: WorkerTeam?
    let index: Int

    static let alone = TeamMember(team: nil, index: 0)

    func units(_ width: Int) -> Range<Int> { team?.units(width, member: index) ?? 0..<width }
    func barrier() { team?.barrier() }

    /// Whether a layer `width` units wide is too narrow to share by units (one member would get
    /// them all, as with a 10-class output), so that going forward its examples are shared instead.
    func splitsByRows(_ width: Int) -> Bool {
        guard let team, team.size > 1 else { return false }
        return team.units(width, member: 0).count == width
    }
}
