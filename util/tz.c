#include "util/tz.h"

#include <pthread.h>
#include <stdlib.h>
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

/* Each thread keeps the calendars of the last few zones it used: opening one reads the zone's
 * rules from ICU's data (a few µs, a few percent of an order lookup's CPU in kaeru-fcgi), and a
 * thread's requests are mostly of a few merchants' zones. A calendar serves one thread at a
 * time; the thread's are closed when it ends. */
#define ZONES_KEPT 4
struct zones_kept {
	char name[ZONES_KEPT][TZ_NAME_MAX + 1];
	UCalendar *cal[ZONES_KEPT];
	unsigned next; /* the one given up for the next zone */
};
static pthread_key_t zones_key;
static pthread_once_t zones_once = PTHREAD_ONCE_INIT;

static void zones_free(void *p)
{
	struct zones_kept *z = p;
	for (int i = 0; i < ZONES_KEPT; i++)
		if (z->cal[i])
			ucal_close(z->cal[i]);
	free(z);
}

static void zones_key_make(void)
{
	if (pthread_key_create(&zones_key, zones_free) != 0)
		abort();
}

/* This thread's calendar of zone, opened on first use; NULL when zone is not a name ICU could
 * open (ICU answers an unknown id with its "Etc/Unknown" zone, which is UTC). */
static UCalendar *calendar_of(const char *zone)
{
	UChar id[TZ_NAME_MAX + 1];
	if (!zone_id(zone, id))
		return NULL;
	pthread_once(&zones_once, zones_key_make);
	struct zones_kept *z = pthread_getspecific(zones_key);
	if (!z) {
		z = calloc(1, sizeof(*z));
		if (!z || pthread_setspecific(zones_key, z) != 0)
			abort();
	}
	for (int i = 0; i < ZONES_KEPT; i++)
		if (z->cal[i] && strcmp(z->name[i], zone) == 0)
			return z->cal[i];
	UErrorCode status = U_ZERO_ERROR;
	UCalendar *cal = ucal_open(id, -1, "", UCAL_GREGORIAN, &status);
	if (U_FAILURE(status)) {
		if (cal)
			ucal_close(cal);
		return NULL;
	}
	unsigned i = z->next++ % ZONES_KEPT;
	if (z->cal[i])
		ucal_close(z->cal[i]);
	z->cal[i] = cal;
	memcpy(z->name[i], zone, strlen(zone) + 1); /* zone_id: at most TZ_NAME_MAX */
	return cal;
}

void tz_local_days(const char *zone, size_t n, const int64_t *t, int64_t *day)
{
	UCalendar *cal = calendar_of(zone);
	for (size_t i = 0; i < n; i++) {
		int64_t offset_ms = 0;
		if (cal) {
			UErrorCode status = U_ZERO_ERROR;
			ucal_setMillis(cal, (UDate)t[i] * 1000.0, &status);
			offset_ms = (int64_t)ucal_get(cal, UCAL_ZONE_OFFSET, &status) +
			            ucal_get(cal, UCAL_DST_OFFSET, &status);
			if (U_FAILURE(status))
				offset_ms = 0;
		}
		day[i] = floor_div(t[i] + offset_ms / 1000, 86400);
	}
}

int64_t tz_local_day(const char *zone, int64_t t)
{
	int64_t day;
	tz_local_days(zone, 1, &t, &day);
	return day;
}
