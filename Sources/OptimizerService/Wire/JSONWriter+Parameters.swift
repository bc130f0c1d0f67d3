import FastJSON
import OptimizerCore

extension JSONWriter {
    /// `"name": "w", "shape": [2, 3]`: the members every description of a parameter starts with.
    mutating func writeNameAndShape(of entry: ParameterLayout.Entry) {
        writeKey("name")
        writeString(entry.name)
        writeKey("shape")
        beginArray()
        for d in entry.shape { writeInt(d) }
        endArray()
    }
}
