import Dataset
import Foundation
import Model
import Report

/// `serve`'s routes, independent of the server library that carries them, so every route can be
/// tested in process by calling `respond(to:)`:
///
/// | route | answer |
/// |---|---|
/// | `GET /`, `/*.css`, `/*.js` | the page (`WebPage`: its files, nothing from the network) |
/// | `POST /api/predict` | a PNG in the body → `predict --json`'s object plus the image the model saw |
/// | `GET /api/model` | the model card |
/// | `GET /api/reports` | the ablation reports found under `--reports` |
/// | `GET /reports/<k>/<path>` | a file of the k-th `--reports` folder, as it is |
/// | `POST /api/inspect` | a PNG → `inspect --json`'s object (layers, saliency) |
/// | `GET /api/weights?unit=J` | first-layer unit J's weights as a picture |
/// | `GET /api/activations` | every activation's f and f′, parameter, init and rate, for the gallery (`ActivationCard`) |
/// | `/api/runs…` | the playground (`PlaygroundRoutes.swift`) |
/// | `/api/lessons…` | the lessons, which start playground runs (`LessonRoutes.swift`) |
///
/// `?run=ID` on predict, inspect and weights reads with a playground run's current weights instead.
///
/// Every request passes the `Gate` first (its `Host`, where a write comes from, the key beyond
/// loopback, who sent it).
///
/// Every failure is `{"error": ..., "status": N}`: 400 for a picture that is no PNG or a bad
/// query, 401/403/415 from the gate, 404 for an unknown path, 405 with `Allow` for a wrong method,
/// 413 for a body over `bodyLimit` (answered by the transport, which alone sees the body arrive).
public struct DigitWebApp: Sendable {
    /// A model given with `--model`: the first is the page's, the others are there to compare (`?model=K`).
    public struct Served: Sendable {
        public let file: String
        let classifier: DigitClassifier
        let inspector: Inspector
        let card: ModelCard

        public init(checkpoint: Checkpoint, file: String, minConfidence: Double) throws {
            self.file = file
            classifier = try DigitClassifier(checkpoint: checkpoint)
            inspector = Inspector(network: classifier.network)
            card = ModelCard(checkpoint, classifier: classifier, file: file, minConfidence: minConfidence)
        }
    }

    let served: [Served]
    var classifier: DigitClassifier { served[0].classifier }
    /// The Train panel's runs; nil when serving without one (tests of the reading routes).
    let playground: Playground?
    let card: [UInt8]
    let reports: ReportFolders
    let minConfidence: Double
    /// Where the page's files come from.
    let page: WebPage
    /// The largest request body read, in bytes: a 280×280 drawing is ~10 KB, a phone photo a few MB.
    let bodyLimit: Int
    let gate: Gate

    public static let defaultBodyLimit = 8 << 20
    /// A longer side than this is refused before decoding: 16 megapixels is a phone photo, and a
    /// 10,000² PNG bomb would cost each request half a gigabyte.
    static let maximumPictureSide = 4096

    public init(
        checkpoint: Checkpoint, modelFile: String, reports: ReportFolders, minConfidence: Double = 0.5,
        bodyLimit: Int = defaultBodyLimit, playground: Playground? = nil, others: [Served] = [],
        page: WebPage = WebPage(), access: AccessPolicy = .loopback()
    ) throws {
        self.page = page
        gate = Gate(policy: access)
        served = [try Served(checkpoint: checkpoint, file: modelFile, minConfidence: minConfidence)] + others
        self.playground = playground
        card = WebResponse.json(served[0].card).body
        self.reports = reports
        self.minConfidence = minConfidence
        self.bodyLimit = bodyLimit
    }

    func respond(to request: WebRequest) -> WebResponse {
        switch gate.admit(request) {
        case .refused(let refusal): return refusal
        case .admitted(let visitor, let cookies):
            var response = route(request, visitor: visitor)
            response.cookies += cookies
            return response
        }
    }

