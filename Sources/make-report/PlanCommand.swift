import ArgumentParser
import Datasets
import Experiments
import Foundation
import MatrixCore
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// `make-report plan`: the work the command would do, one line per job, without training.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        _superCommandName: "make-report",
        abstract: "Write the job graph: one tab-separated line per cache key (stage, key, group, name, action, reason, expected seconds).",
        discussion: """
        The same selection as make-report (--only, --force, --seeds, --params). Keys of a stage whose \
        rates are chosen by an earlier stage that has not run yet are written as '-' (action 'later'). \
        Lines starting with # are totals.
        """)

    @OptionGroup var selection: SelectionOptions
    @Flag(name: .long, help: "Also list the jobs whose cached results are reused.")
    var all = false

    func run() throws {
        do { try write() } catch let e as ExitCode { throw e } catch {
            FileHandle.standardError.write(Data("make-report plan: error: \(MakeReport.message(for: error))\n".utf8))
            throw ExitCode.failure
        }
    }

    func write() throws {
        let setup = try WorkSetup(selection, writable: false)
        print("# stage\tkey\tgroup\tname\taction\treason\tseconds")
        let lines = setup.lines()
        for l in lines where all || l.reason != nil {
            let action = l.reason == nil ? "reuse" : (l.resolved ? "run" : "later")
            print([l.stage.rawValue, l.resolved ? l.job.key : "-", l.job.group.rawValue, l.job.name, action, l.reason ?? "cached",
                   String(format: "%.1f", l.seconds)].joined(separator: "\t"))
        }
        for stage in Stage.training {
            let s = lines.filter { $0.stage == stage }
            let run = s.filter { $0.reason != nil }
            print("# \(stage.rawValue): \(run.count) to run, \(s.count - run.count) reused, "
                  + String(format: "%.0f s of compute expected", run.map(\.seconds).reduce(0, +)))
        }
    }
}
