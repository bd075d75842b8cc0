import Foundation

/// A mistake in the report template, located by line.
public struct TemplateError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    /// 1-based column, when known.
    public var column: Int?
    public var message: String
    public init(file: String, line: Int, column: Int? = nil, message: String) {
        self.file = file; self.line = line; self.column = column; self.message = message
    }
    public var description: String { "\(file):\(line)\(column.map { ":\($0)" } ?? ""): \(message)" }
}

/// Checks a Mustache template against the context it will be rendered with, before
/// rendering: every tag must name something in scope, every section must be closed by a
/// matching tag. Mustache itself renders an unknown name as an empty string, which would
/// silently drop a number from the report; here it is an error naming the tag and line.
///
/// Scoping follows Mustache: inside `{{#list}}` names resolve against the list's items
/// first, then outwards; inside `{{#flag}}` / `{{^flag}}` the scope is unchanged.
public enum TemplateCheck {
    public static func validate(_ template: String, context: [String: Any], file: String) throws {
        var stack: [(name: String, line: Int, scope: [String: Any]?)] = []
        var scopes: [[String: Any]] = [context]
        var line = 1
        var index = template.startIndex
        while let open = template.range(of: "{{", range: index..<template.endIndex) {
            line += template[index..<open.lowerBound].filter { $0 == "\n" }.count
            let triple = template[open.upperBound...].hasPrefix("{")
            let closeToken = triple ? "}}}" : "}}"
            guard let close = template.range(of: closeToken, range: open.upperBound..<template.endIndex) else {
                throw TemplateError(file: file, line: line, message: "a tag opened with {{ is never closed")
            }
            var body = String(template[open.upperBound..<close.lowerBound])
            // A tag is one line: `{{x}` followed by text finds the next tag's }} instead.
            if body.contains("\n") || body.contains("{{") {
                let lineStart = template[..<open.lowerBound].lastIndex(of: "\n").map { template.index(after: $0) } ?? template.startIndex
                let column = template.distance(from: lineStart, to: open.lowerBound) + 1
                let rest = template[open.lowerBound...].prefix { $0 != "\n" }
                let shown = rest.count > 30 ? String(rest.prefix(30)) + "…" : String(rest)
                throw TemplateError(file: file, line: line, column: column,
                                    message: "malformed tag '\(shown)': a tag opened with {{ must be closed with }} on the same line")
            }
            if triple { body.removeFirst() }
            let tagLines = body.filter { $0 == "\n" }.count
            index = close.upperBound
            let sigil = body.first
            let name = body.drop(while: { "#^/&!%>{".contains($0) }).trimmingCharacters(in: .whitespaces)
            switch sigil {
            case "!", "%":
                break
            case ">", "<", "$", "=":
                throw TemplateError(file: file, line: line, message: "partials and delimiter changes are not supported ('{{\(body)}}')")
            case "#", "^":
                guard let value = resolve(name, in: scopes) else {
                    throw TemplateError(file: file, line: line, message: "unknown section '\(name)'")
                }
                var scope: [String: Any]? = nil
                if sigil == "#" {
                    if let items = value as? [[String: Any]] { scope = items.first ?? [:] }
                    else if let dict = value as? [String: Any] { scope = dict }
                }
                stack.append((name, line, scope))
                if let scope { scopes.append(scope) }
            case "/":
                guard let top = stack.popLast() else {
                    throw TemplateError(file: file, line: line, message: "'{{/\(name)}}' closes a section that was never opened")
                }
                guard top.name == name else {
                    throw TemplateError(file: file, line: line,
                                        message: "'{{/\(name)}}' closes section '\(top.name)' opened on line \(top.line)")
                }
                if top.scope != nil { scopes.removeLast() }
            default:
                // An empty list section renders nothing, so names inside it cannot be checked.
                let insideEmptyList = stack.contains { $0.scope?.isEmpty == true }
                if !insideEmptyList, name != ".", resolve(name, in: scopes) == nil {
                    throw TemplateError(file: file, line: line, message: "unknown tag '\(name)'")
                }
            }
            line += tagLines
        }
        if let open = stack.last {
            throw TemplateError(file: file, line: open.line, message: "section '\(open.name)' is never closed")
        }
    }

    private static func resolve(_ dotted: String, in scopes: [[String: Any]]) -> Any? {
        let parts = dotted.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        for scope in scopes.reversed() {
            guard var value = scope[first] else { continue }
            for part in parts.dropFirst() {
                guard let dict = value as? [String: Any], let next = dict[part] else { return nil }
                value = next
            }
            return value
        }
        return nil
    }
}
