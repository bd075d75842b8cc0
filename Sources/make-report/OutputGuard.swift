import Foundation

/// Decides where a run writes, before anything is read or written, so that no run writes
/// over what it did not make: a `--quick` run (a toy report of 3,000 images) always writes
/// to a folder of its own, never into the project, whose report/, figures/ and cached
/// results it would overwrite.
enum OutputGuard {
    /// Marks a folder as a --quick run's, so that a later --quick run may write there again.
    static let quickMarker = ".make-report-quick"

    /// The output root: the project (or `--output`) for a real run; for `--quick`, a new
    /// temporary folder, or `--output` when it is outside the project and empty or a
    /// previous quick run's. `create: false` (--dry-run) creates and marks nothing.
    static func root(quick: Bool, output: String?, project: URL, create: Bool) throws -> URL {
        guard quick else { return output.map { URL(fileURLWithPath: $0, relativeTo: project).standardizedFileURL } ?? project }
        guard let output else { return try temporaryQuickFolder(create: create) }
        let url = URL(fileURLWithPath: output, relativeTo: project).standardizedFileURL
        let target = resolved(url), home = resolved(project)
        if target.pathComponents.starts(with: home.pathComponents) {
            throw OutputRefusal(message: "--quick writes a toy report and must not write into the project, but --output \(output) is "
                                + (target.pathComponents == home.pathComponents ? "the project itself" : "inside it") + " (\(home.path)): its report, figures and "
                                + "cached results would be overwritten. Choose a folder outside the project, or leave --output out "
                                + "for a new temporary folder.")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw OutputRefusal(message: "--output \(url.path) is a file, not a folder: choose a folder")
            }
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            guard contents.isEmpty || contents.contains(quickMarker) else {
                throw OutputRefusal(message: "--output \(url.path) already holds files that no --quick run made "
                                    + "(\(contents.sorted().prefix(3).joined(separator: ", "))\(contents.count > 3 ? ", …" : "")): "
                                    + "choose a new or empty folder")
            }
        }
        if create { try mark(url) }
        return url
    }

    /// Rejects an empty `--output` (an unset shell variable in `--output "$OUT"`), which would
    /// otherwise mean the current folder.
    static func validate(output: String?) throws {
        if let output, output.trimmingCharacters(in: .whitespaces).isEmpty {
            throw OutputRefusal(message: "--output is empty (an unset shell variable in --output \"$OUT\"?): name a folder, or leave --output out")
        }
    }

    private static func temporaryQuickFolder(create: Bool) throws -> URL {
        let base = FileManager.default.temporaryDirectory
        guard create else { return base.appendingPathComponent("make-report-quick-(dry-run)") }
        var template = Array(base.appendingPathComponent("make-report-quick-XXXXXX").path.utf8CString)
        guard let made = mkdtemp(&template) else {
            throw OutputRefusal(message: "cannot create a temporary folder in \(base.path): \(String(cString: strerror(errno)))")
        }
        let url = URL(fileURLWithPath: String(cString: made))
        try mark(url)
        return url
    }

    private static func mark(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let marker = url.appendingPathComponent(quickMarker)
        if !FileManager.default.fileExists(atPath: marker.path) {
            try Data("written by make-report --quick; a later --quick run may write here again\n".utf8).write(to: marker)
        }
    }

    /// `url` with the symbolic links of its deepest existing ancestor resolved, so that a
    /// link into the project counts as the project.
    static func resolved(_ url: URL) -> URL {
        var existing = url.standardizedFileURL
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path) && existing.pathComponents.count > 1 {
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        var out = existing.resolvingSymlinksInPath()
        for part in rest { out.appendPathComponent(part) }
        return out.standardizedFileURL
    }
}

/// A refused output folder, phrased for the user.
struct OutputRefusal: Error, LocalizedError {
    var message: String
    var errorDescription: String? { message }
}
