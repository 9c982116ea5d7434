import Foundation

/// Who may reach `serve`, decided once when it starts:
///
/// | serving on | names accepted in `Host` | key | who manages every run |
/// |---|---|---|---|
/// | loopback (127.0.0.1, ::1, localhost) | loopback names, `--allow-host` | none | everyone (it is one machine's user) |
/// | any other address | loopback names, the address (for 0.0.0.0 or ::, every address and name of this machine), `--allow-host` | the class key, or `--open` for none | the teacher's key |
///
/// Browsers visit other sites meanwhile, so loopback is not a wall: a page elsewhere can rebind its
/// own name to 127.0.0.1 (the `Host` check refuses it) or post a plain form to us (the write checks
/// in `Gate` refuse it).
public struct AccessPolicy: Sendable {
    /// Host names (lowercase, no port; IPv6 without brackets) whose requests reach the app.
    public let names: Set<String>
    /// Opens the API for students; nil when none is needed (loopback, or `--open`).
    public let classKey: AccessKey?
    /// Opens it for the teacher, who may manage every run; nil on loopback, where everyone may.
    public let teacherKey: AccessKey?

    public var loopbackOnly: Bool { teacherKey == nil }

    /// Whether `key` is the class's or the teacher's key.
    func opens(_ key: String) -> Bool {
        (teacherKey?.matches(key) ?? false) || (classKey?.matches(key) ?? false)
    }

    public static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "::1"]

    /// Serving on loopback: loopback names and `allowed` ones, no key, everyone manages all.
    public static func loopback(allowing allowed: [String] = []) -> AccessPolicy {
        AccessPolicy(names: loopbackNames.union(allowed.map(normalized)), classKey: nil, teacherKey: nil)
    }

    public init(names: Set<String>, classKey: AccessKey?, teacherKey: AccessKey?) {
        (self.names, self.classKey, self.teacherKey) = (names, classKey, teacherKey)
    }

    /// The policy for `serve --host host`: loopback needs no key; any other address gets a teacher's
    /// key and, unless `open`, a class key.
    public static func serving(host: String, allowing allowed: [String], open: Bool) -> AccessPolicy {
        let address = normalized(host)
        if loopbackNames.contains(address) { return loopback(allowing: allowed) }
        var names = loopbackNames.union(allowed.map(normalized))
        if address == "0.0.0.0" || address == "::" {
            names.formUnion(machineNames())
        } else {
            names.insert(address)
        }
        return AccessPolicy(names: names, classKey: open ? nil : .random(), teacherKey: .random())
    }

    /// A name as `Host` compares it: lowercase, without a trailing dot or IPv6 brackets.
    static func normalized(_ name: String) -> String {
        var name = name.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// The name part of a `Host` header (`name`, `name:port`, `[v6]`, `[v6]:port`), normalized.
    static func hostName(_ header: String) -> String {
        let header = header.trimmingCharacters(in: .whitespaces)
        if header.hasPrefix("["), let close = header.firstIndex(of: "]") {
            return normalized(String(header[header.index(after: header.startIndex)..<close]))
        }
        if let colon = header.lastIndex(of: ":") { return normalized(String(header[..<colon])) }
        return normalized(header)
    }

    /// A C string in a buffer, up to its terminating zero.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Every address of this machine's interfaces, its host name and `name.local`: what a class's
    /// browsers may type to reach a server listening on all addresses.
    static func machineNames() -> Set<String> {
        var names: Set<String> = []
        var list: UnsafeMutablePointer<ifaddrs>?
        if getifaddrs(&list) == 0 {
            var next = list
            while let entry = next {
                if let address = entry.pointee.ifa_addr {
                    let family = Int32(address.pointee.sa_family)
                    if family == AF_INET || family == AF_INET6 {
                        var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                        let length = socklen_t(
                            family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
                        if getnameinfo(address, length, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                            // A link-local IPv6 address comes with its zone (fe80::1%eth0); Host has none.
                            let numeric = Self.text(text).split(separator: "%").first.map(String.init) ?? ""
                            names.insert(normalized(numeric))
                        }
                    }
                }
                next = entry.pointee.ifa_next
            }
            freeifaddrs(list)
        }
        var host = [CChar](repeating: 0, count: 256)
        if gethostname(&host, host.count) == 0 {
            let name = normalized(text(host))
            if !name.isEmpty { names.formUnion([name, name + ".local"]) }
        }
        return names
    }
}
