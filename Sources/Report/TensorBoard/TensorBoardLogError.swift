/// Why a TensorBoard log cannot be written or read, naming the file or folder.
public enum TensorBoardLogError: Error, Equatable, CustomStringConvertible {
    /// A new run's log would land among another run's events.
    case folderHasLog(String)
    case cannotCreate(String, reason: String)
    case cannotWrite(String, reason: String)
    case cannotRead(String, reason: String)
    /// A record whose length or data fails its checksum, `offset` bytes into the file.
    case corrupt(String, offset: Int)

    public var description: String {
        switch self {
        case .folderHasLog(let folder):
            return
                "\(folder): already holds a TensorBoard log of another run; choose another --log-dir (a resumed run continues its own)"
        case .cannotCreate(let path, let reason): return "\(path): cannot create the TensorBoard log (\(reason))"
        case .cannotWrite(let path, let reason): return "\(path): cannot write the TensorBoard log (\(reason))"
        case .cannotRead(let path, let reason): return "\(path): cannot read the TensorBoard log (\(reason))"
        case .corrupt(let path, let offset):
            return "\(path): not a TensorBoard event file, or damaged: the record at byte \(offset) fails its CRC-32C"
        }
    }
}
