/// HTTP-date (RFC 9110 §5.6.7) as whole seconds since the Unix epoch. Formatting always gives IMF-fixdate;
/// parsing also accepts the two obsolete forms recipients must understand (RFC 850 and asctime).
enum HTTPDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    static func format(_ seconds: Int64) -> String {
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        return "\(weekday), \(pad(day)) \(months[month - 1]) \(year) "
            + "\(pad(Int(secondOfDay / 3600))):\(pad(Int(secondOfDay / 60 % 60))):\(pad(Int(secondOfDay % 60))) GMT"
    }

    /// nil when the text is not an HTTP-date, which makes the header carrying it ignored.
    static func parse(_ text: some StringProtocol) -> Int64? {
        let parts = String(text).split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        switch parts.count {
        case 6 where parts[5] == "GMT":  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            guard let day = Int(parts[1]), let year = Int(parts[3]) else { return nil }
            return make(year: year, monthName: parts[2], day: day, time: parts[4])
        case 4 where parts[3] == "GMT":  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let dayMonthYear = parts[1].split(separator: "-").map(String.init)
            guard dayMonthYear.count == 3, let day = Int(dayMonthYear[0]), let shortYear = Int(dayMonthYear[2]) else {
                return nil
            }
            let year = shortYear < 70 ? 2000 + shortYear : (shortYear < 100 ? 1900 + shortYear : shortYear)
            return make(year: year, monthName: dayMonthYear[1], day: day, time: parts[2])
        case 5:  // asctime: Sun Nov  6 08:49:37 1994
            guard let day = Int(parts[2]), let year = Int(parts[4]) else { return nil }
            return make(year: year, monthName: parts[1], day: day, time: parts[3])
        default:
            return nil
        }
    }

    private static func make(year: Int, monthName: String, day: Int, time: String) -> Int64? {
        // A day the month does not have (31 Feb) is no date: parsing it would roll over into the next month.
        guard let monthIndex = months.firstIndex(of: monthName),
            (1...daysIn(month: monthIndex + 1, year: year)).contains(day)
        else { return nil }
        let hms = time.split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3, (0...23).contains(hms[0]), (0...59).contains(hms[1]), (0...60).contains(hms[2]) else {
            return nil
        }
        let days = days(fromCivilYear: year, month: monthIndex + 1, day: day)
        return days * 86_400 + Int64(hms[0] * 3600 + hms[1] * 60 + hms[2])
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    // Howard Hinnant's days-from-civil and its inverse: exact for the proleptic Gregorian calendar.
    private static func days(fromCivilYear year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
