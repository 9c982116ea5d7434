import Foundation
import Model
import Report

extension RunEnvironment {
    /// This process's machine, build, GEMM library and command line.
    static func current(jobs: Int, blasThreads: Int, datasetSHA256: [String: String]) -> RunEnvironment {
        let cpu = CPUInfo.field("model name")
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
            machine: "\(cpu ?? text(uts.machine)) (\(text(uts.nodename)))",
            cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryGiB: (Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30) * 10).rounded() / 10,
            system: "\(text(uts.sysname)) \(text(uts.release))", build: build, blas: GEMMLibrary.current.description,
            jobs: jobs, blasThreadsPerCell: blasThreads, started: formatter.string(from: Date()),
            command: typedCommandLine(),
            datasetSHA256: datasetSHA256)
    }
}

/// Lines of Linux's /proc/cpuinfo, which describe this machine's processor.
enum CPUInfo {
    private static let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)

    /// The value of the first line starting with `name` ("model name", "cpu family"), or nil.
    static func field(_ name: String) -> String? {
        text?.split(separator: "\n").first { $0.hasPrefix(name) }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
    }
}
