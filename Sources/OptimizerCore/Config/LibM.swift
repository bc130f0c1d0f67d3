#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C math library functions PyTorch's Python code calls (`**` is `pow`, `math.cos` is `cos`), so that
/// coefficients computed here are bit-identical to the doubles Python computes on the same libm.
enum LibM {
    /// `x ** y` as Python computes it for floats (C `pow`).
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double {
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        return Glibc_pow(x, y)
        #endif
    }

    /// `math.cos`.
    @inline(__always) static func cos(_ x: Double) -> Double { Glibc_cos(x) }
}

@inline(__always) private func Glibc_pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inline(__always) private func Glibc_cos(_ x: Double) -> Double { cos(x) }
