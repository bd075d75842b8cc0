import Foundation

/// The learning rate as a function of progress. `iteration` counts parameter updates'
/// batches from 0; `epoch` counts from 0.
public enum LearningRateSchedule: Equatable, Sendable, Codable {
    case constant
    /// Search-then-converge annealing (Darken and Moody): lr0 / (1 + t / T), t in batches.
    case annealing(T: Double)
    /// lr0 * factor ^ floor(epoch / every).
    case step(every: Int, factor: Double)

    public func rate(base: Double, iteration: Int, epoch: Int) -> Double {
        switch self {
        case .constant: base
        case let .annealing(T): base / (1 + Double(iteration) / T)
        case let .step(every, factor): base * pow(factor, Double(epoch / max(every, 1)))
        }
    }
}
