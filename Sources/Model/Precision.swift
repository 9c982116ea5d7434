#if !canImport(Accelerate)
    import CDNNL
#endif

/// The number format of the training step's matrix products. Everything else (master weights,
/// velocity, biases, activations' functions, loss, softmax, updates) is fp32 in both.
public enum Precision: String, Codable, Sendable {
    /// Every product in fp32.
    case fp32
    /// Mixed precision as the field trains: the GEMMs' operands rounded to bfloat16 (8 bits of
    /// mantissa), products accumulated in fp32. About twice the GEMM throughput on CPUs with native
    /// bf16 dot products (AVX512_BF16, AMX), for accuracy within noise of fp32 on these networks.
    case bf16
    /// Not a format but a choice between the two: whichever this CPU runs the run's own step faster
    /// in, measured when it starts (`PrecisionChoice`). A run trains, and its checkpoint records,
    /// the format chosen.
    case auto

    /// The number formats, fp32 first.
    public static let formats: [Precision] = [.fp32, .bf16]
    /// Everything `--precision` takes.
    public static let settings: [Precision] = formats + [.auto]

    /// Whether this CPU and build run bf16 products natively; without that oneDNN would emulate
    /// them more slowly than fp32, which defeats their purpose.
    public static var nativeBF16: Bool {
        #if canImport(Accelerate)
            return false
        #else
            return supportsBF16(dnnl_get_effective_cpu_isa())
        #endif
    }

    /// Whether this CPU runs this precision natively: fp32 always, bf16 where `nativeBF16` says so,
    /// auto everywhere (it chooses among those). The one test behind every "not here" of training,
    /// bench, and the playground's form.
    public var isAvailable: Bool { self != .bf16 || Self.nativeBF16 }

    /// The number formats this CPU runs natively, fp32 first.
    public static var available: [Precision] { formats.filter(\.isAvailable) }

    /// What the GEMM library reports for this CPU, for messages: "avx512_core_bf16", "avx2".
    public static var cpuInstructionSet: String {
        #if canImport(Accelerate)
            return "Accelerate"
        #else
            let name = String(cString: dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()))
            return name.hasPrefix("cpu_isa_") ? String(name.dropFirst("cpu_isa_".count)) : name
        #endif
    }

    #if !canImport(Accelerate)
        /// The instruction sets with a native bf16 dot product, as oneDNN 2.x names them.
        static func supportsBF16(_ isa: dnnl_cpu_isa_t) -> Bool {
            isa == dnnl_cpu_isa_avx512_core_bf16 || isa == dnnl_cpu_isa_avx512_core_amx
        }
    #endif
}
