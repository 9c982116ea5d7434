import Foundation
import Testing
import TestSupport

/// Every input that once made a fuzz target fail, replayed through the target as built normally.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: ["FuzzIDX", "FuzzPNG", "FuzzCheckpoint"])
    func savedFindingsStayFixed(_ target: String) throws {
        let folder = Self.root.appendingPathComponent("Fuzz/regressions/\(target)").path
        let files =
            (try? FileManager.default.contentsOfDirectory(atPath: folder))?.sorted().map { folder + "/" + $0 } ?? []
        // The replay tool itself works, on an input that every target must refuse quietly.
        let probe = temporaryFolder() + "/empty"
        FileManager.default.createFile(atPath: probe, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: (probe as NSString).deletingLastPathComponent) }
        let result = try run(builtExecutable(target), [probe] + files)
        #expect(result.status == 0, "\(target): \(result.err)")
        #expect(result.out.split(separator: "\n").count == files.count + 1, "\(target): \(result.out)")
    }
}
