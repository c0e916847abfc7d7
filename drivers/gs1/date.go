package gs1

import (
	"fmt"
	"time"
)

// ParseDate turns a GS1 YYMMDD date into a time at midnight in now's
// location. The century follows GS1 General Specifications 7.12: a year more
// than 50 years ahead of now's belongs to the previous century, one 50 or
// more years behind to the next one. DD = 00 means the last day of the month;
// whether an AI may use it is checked by the parser (dictionary linter
// yymmd0), not here.
func ParseDate(yymmdd string, now time.Time) (time.Time, error) {
	if len(yymmdd) != 6 || !allDigits(yymmdd) {
		return time.Time{}, fmt.Errorf("date %q: want 6 digits YYMMDD", yymmdd)
	}
	if r, _ := dateReason(yymmdd[:2], yymmdd[2:], true); r != "" {
		return time.Time{}, fmt.Errorf("date %q: %s", yymmdd, r)
	}
	yy := int(yymmdd[0]-'0')*10 + int(yymmdd[1]-'0')
	mm := time.Month(int(yymmdd[2]-'0')*10 + int(yymmdd[3]-'0'))
	dd := int(yymmdd[4]-'0')*10 + int(yymmdd[5]-'0')

	century := now.Year() / 100 * 100
	switch diff := yy - now.Year()%100; {
	case diff >= 51:
		century -= 100
	case diff <= -50:
		century += 100
	}
	year := century + yy
	switch {
	case dd == 0:
		dd = daysIn(year, mm)
	case dd > daysIn(year, mm): // 29 February of a non-leap century year
		return time.Time{}, fmt.Errorf("date %q: %d has no %d %s", yymmdd, year, dd, mm)
	}
	return time.Date(year, mm, dd, 0, 0, 0, 0, now.Location()), nil
}

// dateReason checks a date's month "MM" and day "DD" for a (two- or
// four-digit) year; "" if valid, else the reason and the offset in mmdd of
// the wrong part (0 month, 2 day). Two-digit years count as leap when
// divisible by 4, true for every year GS1's century rule can produce until
// 2100.
func dateReason(year, mmdd string, dayZeroOK bool) (string, int) {
	y := 0
	for i := 0; i < len(year); i++ {
		y = y*10 + int(year[i]-'0')
	}
	if len(year) == 2 {
		y += 2000
	}
	mm := int(mmdd[0]-'0')*10 + int(mmdd[1]-'0')
	dd := int(mmdd[2]-'0')*10 + int(mmdd[3]-'0')
	if mm < 1 || mm > 12 {
		return fmt.Sprintf("invalid date %s%s: month %02d does not exist", year, mmdd, mm), 0
	}
	if dd == 0 {
		if dayZeroOK {
			return "", 0
		}
		return fmt.Sprintf("invalid date %s%s: day 00 is not allowed for this AI", year, mmdd), 2
	}
	if dd > daysIn(y, time.Month(mm)) {
		return fmt.Sprintf("invalid date %s%s: month %02d has no day %02d", year, mmdd, mm, dd), 2
	}
	return "", 0
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
