/// `GET /api/reports`: the ablation reports found under `--reports`, and those folders.
struct ReportList: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        var title: String
        var folder: String
        var url: String
        var modified: String?

        enum CodingKeys: String, CodingKey { case title, folder, url, modified }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(title, forKey: .title)
            try c.encode(folder, forKey: .folder)
            try c.encode(url, forKey: .url)
            try c.encode(modified, forKey: .modified)  // null when the file's date is unknown
        }
    }

    var reports: [Entry]
    var folders: [String]
}
