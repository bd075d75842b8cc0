/// Geometric clipping done before paths reach cairo. Cairo converts coordinates to 24.8
/// fixed point; a diverged loss under a zoomed y range can lie 1e300 px away, and whether
/// such values survive that conversion depends on cairo's internals (1.16 copes). Cutting
/// in Double first keeps the visible slopes exact whatever cairo does with huge numbers.
enum Clipping {
    typealias Point = (Double, Double)

    /// The part of segment a-b inside `rect` (Liang-Barsky), or nil when it misses.
    static func segment(_ a: Point, _ b: Point, to rect: Rect) -> (Point, Point)? {
        var t0 = 0.0, t1 = 1.0
        let dx = b.0 - a.0, dy = b.1 - a.1
        let checks = [(-dx, a.0 - rect.minX), (dx, rect.maxX - a.0), (-dy, a.1 - rect.minY), (dy, rect.maxY - a.1)]
        for (p, q) in checks {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let r = q / p
                if p < 0 { t0 = max(t0, r) } else { t1 = min(t1, r) }
                if t0 > t1 { return nil }
            }
        }
        return ((a.0 + t0 * dx, a.1 + t0 * dy), (a.0 + t1 * dx, a.1 + t1 * dy))
    }

    /// A polyline cut to `rect`: the visible pieces, each a run of connected points.
    static func polyline(_ points: [Point], to rect: Rect) -> [[Point]] {
        guard points.count >= 2 else { return [] }
        var runs: [[Point]] = [], current: [Point] = []
        for (a, b) in zip(points, points.dropFirst()) {
            guard let (p, q) = segment(a, b, to: rect) else {
                if current.count >= 2 { runs.append(current) }
                current = []
                continue
            }
            if let last = current.last, last.0 == p.0, last.1 == p.1 {
                current.append(q)
            } else {
                if current.count >= 2 { runs.append(current) }
                current = [p, q]
            }
            if q.0 != b.0 || q.1 != b.1 {
                runs.append(current)
                current = []
            }
        }
        if current.count >= 2 { runs.append(current) }
        return runs
    }

    /// A polygon cut to `rect` (Sutherland-Hodgman against each edge in turn).
    static func polygon(_ points: [Point], to rect: Rect) -> [Point] {
        var output = points
        let edges: [(Point) -> Double] = [
            { $0.0 - rect.minX }, { rect.maxX - $0.0 }, { $0.1 - rect.minY }, { rect.maxY - $0.1 },
        ]
        for inside in edges {
            let input = output
            output = []
            guard let last = input.last else { break }
            var previous = last
            for current in input {
                let dc = inside(current), dp = inside(previous)
                if (dc >= 0) != (dp >= 0) {
                    let t = dp / (dp - dc)
                    output.append((previous.0 + t * (current.0 - previous.0), previous.1 + t * (current.1 - previous.1)))
                }
                if dc >= 0 { output.append(current) }
                previous = current
            }
        }
        return output
    }

    /// The intersection of two rectangles, or nil when they do not overlap.
    static func rect(_ a: Rect, _ b: Rect) -> Rect? {
        let x0 = max(a.minX, b.minX), x1 = min(a.maxX, b.maxX)
        let y0 = max(a.minY, b.minY), y1 = min(a.maxY, b.maxY)
        guard x1 > x0, y1 > y0 else { return nil }
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
