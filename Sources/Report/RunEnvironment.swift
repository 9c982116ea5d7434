import Foundation

/// Where and how an ablation (or one shard of it) ran: stated in the report so numbers can be
/// judged and reproduced.
public struct RunEnvironment: Codable, Equatable {
    public var machine: String
    public var cores: Int
    public var memoryGiB: Double
    public var system: String
    public var build: String
    public var blas: String
    public var jobs: Int
    public var blasThreadsPerCell: Int
    public var started: String
    public var command: String
    public var datasetSHA256: [String: String]

    public init(
        machine: String, cores: Int, memoryGiB: Double, system: String, build: String, blas: String, jobs: Int,
        blasThreadsPerCell: Int, started: String, command: String, datasetSHA256: [String: String]
    ) {
        (self.machine, self.cores, self.memoryGiB, self.system, self.build, self.blas) = (
            machine, cores, memoryGiB, system, build, blas
        )
        (self.jobs, self.blasThreadsPerCell, self.started, self.command, self.datasetSHA256) = (
            jobs, blasThreadsPerCell, started, command, datasetSHA256
        )
    }
}
