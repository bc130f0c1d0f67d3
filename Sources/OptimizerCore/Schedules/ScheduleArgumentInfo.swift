/// One argument of a schedule as the catalogue (`GET /v1/optimizers`) lists it.
public struct ScheduleArgumentInfo: Sendable, Equatable {
    /// PyTorch's argument name in snake_case, e.g. `t_max`.
    public var name: String
    /// Whether the argument must be given.
    public var required: Bool
    /// The default used when an optional argument is omitted (`nil` for required ones).
    public var defaultValue: ConfigValue?
    /// The validity rule in words, e.g. `integer >= 1`.
    public var rule: String
    /// What the argument does.
    public var doc: String

    /// Creates a catalogue entry.
    public init(name: String, required: Bool, defaultValue: ConfigValue?, rule: String, doc: String) {
        self.name = name
        self.required = required
        self.defaultValue = defaultValue
        self.rule = rule
        self.doc = doc
    }
}
