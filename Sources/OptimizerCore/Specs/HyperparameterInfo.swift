/// One hyperparameter of an optimizer as the catalogue (`GET /v1/optimizers`) lists it.
public struct HyperparameterInfo: Sendable, Equatable {
    /// PyTorch's name, e.g. `betas`.
    public var name: String
    /// The value used when the spec omits the hyperparameter (PyTorch's default).
    public var defaultValue: ConfigValue
    /// The validity rule in words, e.g. `each in [0, 1)`.
    public var rule: String
    /// What the hyperparameter does.
    public var doc: String

    /// Creates a catalogue entry.
    public init(name: String, defaultValue: ConfigValue, rule: String, doc: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.rule = rule
        self.doc = doc
    }
}
