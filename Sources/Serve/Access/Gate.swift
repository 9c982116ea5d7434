import Foundation

/// The checks every request passes before any route runs, in this order:
///
/// 1. **Host**: a name this server answers to (`AccessPolicy.names`), else 403. A page elsewhere
///    that rebinds its own name to this machine (DNS rebinding) sends its own name here.
/// 2. **Writes come from our page**: a request with a method other than GET or HEAD that carries an
///    `Origin`, or a `Sec-Fetch-Site`, from another site gets 403; one that changes state (every
///    route under `/api/runs` and `/api/lessons`, the only ones that do) must be `application/json` (415 otherwise),
///    which no plain HTML form on another site can send without the browser asking first. The two
///    reads that take a body, `/api/predict` and `/api/inspect`, take a PNG and store nothing.
/// 3. **The key**, beyond loopback: `/api/…` and `/reports/…` need the class or the teacher's key,
///    from this server's cookie (set by opening the printed link, `/?key=…`) or an
///    `Authorization: Bearer` header; else 401. The page's own files are public.
/// 4. **Who it is**: the `trainer_person` cookie, given to an API request that has none.
struct Gate: Sendable {
    let policy: AccessPolicy

    enum Admission {
        /// Go on with the route, as `visitor`; `cookies` go out with the answer (`Set-Cookie`).
        case admitted(Visitor, cookies: [String])
        case refused(WebResponse)
    }

    static let personCookie = "trainer_person"
    /// A person's cookie lasts a term, so that a student who comes back finds their runs theirs.
    static let personLifetime = 120 * 24 * 3600
    /// The key's cookie lasts a school day.
    static let keyLifetime = 12 * 3600
    /// Whether a request with a method other than GET or HEAD to `path` would change state: the
    /// playground's routes and the lessons', which start runs. (`/api/predict` and `/api/inspect`
    /// read a PNG and store nothing; any other route takes GET only and answers 405.)
    static func changesState(_ path: String) -> Bool {
        ["/api/runs", "/api/lessons"].contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    /// This server's key cookie, named by the teacher's key's fingerprint so that two servers on
    /// one machine (cookies ignore ports) keep their keys apart.
    var keyCookie: String? { policy.teacherKey.map { "trainer_key_" + $0.fingerprint } }

    func admit(_ request: WebRequest) -> Admission {
        if let host = request.headers["host"] {
            let name = AccessPolicy.hostName(host)
            guard policy.names.contains(name) else {
                return .refused(
                    .failure(
                        403,
                        "Host \(DigitWebApp.shown(host)) is not a name this server answers to; if it is yours, start serve with --allow-host \(DigitWebApp.shown(name))"
                    ))
            }
        }
        let safe = request.method == "GET" || request.method == "HEAD"
        if !safe {
            if let site = request.headers["sec-fetch-site"], site == "cross-site" || site == "same-site" {
                return .refused(.failure(403, "a request from another site cannot change anything here"))
            }
            if let origin = request.headers["origin"] {
                let ours = request.headers["host"].map { "http://" + $0.lowercased() }
                guard origin.lowercased() == ours else {
                    return .refused(
                        .failure(
                            403,
                            "a request from \(DigitWebApp.shown(origin)) cannot change anything here; use this server's own page"
                        ))
                }
            }
            if Self.changesState(request.path), request.mediaType != "application/json" {
                return .refused(
                    .failure(
                        415,
                        "send this as JSON (Content-Type: application/json, as curl --json does), not \(request.mediaType.map { DigitWebApp.shown($0) } ?? "without a type")"
                    ))
            }
        }
        var cookies: [String] = []
        var teacher = false
        let guarded = request.path.hasPrefix("/api/") || request.path.hasPrefix("/reports/")
        let sent = request.cookies
        if let keyCookie, let teacherKey = policy.teacherKey {
            let cookie = sent[keyCookie]
            let given = request.bearer ?? cookie ?? (guarded ? nil : request.query["key"])
            teacher = given.map(teacherKey.matches) ?? false
            let student = policy.classKey == nil || (given.map(policy.opens) ?? false)
            if guarded && !student {
                return .refused(
                    .failure(
                        401,
                        given == nil
                            ? "this server needs its access key: open the link trainer serve printed, or send Authorization: Bearer KEY"
                            : "that access key does not open this server; open the link trainer serve printed"))
            }
            // Opening the printed link keeps its key in a cookie the page's own requests carry.
            if !guarded, let key = request.query["key"], key != cookie, policy.opens(key) {
                cookies.append("\(keyCookie)=\(key); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Self.keyLifetime)")
            }
        }
        var person = Person.nobody
        if let id = sent[Self.personCookie], !id.isEmpty {
            person = Person(cookie: id)
        } else if request.path.hasPrefix("/api/") {
            // Not given with the page: a link followed from another site brings no Strict cookie,
            // and a new identity there would take the student's runs away from them.
            var generator = SystemRandomNumberGenerator()
            let id = randomHex(bytes: 16, using: &generator)
            person = Person(cookie: id)
            cookies.append(
                "\(Self.personCookie)=\(id); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Self.personLifetime)")
        }
        return .admitted(Visitor(person: person, managesAll: policy.loopbackOnly || teacher), cookies: cookies)
    }
}

extension WebRequest {
    /// The `Content-Type` without its parameters, lowercase.
    var mediaType: String? {
        headers["content-type"].map {
            $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }
    }

    /// The cookies sent, by name (the first of a repeated name).
    var cookies: [String: String] {
        var found: [String: String] = [:]
        for pair in (headers["cookie"] ?? "").split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = pair[..<equals].trimmingCharacters(in: .whitespaces)
            if found[name] == nil {
                found[name] = pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return found
    }

    /// The token of an `Authorization: Bearer` header.
    var bearer: String? {
        guard let value = headers["authorization"], value.lowercased().hasPrefix("bearer ") else { return nil }
        return value.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
    }
}
