/// The learning rate as a function of progress; `iteration` counts parameter updates'
/// batches from 0.
public enum LearningRateSchedule: Equatable, Sendable, Codable {
    case constant
    /// Search-then-converge annealing (Darken and Moody): lr0 / (1 + t / T), t in batches.
    case annealing(T: Double)

    public func rate(base: Double, iteration: Int) -> Double {
        switch self {
        case .constant: base
        case let .annealing(T): base / (1 + Double(iteration) / T)
        }
    }
}
