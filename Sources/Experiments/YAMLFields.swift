import Yams

/// A mistake in the parameters file, located by key path and line.
public struct ParameterError: Error, CustomStringConvertible, Equatable {
    /// Dotted key path ("base.learning_rate"); empty for the whole file.
    public var key: String
    /// 1-based line in the file, when known.
    public var line: Int?
    public var message: String
    public var file: String

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(place): \(message)" : "\(place): '\(key)': \(message)"
    }
}

/// Reads one YAML mapping with typed getters that report the key path and line of every
/// mistake, and rejects keys nobody asked for (with a "did you mean" suggestion).
final class YAMLFields {
    let path: String
    let file: String
    private let node: Node
    private var pairs: [(key: String, value: Node, line: Int?)] = []
    private var asked: Set<String> = []

    init(_ node: Node, path: String, file: String) throws {
        self.node = node
        self.path = path
        self.file = file
        guard case let .mapping(mapping) = node else {
            throw ParameterError(key: path, line: node.mark?.line, message: "expected a mapping of keys to values", file: file)
        }
        for (k, v) in mapping {
            guard let name = k.string else {
                throw ParameterError(key: path, line: k.mark?.line, message: "keys must be plain words", file: file)
            }
            guard name.count <= 64 else {
                throw ParameterError(key: path, line: k.mark?.line, message: "key \(excerpt(name)) is too long to be a parameter's name", file: file)
            }
            pairs.append((name, v, k.mark?.line))
        }
    }

    private func full(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ message: String) -> ParameterError {
        ParameterError(key: full(key), line: pairs.first { $0.key == key }?.line ?? node.mark?.line, message: message, file: file)
    }

    private func value(_ key: String) -> Node? {
        asked.insert(key)
        return pairs.first { $0.key == key }?.value
    }

    func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    func mapping(_ key: String) throws -> YAMLFields? {
        guard let v = value(key) else { return nil }
        return try YAMLFields(v, path: full(key), file: file)
    }

    func double(_ key: String, default d: Double) throws -> Double {
        guard let v = value(key) else { return d }
        try rejectQuotedNumber(v, key)
        guard let x = v.float, v.scalar != nil else { throw error(key, "expected a number, found \(show(v))") }
        guard x.isFinite else { throw error(key, "must be a finite number, found \(show(v))") }
        return x
    }

    /// A whole number written in decimal. Yams also reads YAML 1.1's base 60 ("1:30" = 90),
    /// which traps on overflow inside Yams, and a leading 0 as octal ("064" = 52): neither
    /// belongs in a parameters file, so only plain decimal digits are accepted.
    private func integer(_ v: Node) -> Int? {
        guard case .scalar(let s) = v, s.style == .plain else { return nil }
        return Int(s.string, radix: 10)
    }

    /// `seeds: "3"` is a string in YAML; say so rather than "found '3'", which reads as a number.
    private func rejectQuotedNumber(_ v: Node, _ key: String) throws {
        guard case .scalar(let s) = v, s.style != .plain, Double(s.string) != nil else { return }
        throw error(key, "must be a number, not a string: write \(excerpt(s.string)) without quotes")
    }

    func int(_ key: String, default d: Int) throws -> Int {
        guard let v = value(key) else { return d }
        try rejectQuotedNumber(v, key)
        guard let x = integer(v) else { throw error(key, "expected a whole number, found \(show(v))") }
        return x
    }

    func bool(_ key: String, default d: Bool) throws -> Bool {
        guard let v = value(key) else { return d }
        guard let x = v.bool else { throw error(key, "expected true or false, found \(show(v))") }
        return x
    }

    func string(_ key: String, default d: String) throws -> String {
        guard let v = value(key) else { return d }
        guard let x = v.string, v.scalar != nil else { throw error(key, "expected a word, found \(show(v))") }
        guard x.count <= 64 else { throw error(key, "is \(x.count) characters long; expected a short name like 'sigmoid', found \(show(v))") }
        return x
    }

    /// A list of at most `atMost` numbers: a longer grid is a mistake that would plan more runs
    /// than anyone could train (and a huge one would stall planning).
    func doubles(_ key: String, default d: [Double], atMost limit: Int) throws -> [Double] {
        guard let v = value(key) else { return d }
        guard case .sequence(let list) = v else { throw error(key, "expected a list of numbers like [0.1, 0.5], found \(show(v))") }
        guard list.count <= limit else { throw error(key, "has \(list.count) items; at most \(limit) are allowed") }
        return try v.array().map { item in
            guard let x = item.float else { throw error(key, "expected numbers in the list, found \(show(item))") }
            guard x.isFinite else { throw error(key, "expected finite numbers in the list, found \(show(item))") }
            return x
        }
    }

    func ints(_ key: String, default d: [Int], atMost limit: Int) throws -> [Int] {
        guard let v = value(key) else { return d }
        if let single = integer(v) { return [single] }
        guard case .sequence(let list) = v else { throw error(key, "expected a list of whole numbers like [64], found \(show(v))") }
        guard list.count <= limit else { throw error(key, "has \(list.count) items; at most \(limit) are allowed") }
        return try v.array().map { item in
            guard let x = integer(item) else { throw error(key, "expected whole numbers in the list, found \(show(item))") }
            return x
        }
    }

    /// Throws for the first key that no getter asked for.
    func rejectUnknownKeys() throws {
        for pair in pairs where !asked.contains(pair.key) {
            var message = "unknown key"
            if let s = closest(pair.key, among: asked) { message += "; did you mean '\(s)'?" }
            throw ParameterError(key: full(pair.key), line: pair.line, message: message, file: file)
        }
    }

    /// A value as quoted in a message: at most 40 characters of it.
    private func show(_ v: Node) -> String {
        switch v {
        case .scalar(let s): excerpt(s.string)
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }
}

/// `text` quoted, cut to its first 40 characters ("'aaaa…' (50,000,000 characters)") so that
/// a huge value never floods a message.
func excerpt(_ text: String) -> String {
    let limit = 40
    guard text.count > limit else { return "'\(text)'" }
    return "'\(text.prefix(limit))…' (\(text.count) characters)"
}

/// The candidate nearest to `word` by edit distance, if it is plausibly a typo of it.
func closest(_ word: String, among candidates: some Sequence<String>) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
    return best.1 <= max(2, best.0.count / 3) ? best.0 : nil
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
