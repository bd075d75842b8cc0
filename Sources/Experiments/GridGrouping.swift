/// Learning-rate grids among jobs, found the same way wherever jobs are scheduled (the local
/// experimenter, a Slurm stage's split into array tasks, a Slurm worker): the training runs
/// whose specs differ only in the rate (`RunSpec.gridIdentity`, `Runner.canTrainAsGrid`)
/// train as one unit, every other job alone.
public enum GridGrouping {
    /// `items` as units, in the order of each unit's first item: the items whose `spec` has
    /// the same grid identity form one unit (a grid when it holds more than one), each other
    /// item (no spec, or no identity) a unit of its own. Every item is in exactly one unit.
    public static func units<Item>(_ items: [Item], spec: (Item) -> RunSpec?) -> [[Item]] {
        var members: [RunSpec: [Item]] = [:]
        var firsts: [(identity: RunSpec?, item: Item)] = []
        for item in items {
            guard let identity = spec(item)?.gridIdentity else { firsts.append((nil, item)); continue }
            if members[identity] == nil { firsts.append((identity, item)) }
            members[identity, default: []].append(item)
        }
        return firsts.map { first in first.identity.flatMap { members[$0] } ?? [first.item] }
    }

    /// The training spec of a graph job, nil for the gradient check and the inspections.
    public static func spec(_ job: GraphJob) -> RunSpec? {
        if case .train(let spec) = job.work { return spec }
        return nil
    }
}
