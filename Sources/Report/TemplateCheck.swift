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

/// Checks a Mustache template against the schema of the context it will be rendered with
/// (`ContextSchema`, derived from the context's types), before rendering: every tag must
/// name a property in scope, every section must be closed by a matching tag. Mustache
/// itself renders an unknown name as an empty string, which would silently drop a number
/// from the report; here it is an error naming the tag and line. Because the schema comes
/// from the types, not from one set of results, a tag inside a list that happens to be
/// empty, or under an optional section that is absent, is checked like any other.
///
/// Scoping follows Mustache: inside `{{#list}}` names resolve against the list's items
/// first, then outwards; inside `{{#object}}` against the object's properties; inside
/// `{{#flag}}` / `{{^flag}}` the scope is unchanged.
public enum TemplateCheck {
    public static func validate(_ template: String, schema: ContextSchema, file: String) throws {
        var stack: [(name: String, line: Int, scope: ContextSchema?)] = []
        var scopes: [ContextSchema] = [schema]
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
                var scope: ContextSchema? = nil
                if sigil == "#" {
                    switch value {
                    case .list(let item): if case .object = item { scope = item }
                    case .object: scope = value
                    case .value: break
                    }
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
                if name != ".", resolve(name, in: scopes) == nil {
                    throw TemplateError(file: file, line: line, message: "unknown tag '\(name)'")
                }
            }
            line += tagLines
        }
        if let open = stack.last {
            throw TemplateError(file: file, line: open.line, message: "section '\(open.name)' is never closed")
        }
    }

    /// Mustache's lookup: the first name in the innermost scope that has it, the rest of a
    /// dotted name down from there.
    private static func resolve(_ dotted: String, in scopes: [ContextSchema]) -> ContextSchema? {
        let parts = dotted.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        for scope in scopes.reversed() {
            guard var value = scope.child(first) else { continue }
            for part in parts.dropFirst() {
                guard let next = value.child(part) else { return nil }
                value = next
            }
            return value
        }
        return nil
    }
}
