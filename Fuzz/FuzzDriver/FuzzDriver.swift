import Foundation

/// Runs libFuzzer on a Swift function: the fuzz targets' entry point when built with
/// `-sanitize=fuzzer` (scripts/fuzz), where libFuzzer's runtime is linked in.
public enum FuzzDriver {
    private typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    private typealias RunDriver =
        @convention(c) (
            UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
            Callback
        ) -> CInt

    /// The entry point of a fuzz target. Built by scripts/fuzz (with -DFUZZING, AddressSanitizer and
    /// libFuzzer's runtime) it fuzzes `body`; built normally it replays saved inputs through it:
    /// `FuzzPNG FILE...`, for a finding kept as a regression.
    public static func main(_ body: @escaping ([UInt8]) -> Void) -> Never {
        #if FUZZING
            exit(run(body))
        #else
            for path in CommandLine.arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    fatalError("\(path): cannot be read")
                }
                body([UInt8](data))
                print("\(path): ok")
            }
            exit(0)
        #endif
    }

    /// The function under test; libFuzzer calls back through a C function, which cannot capture it.
    nonisolated(unsafe) private static var target: (([UInt8]) -> Void)?

    /// Hands the command line to libFuzzer (`-max_total_time=…` and the corpus folders) and
    /// returns its exit status.
    static func run(_ body: @escaping ([UInt8]) -> Void) -> CInt {
        #if os(Linux)
            let everywhere: UnsafeMutableRawPointer? = nil  // RTLD_DEFAULT on glibc
        #else
            let everywhere = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT on Darwin
        #endif
        // Found only when the executable exports it (scripts/fuzz links with --export-dynamic).
        guard let symbol = dlsym(everywhere, "LLVMFuzzerRunDriver") else {
            print("this target was not built with -sanitize=fuzzer; use scripts/fuzz")
            return 2
        }
        target = body
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        return unsafeBitCast(symbol, to: RunDriver.self)(&argc, &argv) { data, size in
            FuzzDriver.target!(size == 0 ? [] : [UInt8](UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
}
