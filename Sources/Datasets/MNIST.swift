import Foundation

/// The MNIST digits as stored: 60,000 training and 10,000 test images of 28x28 grey pixels
/// with their labels, verified against the directory's `SHA256SUMS`.
///
/// Why this checks so much: a silently damaged or substituted file would change every number
/// in the report, so each file is validated (gzip CRC, IDX header against its size, image
/// size, label range, counts agreeing) and its uncompressed bytes are hashed.
public struct MNIST: Sendable, Equatable {
    /// Image height and width in pixels; the model's input layer is built for these.
    public static let rows = 28
    public static let columns = 28
    /// Pixels per image, the width of an input row: 784.
    public static let pixelsPerImage = rows * columns
    /// Labels are digits 0...9.
    public static let classes = 10
    /// The file names looked for in the directory.
    public static let trainImagesFile = "train-images-idx3-ubyte.gz"
    public static let trainLabelsFile = "train-labels-idx1-ubyte.gz"
    public static let testImagesFile = "t10k-images-idx3-ubyte.gz"
    public static let testLabelsFile = "t10k-labels-idx1-ubyte.gz"
    /// The most bytes one file may decompress to (the training images are 47,040,016 bytes);
    /// anything larger is not MNIST and is refused before it exhausts memory.
    public static let decompressedLimit = 1 << 27

    /// One half of the dataset (training or test).
    public struct Part: Sendable, Equatable {
        /// `count x 28 x 28` pixels, row-major, 0 = background, 255 = ink.
        public let images: [UInt8]
        /// `count` digits in 0...9.
        public let labels: [UInt8]
        /// Paths of the files the part was read from (for messages).
        public let imagesFile: String
        public let labelsFile: String

        /// - Precondition: `images.count == labels.count * 784`.
        public init(images: [UInt8], labels: [UInt8], imagesFile: String, labelsFile: String) {
            precondition(images.count == labels.count * MNIST.pixelsPerImage,
                         "\(images.count) pixels for \(labels.count) labels")
            self.images = images
            self.labels = labels
            self.imagesFile = imagesFile
            self.labelsFile = labelsFile
        }

        /// Number of images (= number of labels).
        public var count: Int { labels.count }

        /// Pixels of image `index`, 784 bytes row-major.
        public func image(_ index: Int) -> ArraySlice<UInt8> {
            images[(index * MNIST.pixelsPerImage)..<((index + 1) * MNIST.pixelsPerImage)]
        }

        /// How many images of each digit, indexed by digit (10 entries).
        public func classCounts() -> [Int] {
            var counts = [Int](repeating: 0, count: MNIST.classes)
            for label in labels { counts[Int(label)] += 1 }
            return counts
        }
    }

    /// The 60,000 training images (before the train/validation split).
    public let train: Part
    /// The 10,000 test images.
    public let test: Part
    /// SHA-256 (64 lowercase hex digits) of each uncompressed file, keyed by its name without
    /// ".gz" as in `SHA256SUMS` ("train-images-idx3-ubyte"). Computed even when verification
    /// is off, so a cache can key on the data actually loaded.
    public let checksums: [String: String]
    /// Whether `checksums` were compared with `SHA256SUMS`.
    public let checksumsVerified: Bool

    /// One digest of the whole dataset: the SHA-256 of the `sha256sum` listing of
    /// `checksums` sorted by name. Equal fingerprints mean byte-identical data.
    public var fingerprint: String {
        let listing = checksums.sorted { $0.key < $1.key }.map { "\($0.value)  \($0.key)\n" }.joined()
        return Checksums.sha256Hex(Array(listing.utf8))
    }

    public init(train: Part, test: Part, checksums: [String: String], checksumsVerified: Bool) {
        self.train = train
        self.test = test
        self.checksums = checksums
        self.checksumsVerified = checksumsVerified
    }

