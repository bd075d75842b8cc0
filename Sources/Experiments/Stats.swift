import Foundation

/// Mean and sample standard deviation (n - 1) of per-seed values; sd is 0 for one seed.
public struct Summary: Codable, Hashable, Sendable {
    public var mean: Double
    public var sd: Double
    public var count: Int

    public init(_ values: [Double]) {
        count = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        if values.count > 1 {
            let m = mean
            sd = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        } else {
            sd = 0
        }
    }
}

