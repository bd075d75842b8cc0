// libFuzzer driver for the IDX parser and the gunzip in front of it.
//
// Compiled by fuzz/run-idx-fuzzer.sh together with Sources/Datasets/{DatasetError,Gzip,IDX}.swift
// into one module, so it calls them without `import Datasets`. Besides "no crash, no ASan
// report", it checks what a successful parse promises: the payload is exactly the product of
// the dimensions, and re-encoding gives back the input; a successful gunzip round-trips through
// Gzip.compress. Every failure must be a DatasetError, and its message is rendered.

/// Bound on decompressed output per input, far above what libFuzzer's 4 KiB inputs need for
/// coverage, and low enough that gzip bombs stay within the RSS limit.
private let decompressLimit = 1 << 24

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)

    expectTypedError {
        let array = try IDX.parse(raw: raw, name: "fuzz.idx")
        checkParsed(array, from: Array(raw))
    }

    expectTypedError {
        let output = try Gzip.decompress(raw, name: "fuzz.idx.gz", limit: decompressLimit)
        precondition(output.count <= decompressLimit, "decompressed past the limit")
        if output.count <= 1 << 16 {
            let again = try Gzip.decompress(Gzip.compress(output), name: "roundtrip.gz")
            precondition(again == output, "gzip round trip changed the data")
        }
        let array = try IDX.parse(output, name: "fuzz.idx.gz")
        checkParsed(array, from: output)
    }

    expectTypedError {
        _ = try IDX.decode(raw, name: "fuzz", limit: decompressLimit)
    }
    return 0
}

/// Runs `body`; a DatasetError is expected (its message is built to exercise that code),
/// any other error is a bug.
private func expectTypedError(_ body: () throws -> Void) {
    do {
        try body()
    } catch let error as DatasetError {
        precondition(!error.description.isEmpty && error.errorDescription == error.description)
    } catch {
        preconditionFailure("untyped error \(error)")
    }
}

private func checkParsed(_ array: IDXArray, from file: [UInt8]) {
    precondition(IDX.dimensionRange.contains(array.dimensions.count), "dimension count out of range")
    precondition(array.bytes.count == array.dimensions.reduce(1, *), "payload size differs from header")
    precondition(IDX.encode(dimensions: array.dimensions, payload: array.bytes) == file, "re-encoding differs")
}