    private func route(_ request: WebRequest, visitor: Visitor) -> WebResponse {
        let path = request.path
        switch path {
        case "/api/predict":
            return only(["POST"], request) { predict(request) }
        case "/api/inspect":
            return only(["POST"], request) { inspect(request) }
        case "/api/weights":
            return only(["GET", "HEAD"], request) { weights(request) }
        case "/api/activations":
            return only(["GET", "HEAD"], request) { activationGallery(request) }
        case "/api/playground":
            return only(["GET", "HEAD"], request) { playgroundCard(visitor) }
        case "/api/events":
            return only(["GET"], request) { eventsOfRuns(request) }
        case "/api/models":
            return only(["GET", "HEAD"], request) {
                .json(
                    ModelList(
                        models: served.enumerated().map { k, model in
                            var card = model.card
                            card.index = k
                            return card
                        }))
            }
        case "/api/model":
            return only(["GET", "HEAD"], request) {
                WebResponse(
                    status: 200, contentType: "application/json; charset=utf-8", body: card,
                    headers: ["Cache-Control": "no-store"])
            }
        case "/api/reports":
            return only(["GET", "HEAD"], request) { reportList() }
        case "/favicon.ico":
            return only(["GET", "HEAD"], request) { WebResponse(status: 204, contentType: "image/x-icon", body: []) }
        default:
            if path == "/api/lessons" || path.hasPrefix("/api/lessons/") {
                return lessons(request, rest: path.dropFirst("/api/lessons".count), visitor: visitor)
            }
            if path == "/api/runs" || path.hasPrefix("/api/runs/") {
                var response = runs(request, rest: path.dropFirst("/api/runs".count), visitor: visitor)
                if request.method == "HEAD" {
                    response.headers["Content-Length"] = String(response.body.count); response.body = []
                }
                return response
            }
            if WebPage.served[path] != nil {
                return only(["GET", "HEAD"], request) {
                    page.response(for: path, acceptsGzip: WebPage.acceptsGzip(request.headers["accept-encoding"]))!
                }
            }
            if path.hasPrefix("/reports/") {
                return only(["GET", "HEAD"], request) { reportFile(path.dropFirst("/reports/".count)) }
            }
            return .failure(404, "no such page: \(Self.shown(path))")
        }
    }

    /// The 413 answer, for the transport to send when a body grows past `bodyLimit`.
    var tooLarge: WebResponse {
        .failure(
            413, "the body is larger than the \(Self.size(bodyLimit)) limit; send a PNG of a digit, not a photo album",
            headers: ["Connection": "close"])
    }

    // MARK: Routes

    private func predict(_ request: WebRequest) -> WebResponse {
        let top: Int
        if let value = request.query["top"] {
            guard let n = Int(value), n >= 1 else {
                return .failure(400, "top=\(value): give a whole number of at least 1")
            }
            top = n
        } else {
            top = classifier.classNames.count
        }
        var minimum = minConfidence
        if let value = request.query["min_confidence"] {
            guard let p = Double(value), (0...1).contains(p) else {
                return .failure(400, "min_confidence=\(value): give a probability between 0 and 1")
            }
            minimum = p
        }
        switch reading(request) {
        case .failure(let failure): return failure.response
        case .success(let (reading, _)):
            let record = PredictionRecord(reading, top: top, minConfidence: minimum, image: true)
            return WebResponse(
                status: 200, contentType: "application/json; charset=utf-8", body: record.json,
                headers: ["Cache-Control": "no-store"])
        }
    }

    private func inspect(_ request: WebRequest) -> WebResponse {
        switch reading(request) {
        case .failure(let failure): return failure.response
        case .success(let (reading, inspector)):
            let name =
                request.query["run"].map { "run " + Self.shown($0) }
                ?? served[Int(request.query["model"] ?? "0") ?? 0].file
            let record = InspectionRecord(reading, inspector: inspector, minConfidence: minConfidence, model: name)
            return WebResponse(
                status: 200, contentType: "application/json; charset=utf-8", body: record.json,
                headers: ["Cache-Control": "no-store"])
        }
    }

    private func weights(_ request: WebRequest) -> WebResponse {
        let network: MLP<Float>
        switch model(for: request) {
        case .failure(let failure): return failure.response
        case .success(let (found, _)): network = found.network
        }
        let units = network.architecture.hidden[0]
        guard let text = request.query["unit"], let unit = Int(text), (0..<units).contains(unit) else {
            return .failure(400, "unit=\(request.query["unit"] ?? ""): give a first-layer unit from 0 to \(units - 1)")
        }
        let picture = LiveFigures.picture(ofUnit: unit, in: network)
        return .json(
            UnitWeights(
                unit: unit, side: network.architecture.imageSide ?? 0, scale: Double(picture.scale),
                weights: picture.weights.map(Int.init)))
    }

    /// A failure answer, carried through `Result`.
    struct Refusal: Error {
        let response: WebResponse
    }

