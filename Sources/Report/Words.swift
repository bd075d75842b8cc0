import Experiments
import Foundation

/// Counts, plurals and lists for sentences, so that the template never holds a number, a
/// plural ending or a "(s)" that the results should decide.
enum Words {
    /// "1 seed", "5 seeds".
    /// A verdict's direction as the text states it.
    static func direction(_ d: Verdict.Direction) -> String {
        switch d {
        case .higher: "higher"
        case .lower: "lower"
        case .indistinguishable: "not distinguishable"
        case .untestable: "not tested"
        }
    }

    /// Small counts as words ("three"), larger ones as numerals.
    static func number(_ n: Int) -> String {
        let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
        return words.indices.contains(n) ? words[n] : "\(n)"
    }

    static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
    }

    /// "a", "a and b", "a, b and c".
    static func list(_ items: [String], conjunction: String = "and") -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items.last!
        }
    }

    /// "epoch 15 for every seed" or "epochs 12, 15 and 15 for seeds 1 to 3".
    static func epochsPerSeed(_ epochs: [Int]) -> String {
        guard let first = epochs.first else { return "no epoch" }
        if epochs.count == 1 { return "epoch \(first)" }
        if epochs.allSatisfy({ $0 == first }) { return "epoch \(first) for every seed" }
        return "epochs " + list(epochs.map(String.init)) + " for seeds 1 to \(epochs.count)"
    }

    /// "3 of 5 seeds collapsed and 1 oscillated" for a set of run classes; "" when every run trained.
    static func classes(_ runs: [RunClassCount]) -> String {
        let total = runs.first?.total ?? 0
        let parts = runs.filter { $0.count > 0 }.map { "\($0.count) \($0.name)" }
        guard !parts.isEmpty else { return "" }
        return "of \(count(total, "seed")), " + list(parts)
    }
}

/// How many of a set's runs fell into one `RunClass`.
struct RunClassCount {
    var name: String
    var count: Int
    var total: Int
}

extension RunSpec {
    /// What a step of the bonus chain changed in training, in words ("the activation",
    /// "the width", "dropout"), for sentences that must say when two changes go together.
    func differencesInTraining(from other: RunSpec) -> [String] {
        var out: [String] = []
        if activation != other.activation { out.append("the activation") }
        if initializer != other.initializer { out.append("the initialisation") }
        if hiddenUnits != other.hiddenUnits { out.append("the width") }
        if dropout != other.dropout { out.append("dropout") }
        if momentum != other.momentum { out.append("momentum") }
        if learningRate != other.learningRate { out.append("the learning rate") }
        if annealingBatches != other.annealingBatches { out.append("the learning-rate schedule") }
        if shiftPixels != other.shiftPixels { out.append("random shifts") }
        if epochs != other.epochs { out.append("the number of epochs") }
        return out
    }
}
