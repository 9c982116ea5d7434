import Dataset
import Foundation
import Testing

/// A fresh temporary folder for one test.
public func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "digit-trainer-tests-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The real MNIST folder: $MNIST_MIRROR when it is a folder, else data/mnist in the package.
/// Tests that need it fail (not skip) when it is missing, saying how to get it.
public func mnistFolder() -> String? {
    if let mirror = ProcessInfo.processInfo.environment["MNIST_MIRROR"], !mirror.contains("://"),
        (try? MNISTFiles.locate(in: mirror)) != nil
    {
        return mirror
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    let local = packageRoot + "/data/mnist"
    if (try? MNISTFiles.locate(in: local)) != nil { return local }
    Issue.record("MNIST not found: run scripts/fetch-mnist or set MNIST_MIRROR to a folder holding the four .gz files")
    return nil
}

/// Real MNIST, loaded once per test process; every test that asks for it and does not get it fails.
public var sharedMNIST: TrainAndTest? {
    if cachedMNIST.data == nil { Issue.record("MNIST could not be loaded: \(cachedMNIST.problem)") }
    return cachedMNIST.data
}

private let cachedMNIST: (data: TrainAndTest?, problem: String) = {
    guard let folder = mnistFolder() else { return (nil, "no folder") }
    do {
        return (try TrainAndTest(kind: .mnist, folder: folder), "")
    } catch {
        return (nil, "\(error)")
    }
}()