    /// The classifier and inspector a request asks for: the served model (`?model=K`, default the
    /// first), or `?run=ID`'s current weights.
    private func model(for request: WebRequest) -> Result<(DigitClassifier, Inspector), Refusal> {
        guard let id = request.query["run"] else {
            guard let text = request.query["model"] else { return .success((classifier, served[0].inspector)) }
            guard let k = Int(text), served.indices.contains(k) else {
                return .failure(
                    Refusal(
                        response: .failure(
                            400, "model=\(Self.shown(text)): give a served model's index, 0 to \(served.count - 1)")))
            }
            return .success((served[k].classifier, served[k].inspector))
        }
        guard let playground else {
            return .failure(Refusal(response: .failure(404, "no runs here: this server has no playground")))
        }
        do {
            let (network, dataset) = try playground.model(id)
            let reader = try DigitClassifier(network: network, dataset: dataset)
            return .success((reader, Inspector(network: network)))
        } catch let problem as Playground.Problem {
            return .failure(Refusal(response: .failure(problem.status, problem.description)))
        } catch {
            return .failure(Refusal(response: .failure(400, "run \(Self.shown(id)): \(error)")))
        }
    }

    /// The body's PNG read by the model the request names (`preprocess=false` only scales it).
    private func reading(_ request: WebRequest) -> Result<(DigitReading, Inspector), Refusal> {
        var preprocess = true
        if let value = request.query["preprocess"] {
            guard let flag = ["true": true, "1": true, "false": false, "0": false][value.lowercased()] else {
                return .failure(Refusal(response: .failure(400, "preprocess=\(value): give true or false")))
            }
            preprocess = flag
        }
        guard !request.body.isEmpty else {
            return .failure(
                Refusal(
                    response: .failure(400, "the body is empty; POST the PNG's bytes (curl --data-binary @digit.png)")))
        }
        let picture: GrayImage
        do {
            picture = try PNG.decode(request.body, path: "the body", maximumSide: Self.maximumPictureSide)
        } catch {
            return .failure(Refusal(response: .failure(400, "\(error)")))
        }
        return model(for: request).map { reader, inspector in (reader.read(picture, preprocess: preprocess), inspector)
        }
    }

    private func reportList() -> WebResponse {
        .json(
            ReportList(
                reports: reports.reports().map {
                    .init(
                        title: $0.title, folder: $0.folder, url: $0.url,
                        modified: $0.modified.map { Checkpoint.dateFormat.string(from: $0) })
                }, folders: reports.roots.map(\.given)))
    }

    private func reportFile(_ rest: Substring) -> WebResponse {
        let notFound = WebResponse.failure(404, "no such report file: /reports/\(Self.shown(String(rest)))")
        guard let slash = rest.firstIndex(of: "/"), let k = Int(rest[..<slash]),
            let file = reports.file(root: k, path: String(rest[rest.index(after: slash)...]))
        else { return notFound }
        guard let bytes = try? readFileBytes(file, limit: Self.reportFileLimit) else { return notFound }
        return WebResponse(
            status: 200, contentType: ReportFolders.contentType(of: file), body: bytes,
            headers: ["Cache-Control": "no-cache", "Content-Security-Policy": Self.reportPolicy])
    }

    /// What a shared report file may do: nothing but show itself. Sandboxed (its own origin, no
    /// scripts), so a page in a shared folder cannot drive this server's API; the report's own
    /// style sheet allowed by its hash.
    static let reportPolicy =
        "sandbox; default-src 'none'; img-src 'self' data:; style-src 'sha256-\(Data(sha256(Array(ReportFiles.texts["report.css"]!.utf8))).base64EncodedString())'"

    /// Report files are pages, charts and tables: kilobytes. Anything past this is not one.
    static let reportFileLimit = 64 << 20

    // MARK: Helpers

    /// Runs `answer` when the request's method is one of `methods`, else answers 405 with `Allow`.
    func only(_ methods: [String], _ request: WebRequest, _ answer: () -> WebResponse) -> WebResponse {
        guard methods.contains(request.method) else {
            return .failure(
                405, "\(request.method) is not allowed here; use \(methods.joined(separator: " or "))",
                headers: ["Allow": methods.joined(separator: ", ")])
        }
        var response = answer()
        if request.method == "HEAD" {
            response.headers["Content-Length"] = String(response.body.count); response.body = []
        }
        return response
    }

    /// A path as it may be echoed in an error: printable, and not too long.
    static func shown(_ path: String) -> String {
        let printable = String(path.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
        return printable.count > 120 ? String(printable.prefix(120)) + "…" : printable
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : bytes >= 1 << 10 ? "\(bytes >> 10) KiB" : "\(bytes)-byte"
    }
}
