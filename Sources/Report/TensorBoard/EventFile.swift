import Foundation
import Model

/// One TensorBoard event file being written: `events.out.tfevents.<seconds>.<host>`, a sequence of
/// TFRecords (the data's length as a little-endian u64, its masked CRC-32C, the data, the data's
/// masked CRC-32C), each an `Event` protocol buffer. Records are gathered in memory and reach the
/// file at `flush`, whole, so that a process killed between two flushes leaves every earlier
/// record readable. A new file never replaces one: the name gets `.1`, `.2`... when taken.
final class EventFileWriter {
    let path: String
    private let handle: FileHandle
    private var pending: [UInt8] = []

    /// Creates the file (and its folder) and writes the `file_version` event every reader expects first.
    init(folder: String, host: String, time: Date) throws(TensorBoardLogError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreate(folder, reason: error.localizedDescription)
        }
        let base = "\(folder)/events.out.tfevents.\(Int(time.timeIntervalSince1970)).\(host)"
        var (path, n) = (base, 0)
        var fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        while fd < 0 && errno == EEXIST && n < 1000 {
            n += 1
            path = "\(base).\(n)"
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw .cannotCreate(path, reason: String(cString: strerror(errno))) }
        self.path = path
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        append(TensorBoardEvent.fileVersion(time: time))
        try flush()
    }

    /// Adds one record; it reaches the file at the next `flush`.
    func append(_ event: ProtobufMessage) {
        let data = event.bytes
        var length = [UInt8]()
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { length.append(contentsOf: $0) }
        pending += length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { pending.append(contentsOf: $0) }
        pending += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { pending.append(contentsOf: $0) }
    }

    /// Writes every record added since the last flush.
    func flush() throws(TensorBoardLogError) {
        guard !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: pending)
        } catch {
            throw .cannotWrite(path, reason: error.localizedDescription)
        }
        pending.removeAll(keepingCapacity: true)
    }
}

/// Reads TFRecord event files: this program's own, when a resumed run continues its log, and
/// any other for a test. Every record's checksums are checked.
public enum EventFileReader {
    /// The records of `path`, in order. A last record cut short (a writer killed mid-write) ends
    /// the list; a record that fails its CRC is an error.
    public static func records(ofFile path: String) throws(TensorBoardLogError) -> [[UInt8]] {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= readLimit else {
            throw .cannotRead(
                path, reason: "\(size >> 20) MiB, more than a log of ours grows to; choose another --log-dir")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotRead(path, reason: "no such file, or unreadable")
        }
        let bytes = [UInt8](data)
        var (records, at) = ([[UInt8]](), 0)
        while at + 12 <= bytes.count {
            let lengthBytes = bytes[at..<at + 8]
            let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard CRC32C.masked(lengthBytes) == word(bytes, at + 8) else { throw .corrupt(path, offset: at) }
            let room = bytes.count - at - 16
            guard room >= 0, length <= UInt64(room) else { break }  // cut short
            let record = Array(bytes[at + 12..<at + 12 + Int(length)])
            guard CRC32C.masked(record) == word(bytes, at + 12 + Int(length)) else { throw .corrupt(path, offset: at) }
            records.append(record)
            at += 16 + Int(length)
        }
        return records
    }

    /// The largest event file read back: a run's log grows by about 10 KB an epoch, so a larger
    /// file is another program's, and is not read into memory.
    public static let readLimit = 256 << 20

    /// The event files of `folder` (not its sub-folders), oldest name first, as TensorBoard reads them.
    public static func eventFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.contains("tfevents") }.sorted().map { folder + "/" + $0 }
    }

    /// The largest step written under each tag in `folder`'s event files (empty: no log there).
    public static func lastSteps(in folder: String) throws(TensorBoardLogError) -> [String: Int] {
        var last: [String: Int] = [:]
        for file in eventFiles(in: folder) {
            for record in try records(ofFile: file) {
                let event = ProtobufFields(record)
                // Event: 2 step, 5 summary; Summary: 1 value; Summary.Value: 1 tag.
                guard let step = event.integer(2) ?? (event.has(5) ? 0 : nil) else { continue }
                for summary in event.messages(5) {
                    for value in ProtobufFields(summary).messages(1) {
                        let tag = String(decoding: ProtobufFields(value).messages(1).first ?? [], as: UTF8.self)
                        last[tag] = max(last[tag] ?? step, step)
                    }
                }
            }
        }
        return last
    }

    private static func word(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        bytes[at..<at + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}

/// The top-level fields of one protocol buffer: varints and length-delimited fields (strings,
/// nested messages), enough to know which tags an event holds and at which step.
struct ProtobufFields {
    private var varints: [Int: UInt64] = [:]
    private var delimited: [Int: [[UInt8]]] = [:]
    private var present: Set<Int> = []

    init(_ bytes: [UInt8]) {
        var at = 0
        func varint() -> UInt64? {
            var (value, shift) = (UInt64(0), UInt64(0))
            while at < bytes.count && shift < 64 {
                let b = bytes[at]
                at += 1
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
            return nil
        }
        while at < bytes.count, let key = varint() {
            let field = Int(truncatingIfNeeded: key >> 3)
            present.insert(field)
            switch key & 7 {
            case 0:
                guard let v = varint() else { return }
                varints[field] = v
            case 1: at += 8
            case 5: at += 4
            case 2:
                guard let n = varint(), n <= UInt64(bytes.count - at) else { return }
                delimited[field, default: []].append(Array(bytes[at..<at + Int(n)]))
                at += Int(n)
            default: return
            }
        }
    }

    func has(_ field: Int) -> Bool { present.contains(field) }
    func integer(_ field: Int) -> Int? { varints[field].map { Int(truncatingIfNeeded: $0) } }
    /// Every occurrence of a length-delimited field, in order.
    func messages(_ field: Int) -> [[UInt8]] { delimited[field] ?? [] }
}
