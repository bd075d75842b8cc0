/// Failures of writing or reading figure files; each names the file it concerns.
public enum PlotError: Error, Equatable, CustomStringConvertible {
    /// The file could not be created, written or renamed into place.
    case writeFailed(path: String, reason: String)
    /// A metadata key is not a valid PNG keyword (1-79 Latin-1 characters, no
    /// leading, trailing or double spaces).
    case invalidMetadataKey(path: String, key: String)
    /// The file could not be read or is not a valid PNG.
    case readFailed(path: String, reason: String)

    public var path: String {
        switch self {
        case .writeFailed(let path, _), .invalidMetadataKey(let path, _), .readFailed(let path, _): return path
        }
    }

    public var description: String {
        switch self {
        case .writeFailed(let path, let reason): return "cannot write figure '\(path)': \(reason)"
        case .invalidMetadataKey(let path, let key): return "figure '\(path)': invalid PNG text key '\(key)'"
        case .readFailed(let path, let reason): return "cannot read PNG '\(path)': \(reason)"
        }
    }
}
