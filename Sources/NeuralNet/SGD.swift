import MatrixCore

/// Mini-batch stochastic gradient descent with (classic) momentum:
///
///     v <- mu v - lr g;  w <- w + v
///
/// per element, v starting at 0; with mu = 0 plain SGD, w <- w - lr g.
public final class SGD<Scalar: MatrixScalar> {
    public var learningRate: Double
    public let momentum: Double
    public let schedule: LearningRateSchedule
    private var velocities: [[Scalar]] = []

    public init(learningRate: Double, momentum: Double = 0,
                schedule: LearningRateSchedule = .constant) {
        precondition(learningRate > 0, "learning rate must be positive")
        precondition(momentum >= 0 && momentum < 1, "momentum must be in [0, 1)")
        self.learningRate = learningRate
        self.momentum = momentum
        self.schedule = schedule
    }

    /// Applies one update to every parameter from its current gradient, at the scheduled
    /// rate times `scale` (the per-sample rule passes 1 / batch).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step(_ parameters: [Parameter<Scalar>], iteration: Int, scale: Double = 1) {
        if velocities.count != parameters.count {
            velocities = parameters.map { [Scalar](repeating: 0, count: $0.value.count) }
        }
        let lr = Scalar(schedule.rate(base: learningRate, iteration: iteration) * scale)
        let mu = Scalar(momentum)
        for (index, p) in parameters.enumerated() {
            let count = p.value.count
            p.gradient.storage.withUnsafeBufferPointer { g in
                p.value.storage.withUnsafeMutableBufferPointer { w in
                    if momentum == 0 {
                        for i in 0..<count { w[i] -= lr * g[i] }
                        return
                    }
                    velocities[index].withUnsafeMutableBufferPointer { v in
                        for i in 0..<count { v[i] = mu * v[i] - lr * g[i]; w[i] += v[i] }
                    }
                }
            }
        }
    }
}
