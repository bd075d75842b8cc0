// libFuzzer driver for the parameters-file parser (Parameters.parse over Yams).
//
// Compiled by fuzz/run-params-fuzzer.sh together with Sources/Experiments/{Parameters,
// YAMLFields}.swift into one module, so it calls them without `import Experiments`; Yams and
// a NeuralNet made of only Activation.swift and Initializer.swift are separate modules.
//
// Inputs that are not valid UTF-8 are skipped (Parameters.load reads the file as UTF-8 and
// never gets that far). For every other input, Parameters.parse must either
//   - return Parameters that satisfy every validation rule, that parse the same the second
//     time, and that, written back as YAML, parse to the same Parameters; or
//   - throw a ParameterError with a non-empty message and description, whose line (if any)
//     lies in 1...(lines of the input + 1): libyaml puts end-of-input one line past the last.
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
        guard case .parsed(let again) = outcome(text, file: "fuzz.yaml"), again == p else {
            preconditionFailure("parsing the same text twice gave different results")
        }
        let written = yaml(of: p)
        switch outcome(written, file: "written.yaml") {
        case .parsed(let back):
            precondition(back == p, "written back and parsed again, the parameters changed:\n\(written)")
        case .failed(let error):
            preconditionFailure("valid parameters written back do not parse: \(error)\n\(written)")
        }
    case .failed(let error):
        precondition(!error.message.isEmpty && !error.description.isEmpty, "empty error message")
        precondition(error.file == "fuzz.yaml" && error.description.hasPrefix("fuzz.yaml"),
                     "error names the wrong file: \(error.description)")
        if let line = error.line {
            let limit = lineCount(text) + 1
            precondition((1...limit).contains(line), "error line \(line) outside 1...\(limit): \(error)")
        }
        guard case .failed(let again) = outcome(text, file: "fuzz.yaml"), again == error else {
            preconditionFailure("parsing the same text twice gave different results")
        }
    }
    return 0
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
        preconditionFailure("Parameters.parse threw \(type(of: error)), not ParameterError: \(error)")
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
    func positiveRates(_ xs: [Double]) -> Bool { !xs.isEmpty && xs.allSatisfy { $0 > 0 } }
    func sizes(_ xs: [Int]) -> Bool { !xs.isEmpty && xs.allSatisfy { $0 >= 1 } }
    let unit = 0.0..<1.0

    precondition(p.seeds >= 1, "seeds \(p.seeds)")
    precondition((1..<60000).contains(p.validationImages), "validation_images \(p.validationImages)")
    precondition(!p.seedList.isEmpty)

    let b = p.base
    precondition(sizes(b.hiddenUnits), "base.hidden_units \(b.hiddenUnits)")
    let activation = Activation(name: b.activation)
    precondition(activation != nil && activation != .softmax, "base.activation \(b.activation)")
    precondition(Initializer(name: b.initializer) != nil, "base.initializer \(b.initializer)")
    precondition(b.learningRate > 0, "base.learning_rate \(b.learningRate)")
    precondition(b.batchSize >= 1 && b.batchSize <= 60000 - p.validationImages, "base.batch_size \(b.batchSize)")
    precondition(b.epochs >= 1, "base.epochs \(b.epochs)")
    precondition(unit.contains(b.momentum), "base.momentum \(b.momentum)")

    let e = p.evaluation
    precondition(e.basePerEpoch >= 1 && e.firstEpoch >= 1 && e.plottedPerEpoch >= 1 && e.earlyStoppingPatience >= 1,
                 "evaluation \(e)")

    precondition(p.gradientCheck.images >= 1, "gradient_check.images \(p.gradientCheck.images)")
    precondition(p.gradientCheck.epsilon > 0, "gradient_check.epsilon \(p.gradientCheck.epsilon)")

    precondition(positiveRates(p.learningRateGrid), "learning_rate_grid \(p.learningRateGrid)")
    precondition(unit.contains(p.tricks.momentum), "tricks.momentum \(p.tricks.momentum)")

    precondition(sizes(p.topologies.hiddenUnits), "topologies.hidden_units \(p.topologies.hiddenUnits)")
    precondition(p.topologies.twoLayerExtra.allSatisfy { $0.count == 2 && sizes($0) },
                 "topologies.two_layer_extra \(p.topologies.twoLayerExtra)")

    let o = p.bonus
    precondition(o.hiddenUnits >= 1, "bonus.hidden_units \(o.hiddenUnits)")
    precondition(unit.contains(o.dropout), "bonus.dropout \(o.dropout)")
    precondition(o.annealingBatches > 0, "bonus.annealing_batches \(o.annealingBatches)")
    precondition((0...8).contains(o.shiftPixels), "bonus.shift_pixels \(o.shiftPixels)")
    precondition(o.epochs >= 1, "bonus.epochs \(o.epochs)")
    precondition(positiveRates(o.learningRateGrid), "bonus.learning_rate_grid \(o.learningRateGrid)")

    let r = p.replication
    precondition(r.seeds >= 1, "replication.seeds \(r.seeds)")
    precondition(r.learningRate > 0 && r.momentumLearningRate > 0, "replication rates \(r)")
}

/// The parameters as a complete parameters file. Swift's shortest round-trip description of a
/// Double ("0.5", "1e-05", "inf") reads back exactly through Yams' Double constructor.
private func yaml(of p: Parameters) -> String {
    func list<T>(_ xs: [T]) -> String { "[" + xs.map { "\($0)" }.joined(separator: ", ") + "]" }
    func word(_ s: String) -> String {
        // Only names that Activation/Initializer(name:) accept get here: lower-cased they are
        // ASCII, but the original may have used any case or quoting, so quote and escape.
        "\"" + s.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() + "\""
    }
    let t = p.topologies, b = p.base, e = p.evaluation, o = p.bonus, r = p.replication
    return """
    seeds: \(p.seeds)
    validation_images: \(p.validationImages)
    base:
      hidden_units: \(list(b.hiddenUnits))
      activation: \(word(b.activation))
      initializer: \(word(b.initializer))
      learning_rate: \(b.learningRate)
      batch_size: \(b.batchSize)
      epochs: \(b.epochs)
      momentum: \(b.momentum)
      shuffle: \(b.shuffle)
    evaluation:
      base_per_epoch: \(e.basePerEpoch)
      first_epoch: \(e.firstEpoch)
      plotted_per_epoch: \(e.plottedPerEpoch)
      early_stopping_patience: \(e.earlyStoppingPatience)
    gradient_check:
      images: \(p.gradientCheck.images)
      epsilon: \(p.gradientCheck.epsilon)
    learning_rate_grid: \(list(p.learningRateGrid))
    tricks:
      momentum: \(p.tricks.momentum)
    topologies:
      hidden_units: \(list(t.hiddenUnits))
      two_layer_extra: \(list(t.twoLayerExtra.flatMap { $0 }))
    bonus:
      hidden_units: \(o.hiddenUnits)
      dropout: \(o.dropout)
      annealing_batches: \(o.annealingBatches)
      shift_pixels: \(o.shiftPixels)
      epochs: \(o.epochs)
      learning_rate_grid: \(list(o.learningRateGrid))
    replication:
      seeds: \(r.seeds)
      learning_rate: \(r.learningRate)
      momentum_learning_rate: \(r.momentumLearningRate)

    """
}
