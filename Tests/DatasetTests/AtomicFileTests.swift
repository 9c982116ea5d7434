import Dataset
import Foundation
import Testing
import TestSupport

@Suite struct AtomicFileTests {
    @Test func replacesWholeAndLeavesNothingBeside() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/sub/model.safetensors"  // the missing folder is created
        try AtomicFile.write([1, 2, 3], to: path)
        try AtomicFile.write("second", to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("second".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/sub") == ["model.safetensors"])
    }

    @Test func removesWhatAKilledWriterLeftButNotALiveOnes() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A process that has exited: its pid names no running writer.
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let abandoned = folder + "/.m.safetensors.\(finished.processIdentifier).tmp"
        let live = folder + "/.m.safetensors.\(getppid()).tmp"  // our parent is running
        let other = folder + "/.other.safetensors.\(finished.processIdentifier).tmp"
        for file in [abandoned, live, other] {
            FileManager.default.createFile(atPath: file, contents: Data("torn".utf8))
        }
        try AtomicFile.write([7], to: folder + "/m.safetensors")
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: live), "a live writer's file was removed")
        #expect(FileManager.default.fileExists(atPath: other), "another file's temporary was removed")
    }

    @Test func aFailedWriteKeepsTheOldFile() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/m.safetensors"
        try AtomicFile.write("old", to: path)
        // A folder where the temporary file would go makes the write fail.
        try FileManager.default.createDirectory(
            atPath: folder + "/.m.safetensors.\(getpid()).tmp", withIntermediateDirectories: false)
        #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.write("new", to: path) }
        #expect(FileManager.default.contents(atPath: path) == Data("old".utf8))
    }
}
