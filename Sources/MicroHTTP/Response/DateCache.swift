import Synchronization

/// The `Date: ...\r\n` header line (RFC 9110 §5.6.7 IMF-fixdate), formatted at most once per second.
final class DateCache: Sendable {
    private let cached = Mutex<(second: Int, line: [UInt8])>((-1, []))

    /// The header line for the current second.
    func headerLine() -> [UInt8] {
        let now = Socket.wallClockSeconds()
        return cached.withLock { c in
            if c.second != now {
                c = (now, Array("Date: \(DateCache.imfFixdate(epochSeconds: now))\r\n".utf8))
            }
            return c.line
        }
    }

    /// `"Sun, 06 Nov 1994 08:49:37 GMT"` for seconds since 1970 (civil-from-days, proleptic Gregorian).
    static func imfFixdate(epochSeconds: Int) -> String {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secs = epochSeconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday (index 4)
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return
            "\(names[weekday]), \(two(day)) \(months[month - 1]) \(year) \(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60)) GMT"
    }
}