    /// Loads and validates the four gzip-compressed IDX files in `directory`.
    ///
    /// The four files are decompressed, hashed and parsed in parallel. Faults are reported
    /// in this order: missing directory or file, then gzip and IDX structure (first file in
    /// the order train images, train labels, test images, test labels), then checksums, then
    /// what MNIST needs (3-D 28x28 images, 1-D labels in 0...9, equal counts).
    ///
    /// - Parameters:
    ///   - directory: holds the four `.gz` files and, when verifying, `SHA256SUMS`.
    ///   - verifyChecksums: compare each uncompressed file's SHA-256 with `SHA256SUMS`
    ///     (whose absence is then an error).
    /// - Throws: `DatasetError` naming the file and the fault.
    public static func load(directory: URL, verifyChecksums: Bool = true) throws(DatasetError) -> MNIST {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
              isDirectory.boolValue else { throw .missingDirectory(path: directory.path) }

        // Missing data files first: for a wrong directory that is the useful message.
        let names = [trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile]
        let urls = names.map { directory.appendingPathComponent($0) }
        for url in urls where !FileManager.default.fileExists(atPath: url.path) {
            throw .missingFile(path: url.path)
        }
        let expected = verifyChecksums
            ? try Checksums.load(from: directory.appendingPathComponent(Checksums.fileName)) : nil

        let results = Slots<Result<LoadedFile, DatasetError>>(count: urls.count)
        DispatchQueue.concurrentPerform(iterations: urls.count) { index in
            results[index] = Result { () throws(DatasetError) in try loadFile(urls[index]) }
        }
        var files: [LoadedFile] = []
        for result in results.values { files.append(try result!.get()) }

        var checksums: [String: String] = [:]
        for file in files {
            let key = uncompressedName(file.url)
            checksums[key] = file.sha256
            guard let expected else { continue }
            guard let want = expected[key] else {
                throw .checksumNotListed(file: file.url.path,
                                         checksumsFile: directory.appendingPathComponent(Checksums.fileName).path)
            }
            guard want == file.sha256 else {
                throw .checksumMismatch(file: file.url.path, expected: want, actual: file.sha256)
            }
        }

        return MNIST(train: try part(images: files[0], labels: files[1]),
                     test: try part(images: files[2], labels: files[3]),
                     checksums: checksums, checksumsVerified: verifyChecksums)
    }

    /// A decompressed, hashed and parsed file.
    private struct LoadedFile: Sendable {
        let url: URL
        let array: IDXArray
        let sha256: String
    }

    private static func loadFile(_ url: URL) throws(DatasetError) -> LoadedFile {
        let data = try readFile(url)
        let decompressed: Result<[UInt8], DatasetError> = data.withUnsafeBytes { raw in
            do throws(DatasetError) { return .success(try Gzip.decompress(raw, name: url.path, limit: decompressedLimit)) }
            catch { return .failure(error) }
        }
        let bytes = try decompressed.get()
        let sha256 = Checksums.sha256Hex(bytes)
        return LoadedFile(url: url, array: try IDX.parse(bytes, name: url.path), sha256: sha256)
    }

    /// Checks that `images` and `labels` form an MNIST part: 3-D images of 28x28, 1-D labels
    /// in 0...9, as many labels as images.
    private static func part(images: LoadedFile, labels: LoadedFile) throws(DatasetError) -> Part {
        let imageDims = images.array.dimensions
        guard imageDims.count == 3 else {
            throw .wrongRank(file: images.url.path, expected: 3, dimensions: imageDims)
        }
        guard imageDims[1] == rows, imageDims[2] == columns else {
            throw .wrongImageSize(file: images.url.path, rows: imageDims[1], columns: imageDims[2],
                                  expectedRows: rows, expectedColumns: columns)
        }
        let labelDims = labels.array.dimensions
        guard labelDims.count == 1 else {
            throw .wrongRank(file: labels.url.path, expected: 1, dimensions: labelDims)
        }
        guard imageDims[0] == labelDims[0] else {
            throw .countMismatch(imagesFile: images.url.path, images: imageDims[0],
                                 labelsFile: labels.url.path, labels: labelDims[0])
        }
        let values = labels.array.bytes
        if let index = values.firstIndex(where: { Int($0) >= classes }) {
            throw .labelOutOfRange(file: labels.url.path, index: index, value: values[index],
                                   validRange: 0...(classes - 1))
        }
        return Part(images: images.array.bytes, labels: values,
                    imagesFile: images.url.path, labelsFile: labels.url.path)
    }

    /// "train-images-idx3-ubyte.gz" -> "train-images-idx3-ubyte", the name `SHA256SUMS` uses.
    private static func uncompressedName(_ url: URL) -> String {
        let name = url.lastPathComponent
        return name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
    }
}

/// Fixed slots written from concurrent tasks, one slot per task, under a lock.
private final class Slots<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    subscript(index: Int) -> Value? {
        get { lock.withLock { storage[index] } }
        set { lock.withLock { storage[index] = newValue } }
    }

    var values: [Value?] { lock.withLock { storage } }
}
