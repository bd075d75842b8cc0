// libFuzzer driver for the parameters-file parser (Parameters.parse over Yams).
//
// Compiled by fuzz/run-params-fuzzer.sh together with Sources/Experiments/{Parameters,
// YAMLFields}.swift into one module, so it calls them without `import Experiments`. Yams,
// RealModule, a NeuralNet of only Activation.swift and Initializer.swift, and a MatrixCore of
// SeededGenerator.swift and PointwiseStandIn.swift are separate modules.
//
// Inputs that are not valid UTF-8 are skipped (Parameters.load reads the file as UTF-8 and
// never gets that far). For every other input, Parameters.parse must either
//   - return Parameters that satisfy every validation rule, that parse the same the second
//     time, and that, written back as YAML (by reflection, so new fields are covered), parse
//     to the same Parameters; or
//   - throw a ParameterError with a non-empty message and description, whose line (if any)
//     lies in 1...(lines of the input + 1) (libyaml puts end-of-input one line past the
//     last), and the same error the second time.
// Any other error type, a trap, an ASan report or a timeout is a finding.

import NeuralNet

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else {
        return 0
    }
    switch outcome(text, file: "fuzz.yaml") {
    case .parsed(let p):
        checkValid(p)
        let again = outcome(text, file: "fuzz.yaml")
        guard case .parsed(let q) = again, q == p else {
            failure("parsing the same text twice gave different results:\n\(p)\n\(again)")
        }
        let written = yaml(of: p)
        switch outcome(written, file: "written.yaml") {
        case .parsed(let back):
            require(back == p, "written back and parsed again, the parameters changed:\n\(written)")
        case .failed(let error):
            failure("valid parameters written back do not parse: \(error)\n\(written)")
        }
    case .failed(let error):
        require(!error.message.isEmpty && !error.description.isEmpty, "empty error message")
        require(error.file == "fuzz.yaml" && error.description.hasPrefix("fuzz.yaml"),
                "error names the wrong file: \(error.description)")
        if let line = error.line {
            let limit = lineCount(text) + 1
            require((1...limit).contains(line), "error line \(line) outside 1...\(limit): \(error)")
        }
        let again = outcome(text, file: "fuzz.yaml")
        guard case .failed(let e) = again, e == error else {
            failure("parsing the same text twice gave different results:\n\(error)\n\(again)")
        }
    }
    return 0
}

/// precondition's message is dropped in -O builds; these keep it in the crash report.
private func require(_ condition: Bool, _ message: @autoclosure () -> String = "") {
    if !condition { failure(message()) }
}

private func failure(_ message: String) -> Never {
    fatalError("fuzz-params invariant: \(message)")
}

private enum Outcome {
    case parsed(Parameters)
    case failed(ParameterError)
}

/// Parses; a ParameterError is an expected outcome, any other error type is a finding.
private func outcome(_ text: String, file: String) -> Outcome {
    do {
        return .parsed(try Parameters.parse(text, file: file))
    } catch let error as ParameterError {
        return .failed(error)
    } catch {
        failure("Parameters.parse threw \(type(of: error)), not ParameterError: \(error)")
    }
}

/// Lines as an editor counts them; every line break libyaml counts (CR, LF, CRLF, NEL, LS,
/// PS) is a Character with isNewline, so libyaml never counts more.
private func lineCount(_ text: String) -> Int {
    var lines = 0
    var open = false
    for c in text {
        if c.isNewline { lines += 1; open = false } else { open = true }
    }
    return lines + (open ? 1 : 0)
}

