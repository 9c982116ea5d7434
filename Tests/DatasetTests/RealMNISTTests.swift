import Dataset
import Foundation
import Testing
import TestSupport

@Suite struct RealMNISTTests {
    @Test func officialFilesLoadWithKnownContents() throws {
        guard let folder = mnistFolder() else { return }
        let data = try TrainAndTest(kind: .mnist, folder: folder)
        #expect(data.train.count == 60000 && data.test.count == 10000)
        #expect(data.train.rows == 28 && data.train.cols == 28)
        #expect(data.train.labels.prefix(10) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        var counts = [Int](repeating: 0, count: 10)
        for label in data.train.labels { counts[Int(label)] += 1 }
        #expect(counts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(
            data.sha256["train-images-idx3-ubyte.gz"]
                == "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609")
        #expect(data.train.levels.count == 60000 * 784)
        #expect(data.train.levels.max() == 255 && data.train.levels.min() == 0)
        #expect(data.train.image(0).max() == 1 && data.train.image(0).min() == 0)
    }
}
