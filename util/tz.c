#include "util/tz.h"

#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

/* The zone's name as ICU's UTF-16; false when it is too long or not ASCII. */
static bool zone_id(const char *name, UChar out[TZ_NAME_MAX + 1])
{
	size_t n = strlen(name);
	if (n == 0 || n > TZ_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e)
			return false;
		out[i] = (UChar)name[i];
	}
	out[n] = 0;
	return true;
}

bool tz_valid(const char *name)
{
	UChar id[TZ_NAME_MAX + 1], canonical[TZ_NAME_MAX + 1];
	if (!zone_id(name, id))
		return false;
	UErrorCode status = U_ZERO_ERROR;
	UBool system_id = 0;
	ucal_getCanonicalTimeZoneID(id, -1, canonical, TZ_NAME_MAX + 1, &system_id, &status);
	return U_SUCCESS(status) && system_id;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void tz_local_days(const char *zone, size_t n, const int64_t *t, int64_t *day)
{
	UChar id[TZ_NAME_MAX + 1];
	UErrorCode status = U_ZERO_ERROR;
	/* ICU answers an unknown id with its "Etc/Unknown" zone, which is UTC. */
	UCalendar *cal = zone_id(zone, id) ? ucal_open(id, -1, "", UCAL_GREGORIAN, &status) : NULL;
	for (size_t i = 0; i < n; i++) {
		int64_t offset_ms = 0;
		if (cal && U_SUCCESS(status)) {
			ucal_setMillis(cal, (UDate)t[i] * 1000.0, &status);
			offset_ms = (int64_t)ucal_get(cal, UCAL_ZONE_OFFSET, &status) +
			            ucal_get(cal, UCAL_DST_OFFSET, &status);
			if (U_FAILURE(status))
				offset_ms = 0;
		}
		day[i] = floor_div(t[i] + offset_ms / 1000, 86400);
	}
	if (cal)
		ucal_close(cal);
}

int64_t tz_local_day(const char *zone, int64_t t)
{
	int64_t day;
	tz_local_days(zone, 1, &t, &day);
	return day;
}
