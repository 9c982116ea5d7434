#if !canImport(Accelerate)
    import CDNNL

    /// C = alpha · op(A) · op(B) + beta · C with bf16 A and B and fp32 C, accumulated in fp32, through
    /// oneDNN's matmul primitive (dnnl_sgemm has no bf16 form). Each shape's primitive is made on
    /// first use and kept, with its own memory objects, so a call costs one execution; one instance
    /// per thread, since those memory objects hold the pointers of the call in flight.
    public final class BF16GEMM {
        private let stream: dnnl_stream_t
        private var kernels: [Shape: Kernel] = [:]

        /// Everything a primitive is made for. alpha is not part of it: it changes with every learning
        /// rate, so it is given at execution; beta (the sum post-op's scale) is fixed per primitive.
        private struct Shape: Hashable {
            let transposeA: Bool, transposeB: Bool
            let m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
            let beta: Float
        }

        private final class Kernel {
            let primitive: dnnl_primitive_t
            let a: dnnl_memory_t, b: dnnl_memory_t, c: dnnl_memory_t, scale: dnnl_memory_t
            let alpha: UnsafeMutablePointer<Float>
            /// The execution's arguments, made once: a call only swaps the pointers inside a, b and c.
            let arguments: UnsafeMutablePointer<dnnl_exec_arg_t>

            init(_ shape: Shape, engine: dnnl_engine_t) {
                func describe(_ rows: Int, _ columns: Int, rowStride: Int, columnStride: Int, _ type: dnnl_data_type_t)
                    -> dnnl_memory_desc_t
                {
                    var md = dnnl_memory_desc_t()
                    var dims: [dnnl_dim_t] = [dnnl_dim_t(rows), dnnl_dim_t(columns)]
                    var strides: [dnnl_dim_t] = [dnnl_dim_t(rowStride), dnnl_dim_t(columnStride)]
                    BF16GEMM.check(
                        dnnl_memory_desc_init_by_strides(&md, 2, &dims, type, &strides), "a memory descriptor")
                    return md
                }
                // Row-major storage; a transposed operand is the same bytes read with swapped strides.
                var aDesc =
                    shape.transposeA
                    ? describe(shape.m, shape.k, rowStride: 1, columnStride: shape.lda, dnnl_bf16)
                    : describe(shape.m, shape.k, rowStride: shape.lda, columnStride: 1, dnnl_bf16)
                var bDesc =
                    shape.transposeB
                    ? describe(shape.k, shape.n, rowStride: 1, columnStride: shape.ldb, dnnl_bf16)
                    : describe(shape.k, shape.n, rowStride: shape.ldb, columnStride: 1, dnnl_bf16)
                var cDesc = describe(shape.m, shape.n, rowStride: shape.ldc, columnStride: 1, dnnl_f32)
                var matmul = dnnl_matmul_desc_t()
                BF16GEMM.check(dnnl_matmul_desc_init(&matmul, &aDesc, &bDesc, nil, &cDesc), "the matmul descriptor")

                var attributes: dnnl_primitive_attr_t?
                BF16GEMM.check(dnnl_primitive_attr_create(&attributes), "the primitive attributes")
                var runtimeScale = dnnl_runtime_f32_value()
                BF16GEMM.check(
                    dnnl_primitive_attr_set_output_scales(attributes, 1, 0, &runtimeScale), "the output scale")
                var postOps: dnnl_post_ops_t?
                if shape.beta != 0 {
                    BF16GEMM.check(dnnl_post_ops_create(&postOps), "the post-ops")
                    BF16GEMM.check(dnnl_post_ops_append_sum(postOps, shape.beta), "the sum post-op")
                    BF16GEMM.check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "the post-ops")
                }
                var descriptor: dnnl_primitive_desc_t?
                BF16GEMM.check(
                    dnnl_primitive_desc_create(&descriptor, &matmul, attributes, engine, nil),
                    "the matmul primitive descriptor")
                var primitive: dnnl_primitive_t?
                BF16GEMM.check(dnnl_primitive_create(&primitive, descriptor), "the matmul primitive")
                dnnl_primitive_desc_destroy(descriptor)
                if let postOps { dnnl_post_ops_destroy(postOps) }
                dnnl_primitive_attr_destroy(attributes)
                self.primitive = primitive!

                func memory(_ desc: inout dnnl_memory_desc_t) -> dnnl_memory_t {
                    var made: dnnl_memory_t?
                    BF16GEMM.check(dnnl_memory_create(&made, &desc, engine, nil), "a memory object")
                    return made!
                }
                (a, b, c) = (memory(&aDesc), memory(&bDesc), memory(&cDesc))
                var scaleDesc = dnnl_memory_desc_t()
                var one: [dnnl_dim_t] = [1]
                BF16GEMM.check(
                    dnnl_memory_desc_init_by_tag(&scaleDesc, 1, &one, dnnl_f32, dnnl_x), "the scale's descriptor")
                alpha = .allocate(capacity: 1)
                alpha.initialize(to: 1)
                scale = memory(&scaleDesc)
                BF16GEMM.check(dnnl_memory_set_data_handle(scale, alpha), "the scale's memory")
                arguments = .allocate(capacity: 4)
                arguments.initialize(
                    from: [
                        dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: a),
                        dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: b),
                        dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: c),
                        dnnl_exec_arg_t(arg: DNNL_ARG_ATTR_OUTPUT_SCALES, memory: scale)
                    ], count: 4)
            }

            deinit {
                for m in [a, b, c, scale] { dnnl_memory_destroy(m) }
                dnnl_primitive_destroy(primitive)
                alpha.deallocate()
                arguments.deallocate()
            }
        }

        /// The CPU engine every instance shares (engines are thread-safe; streams are not).
        nonisolated(unsafe) private static let engine: dnnl_engine_t = {
            var engine: dnnl_engine_t?
            check(dnnl_engine_create(&engine, dnnl_cpu, 0), "the CPU engine")
            return engine!
        }()

        public init() {
            var stream: dnnl_stream_t?
            Self.check(dnnl_stream_create(&stream, Self.engine, dnnl_stream_default_flags.rawValue), "a stream")
            self.stream = stream!
        }

        deinit {
            kernels.removeAll()
            dnnl_stream_destroy(stream)
        }

        /// Row-major C (m × n, fp32) = alpha · op(A) · op(B) + beta · C, with op(A) m × k and op(B) k × n
        /// in bf16; with beta = 0, C is only written. Runs on the calling thread only.
        public func callAsFunction(
            transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
            alpha: Float, a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int,
            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
        ) {
            guard m > 0 && n > 0 && k > 0 else { return }
            let shape = Shape(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc,
                beta: beta)
            let kernel: Kernel
            if let made = kernels[shape] {
                kernel = made
            } else {
                kernel = Kernel(shape, engine: Self.engine)
                kernels[shape] = kernel
            }
            omp_set_num_threads(1)  // as for dnnl_sgemm: the team splits the work, not OpenMP
            kernel.alpha.pointee = alpha
            Self.check(dnnl_memory_set_data_handle(kernel.a, UnsafeMutableRawPointer(mutating: a)), "A's memory")
            Self.check(dnnl_memory_set_data_handle(kernel.b, UnsafeMutableRawPointer(mutating: b)), "B's memory")
            Self.check(dnnl_memory_set_data_handle(kernel.c, c), "C's memory")
            Self.check(dnnl_primitive_execute(kernel.primitive, stream, 4, kernel.arguments), "the matmul")
            Self.check(dnnl_stream_wait(stream), "the matmul's stream")
        }

        /// oneDNN refuses only what we built wrongly (or bf16 on a CPU `Precision.nativeBF16` turned
        /// away, which callers check first): a programming error, not a user's.
        private static func check(_ status: dnnl_status_t, _ what: String) {
            precondition(status == dnnl_success, "oneDNN refused \(what) (status \(status.rawValue))")
        }
    }
#else
    /// Apple platforms: bf16 products as fp32 GEMMs of the widened operands (exact, since every bf16 is
    /// an fp32, and accumulated in fp32 as the native kernels do), for portability only:
    /// `Precision.nativeBF16` is false there, so training never chooses it.
    public final class BF16GEMM {
        private var widened: [Float] = []

        public init() {}

        public func callAsFunction(
            transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
            alpha: Float, a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int,
            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
        ) {
            guard m > 0 && n > 0 && k > 0 else { return }
            // Stored rows × columns, the last row only as long as it is read.
            let aCount = ((transposeA ? k : m) - 1) * lda + (transposeA ? m : k)
            let bCount = ((transposeB ? n : k) - 1) * ldb + (transposeB ? k : n)
            widened = (0..<aCount).map { BFloat16.value(a[$0]) } + (0..<bCount).map { BFloat16.value(b[$0]) }
            widened.withUnsafeBufferPointer { w in
                Float.gemm(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: w.baseAddress!,
                    lda: lda,
                    b: w.baseAddress! + aCount, ldb: ldb, beta: beta, c: c, ldc: ldc)
            }
        }
    }
#endif
