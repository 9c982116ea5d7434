import Foundation

// Helpers the CLI tests share: running the package's executables and reading their output.

/// Runs the built `trainer` binary and captures its output.
public func trainer(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> (
    status: Int32, out: String, err: String
) {
    try run(builtExecutable("trainer"), arguments, environment: environment, directory: directory)
}

/// The path of one of the package's executables, built beside the test bundle.
public func builtExecutable(_ name: String) -> String {
    let build = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var binary = build.appendingPathComponent(name)
    while !FileManager.default.fileExists(atPath: binary.path) && binary.pathComponents.count > 2 {
        binary = binary.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(name)
    }
    return binary.path
}

/// Runs `executable` with `arguments` (and `environment` over the test's own) and captures its
/// exit status, stdout and stderr.
public func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:],
    directory: String? = nil
) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Both pipes at once: a child that fills the stderr pipe while we wait for stdout's end would
    // otherwise block forever.
    nonisolated(unsafe) var errData = Data()
    let stderrRead = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        stderrRead.signal()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    stderrRead.wait()
    process.waitUntilExit()
    return (
        process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self)
    )
}

/// The JSON objects of a `--json` output, one per line.
public func jsonObjects(_ output: String) -> [[String: Any]] {
    output.split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
}
