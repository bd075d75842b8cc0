import MatrixCore
import NeuralNet

/// Random translations of 28 x 28 images by up to `pixels` in each direction, filling the
/// uncovered border with the background value (-1 after scaling). The shift of each
/// image is drawn from the run's "augment" stream, so augmented runs stay reproducible.
public func randomShifts(pixels: Int, side: Int = 28, background: Float = -1) -> BatchAugmentation<Float> {
    var scratch = [Float](repeating: 0, count: side * side)
    return { batch, rows, generator in
        let span = 2 * pixels + 1
        batch.storage.withUnsafeMutableBufferPointer { x in
            for r in 0..<rows {
                let dx = generator.index(below: span) - pixels
                let dy = generator.index(below: span) - pixels
                if dx == 0 && dy == 0 { continue }
                let image = x.baseAddress! + r * side * side
                for i in 0..<(side * side) { scratch[i] = image[i] }
                for y in 0..<side {
                    let sy = y - dy
                    for xx in 0..<side {
                        let sx = xx - dx
                        image[y * side + xx] = (sy >= 0 && sy < side && sx >= 0 && sx < side) ? scratch[sy * side + sx] : background
                    }
                }
            }
        }
    }
}