/// Every rule Parameters.parse promises for what it returns.
private func checkValid(_ p: Parameters) {
    func positive(_ xs: [Double]) -> Bool { !xs.isEmpty && xs.allSatisfy { $0 > 0 } }
    func sizes(_ xs: [Int]) -> Bool { !xs.isEmpty && xs.allSatisfy { $0 >= 1 } }
    let unit = 0.0..<1.0

    require(p.seeds >= 1, "seeds \(p.seeds)")
    require((1..<60000).contains(p.validationImages), "validation_images \(p.validationImages)")

    let b = p.base
    require(sizes(b.hiddenUnits), "base.hidden_units \(b.hiddenUnits)")
    let activation = Activation(name: b.activation)
    require(activation != nil && activation != .softmax, "base.activation \(b.activation)")
    require(Initializer(name: b.initializer) != nil, "base.initializer \(b.initializer)")
    require(b.learningRate > 0, "base.learning_rate \(b.learningRate)")
    require(b.batchSize >= 1 && b.batchSize <= 60000 - p.validationImages, "base.batch_size \(b.batchSize)")
    require(b.epochs >= 1, "base.epochs \(b.epochs)")
    require(unit.contains(b.momentum), "base.momentum \(b.momentum)")

    let e = p.evaluation
    require(e.basePerEpoch >= 1 && e.firstEpoch >= 1 && e.plottedPerEpoch >= 1 && e.earlyStoppingPatience >= 1,
            "evaluation \(e)")

    require(p.gradientCheck.images >= 1, "gradient_check.images \(p.gradientCheck.images)")
    require(p.gradientCheck.epsilon > 0, "gradient_check.epsilon \(p.gradientCheck.epsilon)")

    require(positive(p.learningRateGrid), "learning_rate_grid \(p.learningRateGrid)")
    require(unit.contains(p.tricks.momentum), "tricks.momentum \(p.tricks.momentum)")

    require(sizes(p.topologies.hiddenUnits), "topologies.hidden_units \(p.topologies.hiddenUnits)")
    require(p.topologies.twoLayerExtra.allSatisfy { $0.count == 2 && sizes($0) },
            "topologies.two_layer_extra \(p.topologies.twoLayerExtra)")

    let o = p.bonus
    require(o.hiddenUnits >= 1, "bonus.hidden_units \(o.hiddenUnits)")
    require(!o.dropoutGrid.isEmpty && o.dropoutGrid.allSatisfy(unit.contains), "bonus.dropout_grid \(o.dropoutGrid)")
    require(positive(o.annealingGrid), "bonus.annealing_grid \(o.annealingGrid)")
    require(o.choiceSeeds >= 1, "bonus.choice_seeds \(o.choiceSeeds)")
    require((0...8).contains(o.shiftPixels), "bonus.shift_pixels \(o.shiftPixels)")
    require(o.epochs >= 1, "bonus.epochs \(o.epochs)")
    require(positive(o.learningRateGrid), "bonus.learning_rate_grid \(o.learningRateGrid)")

    let r = p.replication
    require(r.seeds >= 1, "replication.seeds \(r.seeds)")
    require(r.learningRate > 0 && r.momentumLearningRate > 0, "replication rates \(r)")
}

/// The parameters as a complete parameters file, in YAML's flow style, found by reflection so
/// that a new field is written back without touching this driver: every stored property under
/// its snake_case name (the file's convention), nested structs as mappings, and [[Int]] (the
/// pairs of topologies.two_layer_extra) flattened as the file writes it. Swift's shortest
/// round-trip description of a Double ("0.5", "1e-05", "inf") reads back exactly through Yams.
private func yaml(of p: Parameters) -> String {
    func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { out, c in
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
    }
    func value(_ v: Any) -> String {
        switch v {
        case let x as Bool: return "\(x)"
        case let x as Int: return "\(x)"
        case let x as Double: return "\(x)"
        case let x as String:
            return "\"" + x.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() + "\""
        case let pairs as [[Int]]: return value(pairs.flatMap { $0 })
        case let xs as [Any]: return "[" + xs.map(value).joined(separator: ", ") + "]"
        default:
            let fields = Mirror(reflecting: v).children.map { child in
                guard let label = child.label else { failure("unlabelled field in \(type(of: v))") }
                return snakeCase(label) + ": " + value(child.value)
            }
            guard !fields.isEmpty else { failure("cannot write \(type(of: v)) as YAML") }
            return "{" + fields.joined(separator: ", ") + "}"
        }
    }
    return value(p) + "\n"
}
