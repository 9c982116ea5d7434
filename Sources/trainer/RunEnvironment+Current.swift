import Foundation
import Model
import Report

extension RunEnvironment {
    /// This process's machine, build, GEMM library and command line.
    static func current(jobs: Int, blasThreads: Int, datasetSHA256: [String: String]) -> RunEnvironment {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        var uts = utsname()
        uname(&uts)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let formatter = ISO8601DateFormatter()
        return RunEnvironment(
            machine: "\(cpu ?? text(uts.machine)) (\(text(uts.nodename)))", cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryGiB: (Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30) * 10).rounded() / 10,
            system: "\(text(uts.sysname)) \(text(uts.release))", build: build, blas: GEMMLibrary.current.description,
            jobs: jobs, blasThreadsPerCell: blasThreads, started: formatter.string(from: Date()),
            command: CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "),
            datasetSHA256: datasetSHA256)
    }
}
