#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C math library functions PyTorch's Python code calls (`**` is `pow`, `math.cos` is `cos`), so that
/// coefficients computed here are bit-identical to the doubles Python computes with the same libm.
enum LibM {
    /// `x ** y` as Python computes it for floats (C `pow`).
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { cPow(x, y) }

    /// `math.cos` (C `cos`).
    @inline(__always) static func cos(_ x: Double) -> Double { cCos(x) }
}

// File-scope forwarders: inside `LibM`, the names `pow` and `cos` would resolve to the static members.
@inline(__always) private func cPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inline(__always) private func cCos(_ x: Double) -> Double { cos(x) }
