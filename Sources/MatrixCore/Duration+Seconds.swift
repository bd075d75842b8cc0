extension Duration {
    /// The duration in seconds, as the timings in results and logs record it.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
